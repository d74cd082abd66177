"""The built book in a real browser: Debian's Chromium driven by Playwright.

Desktop is 1280x800, phone 390x844. Every test records each request, failed
response and console error; none may leave 127.0.0.1 or fail.
"""

from __future__ import annotations

import pytest

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
    serve,
    visible_texts,
    visit,
)
from .conftest import ROOT, build, make_book

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# ---- the switch ---------------------------------------------------------------

@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("mode", MODES)
def test_switch_shows_the_right_language(open_page, mode, viewport, tmp_path):
    pg = visit(open_page(VIEWPORTS[viewport]), f"{ISSUE}?lang={mode}")
    assert pg.evaluate("document.documentElement.dataset.lang") == mode
    assert pg.locator(f'.bl-switch input[value="{mode}"]').is_checked()
    want_zh, want_en = mode in ("zh", "both"), mode in ("en", "both")
    zh_bodies = visible_texts(pg, ".story .bl-block.bl-zh")
    en_bodies = visible_texts(pg, ".story .bl-block.bl-en")
    assert (len(zh_bodies) == 4) == want_zh and (len(zh_bodies) == 0) == (not want_zh)
    assert (len(en_bodies) == 4) == want_en and (len(en_bodies) == 0) == (not want_en)
    # headlines, the story list in the page contents, the interface text
    heads = " ".join(visible_texts(pg, ".story > h2"))
    assert ("热度超500万" in heads) == want_zh and ("Popularity Surpasses" in heads) == want_en
    # the stories listed: in the page's contents (right sidebar; folded away in 双语) and 本期导读
    contents = " ".join(visible_texts(pg, "#pst-page-toc-nav a" if viewport == "desktop" and mode != "both"
                                      else ".bl-in-this-issue a"))
    assert ("成都青羊" in contents) == want_zh and ("Qingyang District" in contents) == want_en
    if viewport == "desktop":
        nav = " ".join(visible_texts(pg, ".bl-in-this-issue-title"))
        assert ("本期导读" in nav) == want_zh and ("In this issue" in nav) == want_en
    assert pg.evaluate("document.documentElement.lang") == {"zh": "zh-CN", "en": "en", "both": "zh-CN"}[mode]
    # charts: the Chinese and/or English version, by the chart code
    pg.evaluate(SCROLL_THROUGH)
    pg.wait_for_load_state("networkidle")
    charts = pg.locator("figure.bl-figure img.bl-chart").evaluate_all(
        "imgs => imgs.filter(i => i.getClientRects().length).map(i => [i.closest('[lang]').lang, i.naturalWidth])")
    langs = sorted(lang for lang, _ in charts)
    assert langs == sorted(["zh-CN"] * 2 * want_zh + ["en"] * 2 * want_en)
    assert all(width > 300 for _, width in charts)
    # a hidden chart is never downloaded
    loaded = pg.evaluate("performance.getEntriesByType('resource').map(e => e.name).filter(n => n.endsWith('.svg') && n.includes('_images'))")
    assert len(loaded) == len(charts)
    pg.evaluate("window.scrollTo(0, 0)")
    save_screenshot(pg, tmp_path, f"issue1-{mode}-{viewport}.png")
    clean(pg)


def test_switch_persists_across_reload_and_pages(open_page):
    pg = visit(open_page(), ISSUE)
    assert pg.evaluate("document.documentElement.dataset.lang") == "both"  # the default
    pg.locator(".bl-switch label", has_text="English").click()
    assert pg.evaluate("document.documentElement.dataset.lang") == "en"
    assert pg.evaluate("localStorage.getItem('panda-lang')") == "en"
    pg.reload()
    pg.wait_for_load_state("networkidle")
    assert pg.evaluate("document.documentElement.dataset.lang") == "en"
    assert visible_texts(pg, ".story .bl-block.bl-zh") == []
    pg.locator(".bd-sidebar-primary a", has_text="Home").click()
    pg.wait_for_load_state("networkidle")
    assert pg.url.endswith("index.html")
    assert pg.evaluate("document.documentElement.dataset.lang") == "en"
    assert "网罗行业热点不迷路" not in pg.locator("article").inner_text()
    assert "Catch the pulse of mini-drama" in pg.locator("article").inner_text()
    clean(pg)


def test_url_parameter_wins_and_is_kept(open_page):
    pg = visit(open_page(), ISSUE)
    pg.locator(".bl-switch label", has_text="English").click()
    visit(pg, f"{ISSUE}?lang=zh")
    assert pg.evaluate("document.documentElement.dataset.lang") == "zh"
    visit(pg, "index.html")
    assert pg.evaluate("document.documentElement.dataset.lang") == "zh"
    visit(pg, f"{ISSUE}?lang=klingon")  # an unknown mode is ignored
    assert pg.evaluate("document.documentElement.dataset.lang") == "zh"
    clean(pg)


