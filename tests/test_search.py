"""Search in both languages (_ext/panda_book/site/search.py, static/panda-search.js, static/panda.js).

Unit tests of the index's parts (a number's term, pages read without interface text), the
built book's index (figures' numbers, topic pages, no gap text), and Chromium on the built
book at 1280x800 and 390x844 in the three reading modes: the result message (count, plural,
language, lang), numbers in either language's form, topic pages, snippets without interface
text, and the highlighting of only the terms that matched on the page a result opens.
"""

from __future__ import annotations

import json
import re
import sys
from urllib.parse import parse_qs, urlsplit

import pytest
from docutils import nodes
from docutils.frontend import get_default_settings
from docutils.parsers.rst import Parser
from docutils.utils import new_document

from newsletter.figures import format_en, format_zh, load_figures

from .browsing import AXE, DESKTOP, ISSUE, MODES, PHONE, clean, visible_texts, visit
from .conftest import ROOT

sys.path.insert(0, str(ROOT / "_ext"))

from panda_book.directives.bilingual import GAP_TEXT, gap_marker  # noqa: E402
from panda_book.directives.labels import bi_nodes, sep  # noqa: E402
from panda_book.site import search  # noqa: E402  (the extension lives in _ext/, as Jupyter Book loads it)

FIGURES = load_figures(ROOT / "issues" / "001-2025-11.md")
#: the reading modes' languages: what each shows of a bilingual label
SHOWN = {"zh": {"zh-CN"}, "en": {"en"}, "both": {"zh-CN", "en"}}
#: interface text no snippet may hold
INTERFACE_TEXT = ("显示英文原文", "Show the Chinese original", "阅读语言", "Reading language", "话题 · Topics:", "#",
                  *GAP_TEXT.values())


# ---- the index's parts ------------------------------------------------------------------

@pytest.mark.parametrize(("value", "term"), [(2030000, "#2030000"), (2030000.0, "#2030000"), (36.85, "#36.85"),
                                             (2.03 * 1e6, "#2030000"), (0.5, "#0.5")])
def test_a_number_has_one_term_whatever_its_form(value, term):
    assert search.number_term(value) == term


def _document() -> nodes.document:
    return new_document("<test>", get_default_settings(Parser))


def test_the_index_reads_a_page_without_its_interface_text():
    doc = _document()
    title = nodes.title("", "", nodes.inline("", "1. ", classes=["bl-num"]), gap_marker("zh", "headline"), sep(),
                        *bi_nodes("", "Peking University Releases Report")[-1:])
    section = nodes.section("", title, ids=["story-1"])
    note = nodes.paragraph("", "", gap_marker("zh", "body"), classes=["bl-gap-note"])
    archive_link = nodes.paragraph("", "", *bi_nodes(f"⟨{GAP_TEXT[('zh', 'headline')]}⟩", "A headline"))
    section += [note, archive_link, nodes.paragraph("", "近日，研讨会在北京举办。")]
    doc += section
    page = doc.pformat()
    with search.without_interface(doc) as read:
        assert read.astext().split() == ["1.", "Peking", "University", "Releases", "Report", "A", "headline",
                                         "近日，研讨会在北京举办。"]
    # the page itself keeps what it shows, each node in its place
    assert doc.pformat() == page
    assert GAP_TEXT[("zh", "headline")] in doc.astext() and GAP_TEXT[("zh", "body")] in doc.astext()


def test_the_scripts_skip_the_interface_classes_the_index_skips():
    # panda.js highlights outside them; panda-search.js reads them from the search page (data-panda-search)
    js = (ROOT / "_ext" / "panda_book" / "static" / "panda.js").read_text(encoding="utf-8")
    listed = re.search(r"var INTERFACE = \[(.*?)\];", js, re.S).group(1)
    assert tuple(re.findall(r'"([\w-]+)"', listed)) == search.INTERFACE_CLASSES


# ---- the built index ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def index(built_book) -> dict:
    text = (built_book.html / "searchindex.js").read_text(encoding="utf-8")
    return json.loads(text[text.index("(") + 1:text.rindex(")")])


def _docs(index: dict, mapping: str, term: str) -> set[str]:
    found = index[mapping].get(term, [])
    return {index["docnames"][i] for i in ([found] if isinstance(found, int) else found)}


@pytest.mark.slow
def test_every_figure_is_in_the_index_by_its_value(index):
    for figure in FIGURES.values():
        assert {"issues/001-2025-11", "data"} <= _docs(index, "terms", search.number_term(figure.value)), figure.id
    numbers = {t for t in index["terms"] if t.startswith(search.NUMBER_PREFIX)}
    assert numbers == {search.number_term(f.value) for f in FIGURES.values()}  # figures only, no other term


