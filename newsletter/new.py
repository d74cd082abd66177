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


def plan_issue(root: Path, date: str | None, *, day: bool = False) -> tuple[int, str, str, Path]:
    """The next issue's number, date, file stem (``NNN-YYYY-MM``) and path; ``date`` is a month (``day``: or a
    day, whose month names the file). The one rule of numbering and naming (``new`` and ``import``)."""
    date = date or datetime.date.today().strftime("%Y-%m")
    if not re.fullmatch(r"\d{4}-\d{2}(-\d{2})?" if day else r"\d{4}-\d{2}", date):
        raise BookError("--date", 1, f"date {date!r} must be a year and month, e.g. 2025-12"
                        + (" (or a day, 2025-12-05)" if day else ""))
    try:
        datetime.date.fromisoformat(date if len(date) == 10 else f"{date}-01")
    except ValueError:
        raise BookError("--date", 1, f"date {date!r} is not a date of the calendar (months 01-12, a day the month "
                        "has); correct it") from None
    number = next_number(root)
    stem = f"{number:03d}-{date[:7]}"
    path = root / "issues" / f"{stem}.md"
    if path.exists():
        raise BookError(path, 1, "this issue already exists; edit it, or give another --date")
    return number, date, stem, path


def fill_template(text: str, number: int, date: str, stem: str, slug: str | None = None) -> str:
    """``templates/issue.md`` (or its front matter and title) made issue ``number``'s: front matter (a day's date
    in quotes), title, source file, the figures' file and period."""
    shown = date if len(date) == 7 else f'"{date}"'
    return (text.replace("ISSUE_FILE", f"{stem}.md")
            .replace("  number: 0\n", f"  number: {number}\n" + (f"  slug: {slug}\n" if slug else ""))
            .replace("  date: 2000-01\n", f"  date: {shown}\n")
            .replace("sources/SOURCE.txt", f"sources/{stem}.txt")
            .replace("第0期 | Issue 0", f"第{number}期 | Issue {number}")
            .replace('period: "2000"', f'period: "{date[:4]}"'))


def create_issue(root: Path, date: str | None = None, slug: str | None = None) -> Path:
    """Write ``issues/NNN-YYYY-MM.md`` and its source placeholder, and list it in the toc."""
    number, date, stem, path = plan_issue(root, date)
    slug = slug or f"issue-{number}"
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug):
        raise BookError("--slug", 1, f"slug {slug!r} must be lower-case words joined by '-', e.g. nanning-filming")
    text = fill_template((root / TEMPLATE).read_text(encoding="utf-8"), number, date, stem, slug)
    path.write_text(text, encoding="utf-8")
    source = root / "sources" / f"{stem}.txt"
    if not source.exists():
        source.parent.mkdir(exist_ok=True)
        source.write_text(SOURCE_PLACEHOLDER, encoding="utf-8")
    add_to_toc(root, f"issues/{stem}")
    return path


def add_to_toc(root: Path, entry: str) -> None:
    """Insert ``- file: <entry>`` after the last issue of the toc (before the data page)."""
    (root / TOC).write_text(toc_with(root, entry), encoding="utf-8")


def toc_with(root: Path, entry: str) -> str:
    """The toc's text with ``- file: <entry>`` after its last issue (before the data page)."""
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
    return "".join(lines)