def test_switch_works_from_the_keyboard(open_page):
    pg = visit(open_page(), ISSUE)
    for _ in range(40):  # Tab from the top of the page reaches the switch
        pg.keyboard.press("Tab")
        if pg.evaluate("document.activeElement.name") == "bl-lang":
            break
    else:
        pytest.fail("Tab never reached the language switch")
    assert pg.evaluate("document.activeElement.value") == "both"
    pg.keyboard.press("ArrowLeft")
    assert pg.evaluate("document.documentElement.dataset.lang") == "en"
    pg.keyboard.press("ArrowLeft")
    assert pg.evaluate("document.documentElement.dataset.lang") == "zh"
    # the group has an accessible name in both languages
    legend = pg.locator(".bl-switch legend").inner_text()
    assert "阅读语言" in legend and "Reading language" in legend
    assert pg.get_by_role("radio", name="English").is_checked() is False
    assert pg.get_by_role("radio", name="中文").is_checked()
    clean(pg)


@pytest.mark.parametrize(("start", "to"), [("both", "zh"), ("zh", "en"), ("en", "both")])
def test_switching_keeps_the_story_in_view(open_page, start, to):
    pg = visit(open_page(), f"{ISSUE}?lang={start}")
    story = pg.locator("#story-jianhu-nvxia-hongguo")
    pg.evaluate("document.getElementById('story-jianhu-nvxia-hongguo').scrollIntoView()")
    pg.evaluate("window.scrollBy(0, -120)")
    before = story.bounding_box()["y"]
    # a reader's click; Playwright's own click would first scroll the switch into view
    pg.evaluate(f"document.querySelector('.bl-switch input[value={to}]').click()")
    assert pg.evaluate("document.documentElement.dataset.lang") == to
    after = story.bounding_box()["y"]
    assert abs(after - before) <= 2, (before, after)
    clean(pg)


def test_layout_side_by_side_on_desktop_stacked_on_phone(open_page):
    pg = visit(open_page(DESKTOP), ISSUE)
    zh = pg.locator("#story-jianhu-nvxia-hongguo .bl-block.bl-zh").bounding_box()
    en = pg.locator("#story-jianhu-nvxia-hongguo .bl-block.bl-en").bounding_box()
    assert en["x"] >= zh["x"] + zh["width"] - 1 and abs(en["y"] - zh["y"]) < 2  # side by side, same top
    pg = visit(open_page(PHONE), ISSUE)
    zh = pg.locator("#story-pku-employment-report .bl-block.bl-zh").bounding_box()
    en = pg.locator("#story-pku-employment-report .bl-block.bl-en").bounding_box()
    assert en["y"] >= zh["y"] + zh["height"] - 1 and abs(en["x"] - zh["x"]) < 2  # Chinese, then English
    tags = pg.locator("#story-pku-employment-report .bl-block").evaluate_all(
        "els => els.map(e => getComputedStyle(e, '::before').content)")
    assert tags == ['"中文"', '"EN"']  # told apart by a tag as well as a colour
    assert pg.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    clean(pg)


@pytest.fixture(scope="module")
def template_site(tmp_path_factory):
    """The template issue, whose first story pairs its two paragraphs, built and served."""
    text = (ROOT / "templates" / "issue.md").read_text(encoding="utf-8").replace("ISSUE_FILE", "001-2025-11.md")
    result = build(make_book(tmp_path_factory.mktemp("template"), text))
    assert result.returncode == 0, result.output[-3000:]
    yield from serve(result.html)


def test_paired_paragraphs_line_up_on_wide_screens(browser, template_site):
    context = browser.new_context(viewport=DESKTOP)
    pg = context.new_page()
    pg.goto(f"{template_site}/{ISSUE}")
    pg.wait_for_load_state("networkidle")
    tops = pg.locator("#story-first-story .bl-body p").evaluate_all(
        "ps => ps.map(p => [p.closest('[lang]').lang, p.innerText, Math.round(p.getBoundingClientRect().top), "
        "Math.round(p.getBoundingClientRect().left)])")
    by_text = {text: (lang, top, left) for lang, text, top, left in tops}
    zh1, zh2 = by_text["中文第一段：该项目带动就业约300人。"], by_text["中文第二段：其中直接就业100人。"]
    en1 = by_text["First English paragraph: the project created about 300 jobs."]
    en2 = by_text["Second English paragraph: 100 of them are direct jobs."]
    assert (zh1[0], en1[0]) == ("zh-CN", "en")
    assert abs(zh1[1] - en1[1]) <= 1 and abs(zh2[1] - en2[1]) <= 1  # each pair starts on one line
    assert en1[2] > zh1[2] and zh2[1] > zh1[1]  # English on the right, second pair below the first
    pg.evaluate("document.querySelector('.bl-switch input[value=en]').click()")
    assert pg.locator("#story-first-story .bl-block.bl-zh").evaluate("e => getComputedStyle(e).display") == "none"
    assert pg.locator("#story-first-story p", has_text="Second English paragraph").is_visible()
    context.close()