@pytest.mark.slow
def test_topic_pages_are_in_the_index_with_bilingual_titles(index):
    from newsletter.book import read_tags

    tags = read_tags(ROOT)
    for tag, names in tags.items():
        title = index["titles"][index["docnames"].index(f"topics/{tag}")]
        assert f'lang="zh-CN" class="bl-zh">{names["zh"]}<' in title and f'lang="en" class="bl-en">{names["en"]}<' in title
    assert "topics/chengdu" in _docs(index, "titleterms", "成都") & _docs(index, "titleterms", "chengdu")
    assert "topics/index" in index["docnames"]


@pytest.mark.slow
def test_no_gap_marker_is_indexed(index):
    for title in index["alltitles"]:
        assert not any(gap in title for gap in GAP_TEXT.values()), title
    # the issue's first story has no Chinese headline: its title is the English one alone
    assert "1. Peking University Releases Report: Mini Series Industry Sparks New Momentum for Employment" in \
        index["alltitles"]


# ---- in Chromium ------------------------------------------------------------------------------

def in_chromium(test):
    return pytest.mark.browser(pytest.mark.slow(test))


def _search(pg, query: str, mode: str = "both"):
    visit(pg, f"search.html?q={query}&lang={mode}")
    pg.locator("#search-results p.search-summary span").first.wait_for(state="attached", timeout=15000)
    pg.wait_for_function("() => !document.querySelector('#search-results h2').textContent.includes('正在搜索')")
    pg.wait_for_timeout(300)  # the snippets are fetched after the links are shown
    return pg


def _halves(pg, selector: str) -> list[tuple[str, str]]:
    """(lang, text) of each visible part of the element(s) with a text."""
    return pg.locator(selector).evaluate_all("""els => els.flatMap(el => [...el.querySelectorAll('[lang]')]
        .filter(e => e.getClientRects().length && e.innerText.trim())
        .map(e => [e.getAttribute('lang'), e.innerText.trim()]))""")


def _links(pg) -> list[str]:
    return pg.locator("#search-results ul.search > li > a").evaluate_all("as => as.map(a => a.getAttribute('href'))")


#: what a query finds, with no page shown (PandaSearch.find, the code the search page runs)
FINDS = {
    **{query: ISSUE for query in ("微短剧", "就业", "南宁", "employment", "Nanning", "就业人数", "微短剧产业", "非遗",
                                  "短剧出海", "203万", "2.03 million", "2,030,000", "2030000", "２０３万", "2.03m",
                                  "3685万", "36.85 million", "rooster")},
    **{query: "topics/chengdu.html" for query in ("成都", "Chengdu")},
    # a number no figure has is split as before: 204万 finds nothing, 2.04 million what "million" finds
    **{query: None for query in ("量子计算机", "blockchain", "成都 blockchain", "204万")},
}


@in_chromium
def test_what_each_query_finds(open_page):
    pg = _search(open_page(), "203万")
    for query, page in FINDS.items():
        found = [f"{d}.html" for d in pg.evaluate("q => PandaSearch.find(q)", query)]
        if page is None:
            assert found == [], (query, found)
        else:
            assert page in found, (query, found)
        if query.replace(",", "").startswith(("203", "2.03", "２０３")):  # a figure: its issue and the data page
            assert sorted(found) == ["data.html", ISSUE], (query, found)
    assert pg.evaluate("PandaSearch.find('rooster')") == [ISSUE.removesuffix(".html")]  # one page
    # the number forms the links carry and the snippets show are the figure records' (babel's)
    for figure in FIGURES.values():
        forms = pg.evaluate("v => PandaSearch.numberForms(v)", figure.value)
        assert format_zh(figure.value) in forms and format_en(figure.value) in forms, (figure.id, forms)
        assert pg.evaluate("v => PandaSearch.numberTerm(v)", figure.value) == search.number_term(figure.value)
    clean(pg)


MESSAGES = {
    "rooster": ("找到 1 个相关页面。", "Found 1 page."),
    "2.03 million": ("找到 2 个相关页面。", "Found 2 pages."),
    "成都 blockchain": ("没有找到相关页面。请检查拼写，或换个词再试。",
                        "Your search did not match any page. Check the spelling, or try other words."),
}


@in_chromium
@pytest.mark.parametrize("mode", MODES)
def test_the_message_counts_in_the_modes_language(open_page, mode):
    pg = open_page(DESKTOP)
    for query, (zh, en) in MESSAGES.items():
        _search(pg, query, mode)
        want = [["zh-CN", zh]] * (mode != "en") + [["en", en]] * (mode != "zh")
        assert _halves(pg, "#search-results p.search-summary") == want, query
        # the heading (the theme hides it: the page's own is its <h1>) is a bilingual label too
        assert pg.locator("#search-results h2 [lang]").evaluate_all(
            "els => els.map(e => [e.getAttribute('lang'), e.className, e.textContent])") == [
            ["zh-CN", "bl-zh", "搜索结果"], ["en", "bl-en", "Search results"]]
        assert pg.locator("#search-results p.search-summary").get_attribute("role") == "status"
        assert "${" not in pg.locator("#search-results").inner_text()
        for lang, text in _halves(pg, "#search-results li"):  # titles and snippets: each in a shown language
            assert lang in SHOWN[mode], (lang, text)
        assert pg.locator("#search-results ul.search > li").count() == (int(zh[3]) if zh.startswith("找到") else 0)
        if query == "2.03 million":  # a number: its issue's sentence in each language, the figure highlighted
            issue = pg.locator("#search-results ul.search > li", has=pg.locator(f'a[href^="{ISSUE}"]'))
            marked = issue.locator("p.context span.highlighted").evaluate_all(
                "els => els.filter(e => e.getClientRects().length).map(e => e.textContent)")
            assert marked == ["203万"] * (mode != "en") + ["2.03 million"] * (mode != "zh"), marked
            href = issue.locator("a").first.get_attribute("href")
            assert sorted(parse_qs(urlsplit(href).query)["hl"]) == sorted(["203万", "2.03 million", "2,030,000"])
    clean(pg)


