"""Sources as data: ``sources.yml`` (newsletter/book.py), the rule ``sources`` (newsletter/rules.py), the source
line, tables and captions drawn from it (_ext/panda_book/directives/sources.py), and what the reader gets.

The registry and the rule are tried in process on the model (fast); the drawing on the small book of
tests/roots/ built in process (no notebook runs); the reader's view in Chromium on the real book.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from newsletter.book import SOURCES, BookError, read_sources
from newsletter.model import parse_issue
from newsletter.rules import RULES, Page, page_findings

from .browsing import ISSUE, visible_texts, visit
from .conftest import ROOT

ROOTS = Path(__file__).parent / "roots"


def write_registry(tmp_path: Path, text: str) -> Path:
    (tmp_path / SOURCES).write_text(text, encoding="utf-8")
    return tmp_path


GOOD = "- name_zh: 人民网\n  name_en: People's Daily Online\n  url: http://www.people.com.cn/\n"


# ---- the registry ---------------------------------------------------------------------------

def test_the_books_registry_lists_every_source_its_issues_cite():
    sources = read_sources(ROOT)
    cited = set()
    for path in sorted((ROOT / "issues").glob("*.md")):
        issue = parse_issue(path.read_text(encoding="utf-8"))
        cited |= {story.options["source"][1].strip() for story in issue.stories.values()}
        fence = issue.figures
        cited |= set(re.findall(r"^  source: (.+)$", fence.content, re.M)) if fence else set()
    assert cited == {"人民网", "绍兴网", "广西日报-广西云"}
    assert cited <= set(sources)
    people = sources["人民网"]
    assert (people.name("zh"), people.name("en")) == ("人民网", "People's Daily Online")
    assert (people.home("zh"), people.home("en")) == ("http://www.people.com.cn/", "http://en.people.cn/")
    for source in sources.values():
        assert not re.search(r"[\u4e00-\u9fff]", source.name_en), source  # English: the English side shows it
        assert source.home("en") == (source.url_en or source.url)
    # each name's origin is said in a comment above it (official name, or a plain rendering said so)
    text = (ROOT / SOURCES).read_text(encoding="utf-8")
    for name in sources:
        comment = text[:text.index(f"- name_zh: {name}\n")].rstrip().rsplit("\n\n", 1)[-1]
        assert comment.startswith(f"# {name}:") and re.search(r"own English name|plain rendering", comment), comment


#: (registry text, the line named, words of the message)
BAD = {
    "not YAML": ("- name_zh: 人民网\n  name_en: [People\n  url: http://x.cn/\n", 2,
                 ["not valid YAML", "fix the indentation or quoting"]),
    "a mapping, not a list": ("人民网: {name_en: People's Daily Online}\n", 1,
                              ["must be a list of outlets", "- name_zh: 人民网"]),
    "an outlet that is not a mapping": (GOOD + "- 绍兴网\n", 4, ["each outlet is a mapping"]),
    "no English name": ("- name_zh: 人民网\n  url: http://www.people.com.cn/\n", 1,
                        ["this outlet has no name_en", "its own English name, or a plain rendering"]),
    "an empty name": (GOOD.replace("People's Daily Online", "''"), 2, ["name_en must be text, not empty"]),
    "a name YAML reads as a number": (GOOD.replace("People's Daily Online", "2025"), 2,
                                      ["name_en must be text", "quote it"]),
    "a Chinese English name": (GOOD.replace("People's Daily Online", "人民网"), 2,
                               ["name_en '人民网' holds Chinese", "the outlet's own English name"]),
    # the attack review: Chinese beyond the basic block passed as an English name
    "an English name in ideographs of plane 2": (GOOD.replace("People's Daily Online", "𠀀 Net"), 2,
                                                 ["holds Chinese"]),
    "an English name of a Kangxi radical": (GOOD.replace("People's Daily Online", "⼈ Daily"), 2, ["holds Chinese"]),
    "an address that runs script": (GOOD.replace("http://www.people.com.cn/", "javascript:alert(1)"), 3,
                                    ["url 'javascript:alert(1)' is not a home page address", "https://"]),
    "an address that breaks out of its attribute": (GOOD.replace("cn/", 'cn/"onmouseover="x'), 3,
                                                    ["is not a home page address", "without spaces or quotes"]),
    "an unknown field": (GOOD + "  homepage: http://x.cn/\n", 4, ["unknown field 'homepage'", "url_en"]),
    "an outlet listed twice": (GOOD + GOOD, 4, ["'人民网' is already listed at line 1", "list each outlet once"]),
}


@pytest.mark.parametrize("case", BAD)
def test_a_malformed_registry_names_its_line_and_the_fix(case, tmp_path):
    text, line, words = BAD[case]
    with pytest.raises(BookError) as caught:
        read_sources(write_registry(tmp_path, text))
    assert (Path(caught.value.path).name, caught.value.line) == (SOURCES, line), caught.value
    assert all(w in caught.value.message for w in words), caught.value.message


def test_a_book_without_a_registry_is_told_to_make_one(tmp_path):
    with pytest.raises(BookError, match="sources.yml is missing.*create it with one entry per outlet"):
        read_sources(tmp_path)


def test_the_validator_names_a_malformed_registry_once(tmp_path):
    from newsletter.rules import book_findings

    shutil.copy(ROOT / "_toc.yml", tmp_path / "_toc.yml")
    write_registry(tmp_path, GOOD.replace("http://www.people.com.cn/", "www.people.com.cn"))
    found = [f for f in book_findings(tmp_path, strict=False)[0] if f.path == SOURCES]
    assert [(f.line, "not a home page address" in f.message) for f in found] == [(3, True)]


# ---- the rule, on the model -------------------------------------------------------------------

def template_page(text: str | None = None) -> Page:
    text = text or (ROOT / "templates" / "issue.md").read_text(encoding="utf-8")
    return Page(text, "issues/x.md", sources=read_sources(ROOT), is_issue=True)


def source_errors(page: Page) -> list[tuple[int, str]]:
    return [(f.line, f.message) for f in page_findings(page, RULES) if "sources.yml" in f.message]


def test_the_template_cites_listed_sources():
    assert source_errors(template_page()) == []


def test_a_figure_record_citing_an_unlisted_source_is_named_at_its_line():
    text = (ROOT / "templates" / "issue.md").read_text(encoding="utf-8").replace("  source: 人民网\n",
                                                                                "  source: 新华网\n", 1)
    line = text.split("\n").index("  source: 新华网") + 1
    assert source_errors(template_page(text)) == [
        (line, "figure 'total_jobs' cites source '新华网', which sources.yml does not list; add it to sources.yml "
               "with name_zh, name_en and url (its home page), or use one of: 人民网, 绍兴网, 广西日报-广西云")]


def test_without_a_registry_the_rule_leaves_it_to_the_registrys_own_error():
    page = template_page()
    assert source_errors(Page(page.text.replace("人民网", "新华网"), page.path, sources=None, is_issue=True)) == []


# ---- the drawing, in the small book built in process ---------------------------------------------

def _build(book: Path):
    import sys
    from io import StringIO

    from sphinx.testing.util import SphinxTestApp

    sys.path.insert(0, str(ROOT / "_ext"))
    app = SphinxTestApp("html", srcdir=book, status=StringIO(), warning=StringIO(), freshenv=True)
    try:
        app.build()
    finally:
        app.cleanup()


def test_the_source_line_names_the_outlet_in_each_language_and_links_its_home_page(tmp_path):
    from bs4 import BeautifulSoup

    book = tmp_path / "book"
    shutil.copytree(ROOTS / "test-issue", book)
    registry = book / SOURCES
    # names are data: HTML in them is printed as text
    registry.write_text(registry.read_text(encoding="utf-8").replace("name_en: Xinhuanet", "name_en: <i>Xinhua</i>"),
                        encoding="utf-8")
    _build(book)
    page = BeautifulSoup((book / "_build" / "html" / "issues" / "001-2025-11.html").read_text(encoding="utf-8"),
                         "html.parser")
    # (the small book keeps docutils' smart quotes, which the book's _config.yml turns off)
    lines = {(p.find_parent(class_="bl-block")["lang"], p.get_text().replace("’", "'")): p.find("a")
             for p in page.select("section.story .bl-source")}
    assert list(lines) == [("zh-CN", "来源：人民网"), ("en", "Source: People's Daily Online"),
                           ("zh-CN", "来源：新华网"), ("en", "Source: <i>Xinhua</i>")]
    links = [(a["href"], a["lang"], a["rel"], a["class"]) for a in lines.values()]
    assert links == [("http://www.people.com.cn/", "zh-CN", ["noopener"], ["bl-source-link"]),
                     ("http://en.people.cn/", "en", ["noopener"], ["bl-source-link"]),
                     ("http://www.news.cn/", "zh-CN", ["noopener"], ["bl-source-link"]),
                     ("http://www.news.cn/", "en", ["noopener"], ["bl-source-link"])]
    assert not page.select("section.story i")


def test_a_malformed_registry_stops_the_build_before_reading(tmp_path):
    from sphinx.errors import SphinxError

    book = tmp_path / "book"
    shutil.copytree(ROOTS / "test-issue", book)
    (book / SOURCES).write_text(GOOD + GOOD, encoding="utf-8")
    with pytest.raises(SphinxError, match=r"sources\.yml:4: '人民网' is already listed at line 1; list each outlet") as caught:
        _build(book)
    # the build stopped while Sphinx was being set up, so nothing closed the build folder's lock (staging.py keeps
    # it until the process ends): closed here, or a later test on this worker fails on its ResourceWarning
    tb = caught.tb
    while tb is not None:
        state = getattr(tb.tb_frame.f_locals.get("self"), "panda_run_state", None)
        if state is not None and state.lock is not None:
            state.lock.close()
        tb = tb.tb_next


# ---- what the reader gets ----------------------------------------------------------------------

@pytest.mark.browser
@pytest.mark.slow
def test_the_reader_sees_the_source_in_the_chosen_language_linked_to_its_home_page(open_page):
    from .browsing import DESKTOP, clean

    seen = {}
    for mode, code in (("en", "en"), ("zh", "zh-CN")):
        pg = visit(open_page(DESKTOP), f"{ISSUE}?lang={mode}")
        lines = visible_texts(pg, ".story .bl-source")
        links = pg.locator(".story .bl-source a").evaluate_all(
            "as => as.filter(a => a.getClientRects().length).map(a => [a.innerText, a.href, a.lang, a.rel])")
        # the {figures} table and the chart captions: only this side's name shows
        cells = visible_texts(pg, "#figure-total-jobs td:last-child") + visible_texts(pg, "#chart-employment figcaption")
        seen[mode] = (lines, links, cells)
        assert all(link[2] == code and link[3] == "noopener" for link in links), links
        clean(pg)
    lines, links, cells = seen["en"]
    assert lines == ["Source: People's Daily Online", "Source: Shaoxing Net", "Source: Guangxi Daily – Guangxi Cloud",
                     "Source: People's Daily Online"]
    assert links[0][:2] == ["People's Daily Online", "http://en.people.cn/"]
    assert links[1][:2] == ["Shaoxing Net", "https://www.shaoxing.com.cn/"]
    assert cells[0] == "People's Daily Online" and "jobs. Source: People's Daily Online" in cells[1]
    lines, links, cells = seen["zh"]
    assert lines == ["来源：人民网", "来源：绍兴网", "来源：广西日报-广西云", "来源：人民网"]
    assert links[0][:2] == ["人民网", "http://www.people.com.cn/"]
    assert cells[0] == "人民网" and "。来源：人民网" in cells[1] and "Source" not in cells[1]


def test_a_topic_whose_english_name_holds_chinese_is_refused_at_its_line(tmp_path):
    from newsletter.book import read_tags

    (tmp_path / "tags.yml").write_text("chengdu: {zh: 成都, en: Chengdu}\nemployment: {zh: 就业, en: 就业 Employment}\n",
                                       encoding="utf-8")
    with pytest.raises(BookError) as caught:
        read_tags(tmp_path)
    assert caught.value.line == 2 and "holds Chinese" in caught.value.message
