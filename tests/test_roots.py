"""Small books under tests/roots/, built in process with ``sphinx.testing`` (no Jupyter Book, no notebooks run).

The build runs the issue format's rules (newsletter/rules.py) on every page it reads, and stops at the
first error (warnings are errors). So for each rule case of tests/test_rules.py, the error that stops
the in-process build is the validator's first finding: the same file, line and message.
"""

from __future__ import annotations

import shutil
import sys
from io import StringIO
from pathlib import Path

import pytest
from sphinx.errors import SphinxWarning
from sphinx.testing.util import SphinxTestApp

from newsletter.book import read_sources, read_tags
from newsletter.rules import RULES, Page, page_findings

from .test_rules import CASES

ROOTS = Path(__file__).parent / "roots"
sys.path.insert(0, str(ROOTS.parents[1] / "_ext"))  # the extension, where _config.yml's local_extensions finds it
ISSUE = "issues/001-2025-11.md"


def copy_root(tmp_path: Path, name: str = "test-issue") -> Path:
    book = tmp_path / name
    shutil.copytree(ROOTS / name, book)
    return book


def build(book: Path) -> tuple[str | None, str]:
    """Build the book in process: (the error that stopped it, or None; the status output)."""
    status, warning = StringIO(), StringIO()
    app = SphinxTestApp("html", srcdir=book, status=status, warning=warning, freshenv=True)
    try:
        app.build()
        return None, status.getvalue()
    except SphinxWarning as exc:
        return str(exc), status.getvalue()
    finally:
        app.cleanup()


def validator_errors(book: Path) -> list[tuple[int, str]]:
    path = book / ISSUE
    page = Page(path.read_text(encoding="utf-8"), ISSUE, file=path, root=book, tags=read_tags(book),
                sources=read_sources(book), is_issue=True)
    return [(f.line, f.message) for f in page_findings(page, RULES) if f.level == "error"]


def test_the_root_builds_and_draws_its_stories(tmp_path):
    book = copy_root(tmp_path)
    error, status = build(book)
    assert error is None, error
    html = (book / "_build" / "html" / "issues" / "001-2025-11.html").read_text(encoding="utf-8")
    assert html.count('<section class="story"') == 2 or html.count('class="story"') >= 2
    assert 'lang="zh-CN"' in html and "No English in the source" in html
    assert validator_errors(book) == []


@pytest.mark.parametrize("case", CASES)
def test_the_build_stops_where_the_validator_points(tmp_path, case):
    old, new, _at, _words = CASES[case]
    book = copy_root(tmp_path)
    path = book / ISSUE
    text = path.read_text(encoding="utf-8")
    assert old in text, case
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    expected = validator_errors(book)
    assert expected, f"{case}: the validator finds nothing"
    error, _status = build(book)
    assert error is not None, f"{case}: the build passed"
    line, message = expected[0]
    assert f"{ISSUE}:{line}:" in error and message in error, (expected[0], error)


#: roads by which content could reach a page, which the rules refuse first; with the rules that see them off,
#: the doctree gate (rules/gate.py) must stop each: (new text for "中文正文。", the line's start, words)
GATE_ROADS = {
    "a {raw} block": ("中文正文。\n\n```{raw} html\n<script>alert(1)</script>\n```", "```{raw} html",
                      ["raw HTML <script> is not allowed in an issue"]),
    "{eval-rst} with raw HTML": ("中文正文。\n\n```{eval-rst}\n.. raw:: html\n\n   <script>alert(1)</script>\n```",
                                 ".. raw:: html", ["raw HTML <script> is not allowed in an issue"]),
    "{eval-rst} with a script in a link": ("中文正文。\n\n```{eval-rst}\nSee `this <javascript:alert(1)>`_.\n```",
                                           "See `this", ["uses 'javascript:'", "only https://"]),
    "a system file printed by literalinclude": (
        "中文正文。\n\n```{literalinclude} ../../../../../../../../etc/passwd\n```", "```{literalinclude}",
        ["'/etc/passwd' is outside the book"]),
    "an inline event handler": ("中文正文 <img src=x onerror=alert(1)> 。", "中文正文 <img",
                                ["raw HTML <img> is not allowed in an issue"]),
}


@pytest.mark.parametrize("road", GATE_ROADS)
def test_the_doctree_gate_stops_each_road_behind_the_rules(tmp_path, monkeypatch, road):
    import newsletter.rules as rules

    monkeypatch.setattr(rules, "RULES", rules.page_rules)  # structure only: no raw HTML, images or numbers
    new, start, words = GATE_ROADS[road]
    book = copy_root(tmp_path)
    path = book / ISSUE
    text = path.read_text(encoding="utf-8").replace("中文正文。", new, 1)
    path.write_text(text, encoding="utf-8")
    line = next(i for i, at in enumerate(text.splitlines(), 1) if at.startswith(start))
    error, _status = build(book)
    assert error is not None, f"{road}: the build passed with the rules off"
    assert f"{ISSUE}:{line}:" in error and all(w in error for w in words), error


def test_a_block_the_rules_let_through_is_never_dropped_in_silence(tmp_path, monkeypatch):
    # the directives only draw what the rules passed; should the rules ever miss a story without its English
    # block, the directive says the model and the page disagree instead of leaving the story out
    import newsletter.rules as rules

    monkeypatch.setattr(rules, "RULES", ())
    monkeypatch.setattr(rules, "page_rules", ())
    book = copy_root(tmp_path)
    path = book / ISSUE
    text = path.read_text(encoding="utf-8")
    english = ":::{en}\n:headline: English headline\n\nEnglish text.\n:::\n"
    assert english in text
    path.write_text(text.replace(english, "", 1), encoding="utf-8")
    error, _status = build(book)
    assert error is not None and "does not hold exactly one {zh} and one {en} block" in error, error
    assert "rules (python -m newsletter validate) found nothing wrong here" in error