@in_chromium
@pytest.mark.parametrize(("mode", "query", "dark"), [("both", "成都", True), ("zh", "成都", False),
                                                     ("en", "Chengdu", True)])
def test_a_topic_page_is_found_with_clean_bilingual_snippets(open_page, mode, query, dark):
    pg = open_page(bypass_csp=True)  # for axe's script (tests/test_csp.py holds the search page to its policy)
    if dark:
        pg.emulate_media(color_scheme="dark")
    _search(pg, query, mode)
    links = _links(pg)
    assert any(h.startswith("topics/chengdu.html") for h in links), links
    assert len(links) == len({urlsplit(h).path for h in links})  # each page once
    snippets = pg.locator("#search-results p.context")
    assert snippets.count() >= len(links)
    for lang, text in snippets.evaluate_all("ps => ps.filter(p => p.getClientRects().length)"
                                            ".map(p => [p.getAttribute('lang'), p.textContent])"):
        assert lang in SHOWN[mode], (lang, text)
        assert not any(bad in text for bad in INTERFACE_TEXT), text
        assert "·" not in text, text  # no separator of a bilingual label
    marked = {t.lower() for t in pg.locator("#search-results span.highlighted").evaluate_all(
        "els => els.map(e => e.textContent)")}
    assert marked == {query.lower()}, marked
    # the results, their marks (the text's colour on the theme's mark, dark mode too) and labels pass axe
    pg.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    assert pg.evaluate("""async () => (await axe.run(document, {resultTypes: ['violations']}))
        .violations.filter(v => ['serious', 'critical'].includes(v.impact)).map(v => v.id)""") == []
    clean(pg)


@in_chromium
def test_the_home_page_snippet_holds_no_interface_text(open_page):
    pg = _search(open_page(), "PANDA", "both")
    home = pg.locator("#search-results ul.search > li", has=pg.locator('a[href^="index.html"]'))
    text = home.locator("p.context").all_inner_texts()
    assert text and not any(bad in t for t in text for bad in INTERFACE_TEXT), text
    clean(pg)


@in_chromium
@pytest.mark.parametrize("mode", MODES)
def test_only_terms_that_matched_are_highlighted_on_the_next_page(open_page, mode):
    pg = _search(open_page(), "成都 rooster", mode)
    # only the issue holds both words (the topic page 成都 alone), and its link carries them
    assert _links(pg) == [ISSUE + "?hl=%E6%88%90%E9%83%BD&hl=rooster"]
    with pg.expect_navigation():
        pg.locator(f'#search-results ul.search a[href^="{ISSUE}"]').click()
    pg.wait_for_load_state("networkidle")
    pg.wait_for_function("() => !location.search.includes('hl=')", timeout=5000)  # shown, then off the address
    marked = pg.locator("article span.highlighted").evaluate_all(
        "els => els.filter(e => e.getClientRects().length).map(e => e.textContent.toLowerCase())")
    assert marked and set(marked) <= {"成都", "rooster"}, marked
    assert pg.locator(".bl-gap span.highlighted, .bl-tags span.highlighted, button span.highlighted").count() == 0
    # a search that finds nothing highlights nothing on the page opened next, nor do Sphinx's stored terms
    _search(pg, "成都 blockchain", mode)
    assert pg.locator("#search-results ul.search li").count() == 0
    assert pg.evaluate("localStorage.getItem('sphinx_highlight_terms')") is None
    pg.evaluate("localStorage.setItem('sphinx_highlight_terms', '成都')")  # as an older search page left it
    visit(pg, ISSUE)
    pg.wait_for_timeout(100)  # Sphinx highlights 10 ms after the page is ready
    assert pg.locator("span.highlighted").count() == 0
    clean(pg)


@in_chromium
def test_search_on_a_phone(open_page):
    pg = _search(open_page(PHONE), "203万", "zh")
    assert visible_texts(pg, "#search-results p.search-summary") == ["找到 2 个相关页面。"]
    assert pg.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
    box = pg.locator("#search-results ul.search > li").first.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    clean(pg)


