"""The 数据 / Data page in a real browser: its filter, its story headlines, its table at 390 and 1280 px in
every mode, light and dark (axe: tests/test_reading_page.py, on every page).

One page load checks the filter and the table's contents; one context per width then loads the page in
each mode and colour scheme for the layout.
"""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from .browsing import DESKTOP, ISSUE, MODES, PHONE, clean, visible_texts, visit

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROWS = "table.bl-figures-index tbody tr"


def _headlines(built_book) -> dict[str, dict[str, str]]:
    """Each story's headline in each language, as the issue page prints it (empty where it has none)."""
    page = BeautifulSoup((built_book.html / ISSUE).read_text(encoding="utf-8"), "html.parser")
    out = {}
    for section in page.select("section.story"):
        heads = {span["lang"]: span.get_text() for span in section.find("h2").select(".bl-headline[lang]")}
        out[section["id"].removeprefix("story-")] = heads
    return out


def test_data_page_filters_rows_by_topic_and_headline_in_either_language(open_page, built_book):
    pg = visit(open_page(), "data.html")
    rows = pg.locator(ROWS)
    assert rows.count() == 12
    assert pg.locator(".bl-data-summary .bl-en").inner_text() == "12 figures from 1 issue."
    assert pg.locator(".bl-data-summary .bl-zh").inner_text() == "共1期、12项数据。"
    box, output = pg.get_by_role("searchbox"), pg.locator(".bl-filter output")

    def shown(query: str) -> list[str]:
        box.fill(query)
        texts = visible_texts(pg, ROWS)
        assert output.inner_text() == f"{len(texts)} / 12"
        return texts

    # 成都 and Chengdu are the topic (tags.yml) and in the headlines of the Chengdu story: its 4 figures
    chengdu = pg.locator(ROWS).filter(has=pg.locator("a[href$='#story-qingyang-chengdu']"))
    assert chengdu.count() == 4
    for query in ("成都", "Chengdu", "chengdu"):
        texts = shown(query)
        assert len(texts) == 4 and all("成都" in t and "Chengdu" in t for t in texts), (query, texts)
    employment = shown("就业")  # a topic of the first story, and in its metrics
    assert 0 < len(employment) < 12 and all("就业" in t for t in employment)
    assert len(shown("square metres")) == 1
    assert shown("metric") == [] and shown("topics") == []  # the cells' column names are not the rows' text
    assert len(shown("")) == 12

    # the story cell: its headline in each language, with its lang, linked to the story; never the slug
    headlines = _headlines(built_book)
    cells = pg.locator("td.bl-col-story").evaluate_all("""cells => cells.map(c => ({
        href: c.querySelector('a[href*="#story-"]').getAttribute('href'),
        text: c.innerText,
        spans: [...c.querySelectorAll('a[href*="#story-"] [lang]:not(.bl-fill-note)')]
          .map(s => [s.lang, s.textContent, s.className]),
        note: [...c.querySelectorAll('.bl-fill-note')].map(s => [s.lang, s.textContent, s.className]),
        topics: [...c.querySelectorAll('a.bl-tag')].map(a => a.getAttribute('href'))}))""")
    assert len(cells) == 12
    for cell in cells:
        story = cell["href"].split("#story-")[1]
        assert story not in cell["text"], cell
        heads = headlines[story]
        assert cell["topics"] and all(t.startswith("topics/") for t in cell["topics"])
        if heads.get("zh-CN") and heads.get("en"):
            assert cell["spans"] == [["zh-CN", heads["zh-CN"], "bl-zh"], ["en", heads["en"], "bl-en"]]
            assert cell["note"] == []
        else:  # issue 1's first story has no Chinese headline: its English one in every mode, after a note
            assert story == "pku-employment-report" and not heads.get("zh-CN")
            assert cell["spans"] == [["en", heads["en"], "bl-en bl-fill"]]
            assert cell["note"] == [["zh-CN", "英文", "bl-fill-note bl-zh"]]
            assert "原文无中文标题" not in cell["text"] and "⟨" not in cell["text"]

    pg.locator("table.bl-figures-index a[href*='#sentence-direct-jobs-en']").click()
    pg.wait_for_load_state("networkidle")
    assert pg.url.endswith("#sentence-direct-jobs-en")
    assert pg.locator("#sentence-direct-jobs-en").is_visible()
    clean(pg)


#: per mode and colour scheme: the page's width, whether the cells show their column's name, the lines of each
#: issue label ("第1期", "Issue 1") and of the issue cell, and whether the table is wider than its box
LAYOUT = """() => {
  const cells = [...document.querySelectorAll('td.bl-col-issue')];
  const shown = e => e.getClientRects().length > 0;
  const box = document.querySelector('table.bl-figures-index').parentElement;
  return {
    width: document.documentElement.scrollWidth,
    theme: document.documentElement.dataset.theme,
    labels: [...document.querySelectorAll('.bl-cell-label')].filter(shown).length,
    headers: document.querySelector('table.bl-figures-index thead').getBoundingClientRect().height,
    issueLines: cells.flatMap(c => [...c.querySelectorAll('a [lang]')].filter(shown)
      .map(s => [s.textContent, s.getClientRects().length])),
    tableOverflow: box.scrollWidth - box.clientWidth,
  };
}"""


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_data_page_layout_in_every_mode_light_and_dark(open_page, viewport):
    size = {"desktop": DESKTOP, "phone": PHONE}[viewport]
    pg = open_page(size, bypass_csp=True)  # wait_for_function evaluates a string, which the policy forbids
    for mode in MODES:
        pg.emulate_media(color_scheme="light")
        pg.goto(f"{pg.site}/data.html?lang={mode}", wait_until="load")
        for scheme in ("light", "dark"):
            pg.emulate_media(color_scheme=scheme)  # the theme follows it (its default mode is auto)
            pg.wait_for_function(f"document.documentElement.dataset.theme === '{scheme}'", timeout=5000)
            got = pg.evaluate(LAYOUT)
            where = (viewport, scheme, mode, got)
            assert got["theme"] == scheme, where
            assert got["width"] <= size["width"], where  # no sideways scrolling of the page
            labels = {"zh": ["第1期"], "en": ["Issue 1"], "both": ["第1期", "Issue 1"]}[mode]
            assert got["issueLines"] == [[label, 1] for label in labels] * 12, where  # never broken
            if viewport == "phone":  # one figure a block: each cell named by its column, the header row hidden
                assert got["labels"] == 7 * 12 and got["headers"] <= 1, where
            else:  # a table that fits the column: no scrolling inside it either
                assert got["labels"] == 0 and got["headers"] > 20 and got["tableOverflow"] <= 0, where
        # axe: tests/test_reading_page.py runs it on every page, this one too, at both widths, in every mode, in
        # light and dark (the same 5 s a run are not spent twice)
    clean(pg)