@pytest.mark.parametrize(("mode", "story", "shows"), [
    ("zh", "story-niguang-zhi-ai-nanning", "Recently, the mini series Ni Guang Zhi Ai"),
    ("en", "story-jianhu-nvxia-hongguo", "近日，本土国风微短剧"),
])
def test_a_story_without_the_chosen_language_offers_the_other(open_page, mode, story, shows):
    pg = visit(open_page(), f"{ISSUE}?lang={mode}")
    section = pg.locator(f"#{story}")
    assert shows not in " ".join(visible_texts(pg, f"#{story} .bl-block"))
    gap = section.locator(f".bl-block.bl-{mode} .bl-gap")
    assert gap.is_visible()
    button = section.locator(".bl-reveal:visible")
    assert button.count() == 1
    button.click()
    assert button.get_attribute("aria-pressed") == "true"
    assert shows in " ".join(visible_texts(pg, f"#{story} .bl-block"))
    # both languages of the story show, and its topics keep their separator ("文旅 · Culture and tourism")
    tags = visible_texts(pg, f"#{story} .bl-tag")
    assert tags and all(" · " in tag for tag in tags), tags
    button.click()
    assert shows not in " ".join(visible_texts(pg, f"#{story} .bl-block"))
    clean(pg)


def test_without_javascript_both_languages_show(open_page):
    pg = visit(open_page(javascript=False), ISSUE)
    assert len(visible_texts(pg, ".story .bl-block.bl-zh")) == 4
    assert len(visible_texts(pg, ".story .bl-block.bl-en")) == 4
    assert visible_texts(pg, ".bl-switch") == []  # a switch that cannot work is not shown
    assert pg.locator("figure.bl-figure img.bl-chart:visible").count() == 4


def test_print_follows_the_mode(open_page):
    pg = visit(open_page(), f"{ISSUE}?lang=zh")
    pg.emulate_media(media="print")
    assert visible_texts(pg, ".story .bl-block.bl-en") == []
    assert len(visible_texts(pg, ".story .bl-block.bl-zh")) == 4
    assert visible_texts(pg, ".bl-switch") == []
    assert len(pg.pdf()) > 10_000
    clean(pg)


# ---- the interactive view -------------------------------------------------------

def test_interactive_view_loads_on_request(open_page):
    pg = visit(open_page(), f"{ISSUE}?lang=both")
    assert not pg.evaluate("'requirejs' in window")  # the 3.6 MB bundle is not loaded with the page
    load = pg.locator(".bl-widget-load")
    assert load.count() == 1
    load.click()
    toggle = pg.get_by_role("button", name="工日", exact=True)  # a row of buttons per language (charts._widgets)
    toggle.wait_for(timeout=30000)
    assert load.count() == 0

    def alts():
        return pg.locator(".widget-html-content img").evaluate_all(
            "imgs => imgs.filter(i => i.getClientRects().length).map(i => i.alt)")

    assert [a[:4] for a in alts()] == ["条形图：", "Bar "]
    toggle.click()
    pg.wait_for_timeout(300)
    assert [a[:4] for a in alts()] == ["日历图：", "Cale"]
    pg.locator('.bl-switch input[value="en"]').check()
    assert [a[:4] for a in alts()] == ["Cale"]  # the widget's charts follow the switch too
    clean(pg)


# ---- every page -------------------------------------------------------------------

# every page stays on the site, loads no icon or web font: tests/test_reading_page.py


# axe on every page, in every mode, width and colour scheme: tests/test_reading_page.py


def test_axe_on_the_loaded_interactive_view(open_page):
    pg = visit(open_page(bypass_csp=True), ISSUE)
    pg.locator(".bl-widget-load").click()
    pg.get_by_role("button", name="工日", exact=True).wait_for(timeout=30000)
    pg.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    violations = pg.evaluate("""async () => (await axe.run(document, {resultTypes: ['violations']}))
        .violations.filter(v => ['serious', 'critical'].includes(v.impact)).map(v => v.id)""")
    assert violations == []
    clean(pg)


# ---- figures and data --------------------------------------------------------------

def test_chart_data_table_opens_in_place(open_page):
    pg = visit(open_page(), f"{ISSUE}?lang=en")
    details = pg.locator("#chart-employment details.bl-data")
    assert not details.locator("table").is_visible()
    details.locator("summary").click()
    table = details.locator("table")
    assert table.is_visible() and "1,340,000" in table.inner_text() and "Upstream and downstream" in table.inner_text()
    assert "上下游带动" not in table.inner_text()  # the table follows the switch too
    href = pg.locator("#chart-employment a.bl-download").get_attribute("href")
    response = pg.request.get(f"{pg.url.rsplit('/', 1)[0]}/{href}")
    assert response.ok and response.text().startswith("指标,Metric,数值 Value,单位,Unit")
    clean(pg)
