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
    assert "<figure" in html and 'alt="条形图' in html


def _break(old: str, new: str) -> str:
    text = template()
    assert old in text
    return text.replace(old, new, 1)


def test_unpaired_story(tmp_path):
    text = _break(":::{en}\n:headline: English headline\n\nEnglish text.\n:::\n", "")
    result = build(make_book(tmp_path, text))
    assert result.returncode != 0
    line = line_of(text, "::::{story} first-story")
    assert f"{PATH}:{line}:" in result.output
    assert "no English block" in result.output and ":gap: all" in result.output


def test_raising_chart_cell(tmp_path):
    text = _break("employment_chart(figures)\n```", "employment_chart(figures, direct=\"no_such_figure\")\n```")
    result = build(make_book(tmp_path, text))
    assert result.returncode != 0
    line = line_of(text, 'employment_chart(figures, direct="no_such_figure")')
    assert f"{PATH}:{line}:" in result.output
    assert "KeyError" in result.output and "Fix the cell" in result.output


def test_chinese_label_without_cjk_font(tmp_path):
    text = _break("employment_chart(figures)\n```",
                  'employment_chart(figures, rc={"font.sans-serif": ["DejaVu Sans"]})\n```')
    result = build(make_book(tmp_path, text))
    assert result.returncode != 0
    line = line_of(text, 'employment_chart(figures, rc={"font.sans-serif": ["DejaVu Sans"]})')
    assert f"{PATH}:{line}:" in result.output
    assert "missing from font" in result.output


def test_unclosed_directive(tmp_path):
    text = _break("English text that covers part of the Chinese.\n:::\n::::\n",
                  "English text that covers part of the Chinese.\n:::\n")
    result = build(make_book(tmp_path, text))
    assert result.returncode != 0
    line = line_of(text, "::::{story} second-story")
    assert f"{PATH}:{line}:" in result.output and "never closed" in result.output


def test_bad_figure_record(tmp_path):
    text = _break("  value: 100\n", "  value: one hundred\n")
    result = build(make_book(tmp_path, text))
    assert result.returncode != 0
    line = line_of(text, "  value: one hundred")
    assert f"{PATH}:{line}:" in result.output and "not a number" in result.output
