"""``python -m newsletter new``: the next issue, from the template, in the toc."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

from .book import ISSUE_NAME, TOC, BookError, issue_files
from .source import SOURCE_PLACEHOLDER

TEMPLATE = "templates/issue.md"


def next_number(root: Path) -> int:
    numbers = [int(m["number"]) for p in issue_files(root) if (m := ISSUE_NAME.match(p.name))]
    return max(numbers, default=0) + 1


def create_issue(root: Path, date: str | None = None, slug: str | None = None) -> Path:
    """Write ``issues/NNN-YYYY-MM.md`` and its source placeholder, and list it in the toc."""
    date = date or datetime.date.today().strftime("%Y-%m")
    if not re.fullmatch(r"\d{4}-\d{2}", date):
        raise BookError("--date", 1, f"date {date!r} must be a year and month, e.g. 2025-12")
    number = next_number(root)
    stem = f"{number:03d}-{date}"
    path = root / "issues" / f"{stem}.md"
    if path.exists():
        raise BookError(path, 1, "this issue already exists; edit it, or give another --date")
    slug = slug or f"issue-{number}"
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug):
        raise BookError("--slug", 1, f"slug {slug!r} must be lower-case words joined by '-', e.g. nanning-filming")
    text = (root / TEMPLATE).read_text(encoding="utf-8")
    text = (text.replace("ISSUE_FILE", path.name)
            .replace("  number: 0\n", f"  number: {number}\n  slug: {slug}\n")
            .replace("  date: 2000-01\n", f"  date: {date}\n")
            .replace("sources/SOURCE.txt", f"sources/{stem}.txt")
            .replace("第0期 | Issue 0", f"第{number}期 | Issue {number}")
            .replace('period: "2000"', f'period: "{date[:4]}"'))
    path.write_text(text, encoding="utf-8")
    source = root / "sources" / f"{stem}.txt"
    if not source.exists():
        source.parent.mkdir(exist_ok=True)
        source.write_text(SOURCE_PLACEHOLDER, encoding="utf-8")
    add_to_toc(root, f"issues/{stem}")
    return path


def add_to_toc(root: Path, entry: str) -> None:
    """Insert ``- file: <entry>`` after the last issue of the toc (before the data page)."""
    toc = root / TOC
    lines = toc.read_text(encoding="utf-8").splitlines(keepends=True)
    issue_lines = [i for i, line in enumerate(lines) if re.match(r"\s*-\s*file:\s*issues/", line)]
    if issue_lines:
        at = issue_lines[-1] + 1
        indent = re.match(r"\s*", lines[issue_lines[-1]]).group(0)
    else:
        chapters = next((i for i, line in enumerate(lines) if line.startswith("chapters:")), None)
        if chapters is None:
            lines.append("chapters:\n")
            chapters = len(lines) - 1
        at, indent = chapters + 1, "  "
    lines.insert(at, f"{indent}- file: {entry}\n")
    toc.write_text("".join(lines), encoding="utf-8")
