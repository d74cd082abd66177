"""Bad input fails the build with the file, the line and the fix.

Each case is a throwaway copy of the book, with the template issue broken one way.
"""

from __future__ import annotations

import pytest

from .conftest import ROOT, build, make_book

pytestmark = pytest.mark.slow

NAME = "001-2025-11.md"
PATH = f"issues/{NAME}"


def template() -> str:
    return (ROOT / "templates" / "issue.md").read_text(encoding="utf-8").replace("ISSUE_FILE", NAME)


def line_of(text: str, needle: str) -> int:
    return text.splitlines().index(needle) + 1


def test_template_issue_builds(tmp_path):
    result = build(make_book(tmp_path, template()))
    assert result.returncode == 0, result.output[-4000:]
    html = (result.html / "issues" / "001-2025-11.html").read_text(encoding="utf-8")
    assert html.count('<section class="story"') == 2
    assert "<figure" in html and 'alt="条形图' in html and 'alt="Bar chart' in html
    # the first story pairs its paragraphs, so wide screens line them up
    first = html[html.index('id="story-first-story"'):html.index('id="story-second-story"')]
    assert 'class="bl-pair bl-aligned"' in first


def test_bad_search_word_list_fails_with_line(tmp_path):
    book = make_book(tmp_path, template())
    terms = book / "search" / "zh-terms.txt"
    terms.write_text(terms.read_text(encoding="utf-8") + "微短剧 很多\n", encoding="utf-8")
    line = len(terms.read_text(encoding="utf-8").splitlines())
    result = build(book)
    assert result.returncode != 0
    assert f"search/zh-terms.txt:{line}:" in result.output
    assert "one word per line" in result.output


CASES = {
    # name: (text to replace, replacement, line the message must name, words it must say)
    "unpaired story": (":::{en}\n:headline: English headline\n\nFirst English paragraph: the project created "
                       "about 300 jobs.\n\nSecond English paragraph: 100 of them are direct jobs.\n:::\n", "",
                       "::::{story} first-story", ["no English block", ":gap: all"]),
    "bilingual label without both halves": ("# {bi}`第0期 | Issue 0`", "# {bi}`第0期 Issue 0`",
                                            "# {bi}`第0期 Issue 0`", ["{bi} needs 'Chinese | English'"]),
    "chart in one language only": ("employment_chart(figures)\n```", 'employment_chart(figures, lang="zh")\n```',
                                   'employment_chart(figures, lang="zh")', ["no partner", "ChartPair"]),
    "raising chart cell": ("employment_chart(figures)\n```", 'employment_chart(figures, direct="nope")\n```',
                           'employment_chart(figures, direct="nope")', ["KeyError", "Fix the cell"]),
    "Chinese label without CJK font": (
        "employment_chart(figures)\n```", 'employment_chart(figures, rc={"font.sans-serif": ["DejaVu Sans"]})\n```',
        'employment_chart(figures, rc={"font.sans-serif": ["DejaVu Sans"]})', ["missing from font"]),
    "unclosed directive": ("English text that covers part of the Chinese.\n:::\n::::\n",
                           "English text that covers part of the Chinese.\n:::\n",
                           "::::{story} second-story", ["never closed"]),
    "numbers that disagree": ("the project created about 300 jobs.", "the project created about 3000 jobs.",
                              "中文第一段：该项目带动就业约300人。",
                              ["300 in Chinese has no English counterpart; the English says 3000 (3,000)"]),
    "bad figure record": ("  value: 100\n", "  value: one hundred\n", "  value: one hundred", ["not a number"]),
}


@pytest.mark.parametrize("case", CASES)
def test_bad_input_fails_with_file_line_and_fix(case, tmp_path):
    old, new, at, words = CASES[case]
    text = template()
    assert old in text
    text = text.replace(old, new, 1)
    result = build(make_book(tmp_path, text))
    assert result.returncode != 0
    assert f"{PATH}:{line_of(text, at)}:" in result.output, result.output[-3000:]
    for word in words:
        assert word in result.output
