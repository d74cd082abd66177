"""``python -m newsletter validate``: what a reviewer would check, fast, without building.

Files named by the rule, UTF-8 without byte-order mark, front matter, toc and
files in agreement (and in order), one number and one date per issue, sources
present, stories paired with a source, headlines and text (or gap markers),
topics from ``tags.yml``, sources from ``sources.yml``, every ``:::`` block closed, no raw HTML beyond the
template's, images that exist, the card's headlines drawable, figure records
valid and the numbers of both languages consistent. Every message names the
file, the line and the fix.

The rules are :mod:`newsletter.rules`, which the build runs too: the validator
reports what the build would, before it runs.
"""

from __future__ import annotations

from pathlib import Path

from .book import BookError, read_sources, read_tags
from .check import Finding
from .issue import today, unpublished_issues
from .rules import Page, book_findings, check_notebook, page_findings


def validate(root: Path) -> list[Finding]:
    findings, texts = book_findings(root)
    try:
        tags = read_tags(root)
    except BookError as exc:
        path = Path(exc.path)
        return findings + [Finding("error", path.relative_to(root).as_posix() if path.is_absolute() else exc.path,
                                   exc.line, exc.message)]
    try:
        sources = read_sources(root)
    except BookError:
        sources = None  # (book_findings reported it, with its line)
    try:  # the issues a published build leaves out today, decided once for every page's links
        left_out = unpublished_issues(root, today())
    except ValueError:
        left_out = {}  # (a bad PANDA_TODAY: the build refuses it with the fix)
    for path, text in texts.items():
        rel = path.relative_to(root).as_posix()
        findings += page_findings(Page(text, rel, file=path, root=root, tags=tags, sources=sources, is_issue=True,
                                       left_out=left_out))
        findings += [Finding(f.level, rel, f.line, f.message) for f in check_notebook(path)]
    return findings
