"""The reading page as a reader gets it, measured in Chromium: columns, the issue's header, headline
gaps, the language of every string and the font that draws it, accessibility in every state, a quiet
interface and print.

Each page is loaded once per width and colour scheme; the three reading modes are switched on the
loaded page, as a reader does, and everything is measured in each.
"""

from __future__ import annotations

import io
import re

import pytest
from bs4 import BeautifulSoup

from .browsing import (
    AXE,
    DESKTOP,
    ISSUE,
    MODES,
    PHONE,
    SCROLL_THROUGH,
    VIEWPORTS,
    clean,
    save_screenshot,
    site_pages,
    visible_texts,
    visit,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: Every visible text node: Chinese (Han) text must sit in lang="zh-CN", Latin words in lang="en".
LANG_SCAN = """() => {
  const HAN = /[\\u3400-\\u9fff\\uf900-\\ufaff\\u3000-\\u303f\\uff00-\\uffef]/, LATIN = /[A-Za-z]{2,}/;
  const out = [];
  let mark = 0;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const t = n.textContent.trim();
    const el = n.parentElement;
    if (!t || !el || el.closest("script,style,noscript,template,svg") || !el.getClientRects().length) continue;
    if (getComputedStyle(el).visibility === "hidden") continue;
    const holder = el.closest("[lang]"), lang = holder ? holder.lang : "";
    if (HAN.test(t)) {
      el.setAttribute("data-han", String(mark++));
      if (lang !== "zh-CN") out.push(["Chinese not in zh-CN", lang, t.slice(0, 40)]);
    } else if (LATIN.test(t) && lang !== "en") out.push(["English not in en", lang, t.slice(0, 40)]);
  }
  return out;
}"""

AXE_RUN = """async (only) => (await axe.run(document, only ? {resultTypes: ['violations'], runOnly: only}
                                                       : {resultTypes: ['violations']}))
    .violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}))"""
#: the rules whose result depends on the colour scheme: in the dark, the page's structure, names and roles are
#: the light page's (every rule ran there), its colours are not
DARK_RULES = ["color-contrast", "link-in-text-block"]


def set_mode(pg, mode: str) -> None:
    pg.evaluate(f"document.querySelector('.bl-switch input[value={mode}]').click()")
    assert pg.evaluate("document.documentElement.dataset.lang") == mode


def jp_drawn(pg) -> list[str]:
    """The Chinese text nodes (marked by LANG_SCAN) that Chromium drew with a Japanese face, asked through the
    DevTools protocol (CSS.getPlatformFontsForNode): the face actually used, not the one the CSS asks for."""
    cdp = pg.context.new_cdp_session(pg)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    ids = cdp.send("DOM.querySelectorAll", {"nodeId": root, "selector": "[data-han]"})["nodeIds"]
    assert ids, "no Chinese text found to check"
    bad = []
    for node in ids:
        fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
        faces = [f["familyName"] + " / " + f.get("postScriptName", "") for f in fonts]
        if any(re.search(r"\bJP\b|Japanese|-JP", face) for face in faces):
            text = cdp.send("DOM.getOuterHTML", {"nodeId": node})["outerHTML"][:80]
            bad.append(f"{faces}: {text}")
    cdp.detach()
    return bad


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_every_page_in_every_mode_stays_on_the_site_tags_its_languages_draws_no_jp_face_and_passes_axe(
        open_page, built_book, viewport, scheme, tmp_path):
    axe = AXE.read_text(encoding="utf-8")
    problems = {}
    # every page, and the search page with results (its message and snippets are written by a script)
    for path in [*site_pages(built_book.html, one_topic=True), "search.html?q=就业"]:
        pg = open_page(VIEWPORTS[viewport], bypass_csp=True)  # axe's script; the policy is tested in test_csp.py
        pg.emulate_media(color_scheme=scheme)
        pg.goto(f"{pg.site}/{path}", wait_until="load")
        if "?q=" in path:  # the results, their message and snippets are written by the search script
            pg.locator("#search-results p.search-summary span").first.wait_for(state="attached", timeout=15000)
            pg.wait_for_load_state("networkidle")
        if scheme == "light":  # every lazy chart and image loaded, all from the site (clean() below)
            pg.evaluate(SCROLL_THROUGH)
            pg.wait_for_load_state("networkidle")
            scripts = pg.evaluate("performance.getEntriesByType('resource').map(e => e.name)")
            assert pg.fonts == [], (path, pg.fonts)  # no icon font, no CJK web font
            assert not [s for s in scripts if "fontawesome" in s or ("searchindex" in s and "search.html" not in path)]
        pg.add_script_tag(content=axe)
        has_switch = pg.locator(".bl-switch input").count() > 0
        for mode in MODES if has_switch else ("page",):
            if has_switch:
                set_mode(pg, mode)
                assert pg.evaluate("document.documentElement.lang") == {"zh": "zh-CN", "en": "en", "both": "zh-CN"}[mode]
            if scheme == "light":  # the languages and the faces do not depend on the colour scheme
                untagged = pg.evaluate(LANG_SCAN)
                if untagged:
                    problems[(path, mode, "lang")] = untagged[:6]
                jp = jp_drawn(pg) if pg.locator("[data-han]").count() else []
                if jp:
                    problems[(path, mode, "JP face")] = jp[:6]
            violations = pg.evaluate(AXE_RUN, DARK_RULES if scheme == "dark" else None)
            if violations:
                problems[(path, mode, "axe")] = violations
            if (path, mode, scheme) == (ISSUE, "both", "dark"):
                save_screenshot(pg, tmp_path, f"issue1-both-{viewport}-dark.png")
        clean(pg)
        pg.context.close()
    assert problems == {}, "\n".join(f"{key}: {found}" for key, found in problems.items())


def test_404_page_is_chinese_first_with_english_tagged(built_book):
    soup = BeautifulSoup((built_book.html / "404.html").read_text(encoding="utf-8"), "html.parser")
    assert soup.html["lang"] == "zh-CN"
    for span in soup.body.find_all(string=re.compile(r"[A-Za-z]{2,}")):
        assert span.find_parent(attrs={"lang": "en"}) is not None, span


# ---- 双语 on a desktop -------------------------------------------------------------

COLUMNS = """() => {
  // characters on the first line of a paragraph, measured with ranges over its text
  function firstLine(p) {
    const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
    let top = null, count = 0;
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      for (let i = 0; i < n.length; i++) {
        const r = document.createRange(); r.setStart(n, i); r.setEnd(n, i + 1);
        const rect = r.getClientRects()[0];
        if (!rect) continue;
        if (top === null) top = rect.top;
        if (rect.top > top + 2) return count;
        count++;
      }
    }
    return count;
  }
  const zh = document.querySelector('#story-pku-employment-report .bl-zh .bl-body p');
  const en = document.querySelector('#story-pku-employment-report .bl-en .bl-body p');
  const box = e => e.getBoundingClientRect();
  // the empty stretch of each pair: its height less the taller of what each column holds
  const empty = [...document.querySelectorAll('article .story > .bl-pair')].map(pair => {
    const cols = {};
    for (const el of pair.querySelectorAll(':scope > .bl-block, :scope > .bl-block > *, :scope > .bl-block > .bl-body > *')) {
      if (getComputedStyle(el).display === 'contents' || !el.getClientRects().length) continue;
      const b = box(el), key = Math.round(b.left);
      cols[key] = (cols[key] || 0) + b.height;
    }
    const heights = Object.values(cols);
    return heights.length < 2 ? 0 : Math.max(...heights) - Math.min(...heights);
  });
  return {zh: [box(zh).left, box(zh).width, firstLine(zh)], en: [box(en).left, box(en).width, firstLine(en)],
          empty, screen: innerHeight};
}"""


def test_bilingual_columns_use_the_page(open_page):
    pg = visit(open_page(DESKTOP), f"{ISSUE}?lang=both")
    m = pg.evaluate(COLUMNS)
    (zh_left, zh_width, zh_chars), (en_left, en_width, en_chars) = m["zh"], m["en"]
    assert en_left > zh_left + zh_width  # side by side
    assert en_left + en_width - zh_left >= 900, m  # the two columns together
    assert 25 <= zh_chars <= 35, m
    assert 60 <= en_chars <= 80, m
    # where one language has no text, the other spans the page: no column left empty for a screen
    assert max(m["empty"]) < m["screen"], m
    # story 3 has no Chinese body: its English spans both columns
    en3 = pg.locator("#story-niguang-zhi-ai-nanning .bl-block.bl-en").bounding_box()
    assert en3["width"] >= 900
    # paragraphs line up from the start of a story, though story 1 has 3 Chinese and 4 English ones
    tops = pg.locator("#story-pku-employment-report .bl-body p").evaluate_all(
        "ps => ps.map(p => [p.closest('[lang]').lang, Math.round(p.getBoundingClientRect().top)])")
    zh_tops = [t for lang, t in tops if lang == "zh-CN"]
    en_tops = [t for lang, t in tops if lang == "en"]
    assert (len(zh_tops), len(en_tops)) == (3, 4)
    assert all(abs(a - b) <= 1 for a, b in zip(zh_tops, en_tops))
    clean(pg)


def test_the_reader_puts_english_first_and_it_is_remembered(open_page):
    pg = visit(open_page(DESKTOP), f"{ISSUE}?lang=both")
    order = pg.locator(".bl-order")
    assert order.is_visible() and order.get_attribute("aria-pressed") == "false"
    order.click()
    assert pg.evaluate("document.documentElement.lang") == "en"

    def lefts():
        zh = pg.locator("#story-jianhu-nvxia-hongguo .bl-block.bl-zh").bounding_box()["x"]
        en = pg.locator("#story-jianhu-nvxia-hongguo .bl-block.bl-en").bounding_box()["x"]
        return zh, en

    zh, en = lefts()
    assert en < zh
    pg.reload()
    pg.wait_for_load_state("networkidle")
    assert pg.evaluate("[document.documentElement.dataset.first, document.documentElement.lang]") == ["en", "en"]
    zh, en = lefts()
    assert en < zh and pg.locator(".bl-order").get_attribute("aria-pressed") == "true"
    set_mode(pg, "zh")
    assert not pg.locator(".bl-order").is_visible()  # a choice for 双语 only
    assert pg.evaluate("document.documentElement.lang") == "zh-CN"
    clean(pg)


# ---- the issue's header and navigation ------------------------------------------------

@pytest.mark.parametrize(("mode", "date", "reading", "contents"), [
    ("zh", "2025年11月", r"阅读约\d+分钟", "本期导读"),
    ("en", "November 2025", r"\d+ min read", "In this issue"),
])
def test_issue_header_gives_date_reading_time_and_contents(open_page, mode, date, reading, contents):
    pg = visit(open_page(PHONE), f"{ISSUE}?lang={mode}")
    head = " ".join(visible_texts(pg, ".bl-issue-head"))
    assert date in head and re.search(reading, head) and contents in head, head
    other = {"zh": "November", "en": "年"}[mode]
    assert other not in head
    assert pg.locator(".bl-issue-head time").get_attribute("datetime") == "2025-11"
    links = pg.locator(".bl-in-this-issue a").evaluate_all("as => as.map(a => a.getAttribute('href'))")
    assert links == ["#story-pku-employment-report", "#story-jianhu-nvxia-hongguo", "#story-niguang-zhi-ai-nanning",
                     "#story-qingyang-chengdu"]
    for href in links:
        assert pg.locator(href).count() == 1
    # one issue: no previous or next issue, and never the pages around it in _toc.yml
    assert pg.locator(".prev-next-area a").count() == 0
    clean(pg)


def test_home_archive_and_topics_give_dates_in_each_language(open_page):
    for path in ("index.html", "archive.html", "topics/chengdu.html"):
        pg = visit(open_page(DESKTOP), f"{path}?lang=zh")
        assert "2025年11月" in " ".join(visible_texts(pg, "time.bl-date"))
        set_mode(pg, "en")
        texts = visible_texts(pg, "time.bl-date")
        assert texts and all(t == "November 2025" for t in texts), (path, texts)
        assert "2025-11" not in pg.locator("article").inner_text()
        clean(pg)


# ---- headline gaps -------------------------------------------------------------------

def test_a_missing_headline_shows_the_other_languages_with_a_note(open_page, built_book):
    pg = visit(open_page(PHONE), f"{ISSUE}?lang=zh")
    h2 = pg.locator("#story-pku-employment-report > h2")
    note = h2.locator(".bl-fill-note")
    assert note.is_visible() and note.inner_text() == "英文" and note.get_attribute("lang") == "zh-CN"
    head = h2.locator(".bl-headline.bl-fill")
    assert head.is_visible() and head.get_attribute("lang") == "en" and head.inner_text().startswith("Peking University")
    assert h2.evaluate("h => getComputedStyle(h).fontStyle") == "normal"
    # the story number on the headline's line
    num, first = h2.locator(".bl-num").bounding_box(), head.bounding_box()
    assert abs(num["y"] - first["y"]) < num["height"]
    set_mode(pg, "both")  # beside the other stories' two headlines, the one English headline says what it is
    assert note.is_visible() and head.is_visible()
    set_mode(pg, "en")
    assert not note.is_visible() and head.is_visible()
    clean(pg)
    # nowhere a placeholder for a headline, on any page
    for page in built_book.html.rglob("*.html"):
        text = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").get_text(" ")  # what a page shows
        assert "原文无中文标题" not in text and "No English headline in the source" not in text, page
    # no synthetic italics: no Chinese text is set in italics by the site's styles
    assert pg.evaluate("[...document.querySelectorAll(':lang(zh)')].filter(e => "
                       "getComputedStyle(e).fontStyle === 'italic').length") == 0


# ---- a quiet interface ---------------------------------------------------------------

@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_one_search_entry_no_download_or_fullscreen_and_titles_whole(open_page, viewport):
    pg = visit(open_page(VIEWPORTS[viewport]), f"{ISSUE}?lang=both")
    # the site's navigation behind the visible ☰ opens and closes (the themes served only a hidden one)
    if viewport == "desktop":
        sidebar = pg.locator("#pst-primary-sidebar")
        assert not sidebar.is_visible()  # folded away in 双语
        pg.locator(".bd-header-article .primary-toggle").click()
        assert sidebar.is_visible() and pg.locator("#pst-primary-sidebar a", has_text="Home").is_visible()
        pg.locator(".bd-header-article .primary-toggle").click()
        assert not sidebar.is_visible()
    else:
        pg.locator(".bd-header-article .primary-toggle").click()
        pg.locator("dialog#pst-primary-sidebar-modal a", has_text="Home").wait_for(timeout=5000)
        pg.keyboard.press("Escape")
    searches = pg.locator(".search-button__button, form.bd-search").evaluate_all(
        "els => els.filter(e => e.getClientRects().length && getComputedStyle(e).visibility !== 'hidden').length")
    assert searches == 1
    assert pg.locator(".btn-download-source-button, .btn-fullscreen-button, .dropdown-download-buttons").count() == 0
    assert pg.locator("a[href$='.md'], a[href*='_sources']").count() == 0
    if viewport == "desktop":
        # the book's title in the sidebar (folded away in 双语): each half on one line, never "Mini-/drama"
        for mode in ("zh", "en"):
            set_mode(pg, mode)
            half = pg.locator(f".bd-sidebar-primary .logo__title .bl-{mode}")
            assert half.is_visible() and half.evaluate("e => e.getClientRects().length") == 1, mode
            box = half.bounding_box()
            assert box["height"] < 2 * float(half.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")), mode
    clean(pg)


# ---- print ---------------------------------------------------------------------------

@pytest.mark.parametrize("mode", ["zh", "en"])
def test_an_issue_prints_as_a_clean_article_of_at_most_six_pages(open_page, mode):
    from pypdf import PdfReader

    pg = visit(open_page(), f"{ISSUE}?lang={mode}")
    pg.emulate_media(media="print")
    for hidden in ("a.bl-download", "details.bl-data", "#interactive-view", ".bl-switch", ".bl-widget-load",
                   ".bd-sidebar-secondary", ".prev-next-area"):
        assert visible_texts(pg, hidden) == [], hidden
    pdf = PdfReader(io.BytesIO(pg.pdf(format="A4", print_background=False)))
    pages = len(pdf.pages)
    printed = "".join(page.extract_text() for page in pdf.pages)
    assert 1 <= pages <= 6, pages
    assert ".csv" not in printed and "CSV" not in printed
    # one language on paper: the theme's print-only title and contents ("Contents" in 中文 mode) are left out
    other = {"zh": ["Contents", "Recently,", "Source:"], "en": ["本页目录", "近日", "来源"]}[mode]
    assert not [word for word in other if word in printed], printed[:500]
    print(f"printed pages, {mode}: {pages}")
    clean(pg)
