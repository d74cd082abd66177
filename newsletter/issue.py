"""An issue's stories and front matter, from its model (:mod:`newsletter.model`), with file lines.

For checks that must run fast and without Sphinx (the number checker, the
validator). The front matter is read with libyaml, once per process.
"""

from __future__ import annotations

import datetime
import functools
import os
import re
from pathlib import Path

import yaml

from .book import issue_files
from .errors import yaml_problem
from .model import Block, Story, parse_issue, split_tags  # noqa: F401  (re-exported)

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@functools.lru_cache(maxsize=4096)
def _front_yaml(block: str):
    """A front matter block, parsed once per process (the build checks each issue's three times).

    The result is shared: callers read it and never change it.
    """
    return yaml.load(block, Loader=_LOADER)  # libyaml: the build reads every issue's front matter

def read_stories(text: str) -> dict[str, Story]:
    """The stories of an issue by id, in order (from the issue's model, :mod:`newsletter.model`)."""
    return parse_issue(text).stories


def read_front_matter(text: str) -> dict:
    """The YAML front matter of an issue ({} if it has none or it is not a mapping)."""
    match = re.match(r"^---\n(.*?)\n---\s*\n", text, re.S)
    if not match:
        return {}
    try:
        data = _front_yaml(match.group(1))
    except (yaml.YAMLError, ValueError):  # ValueError: a date that does not exist (2025-11-31)
        return {}
    return data if isinstance(data, dict) else {}


@functools.lru_cache(maxsize=256)
def _front_matter_keys(text: str) -> tuple[dict[str, int], tuple[tuple[int, str, int], ...]]:
    """The file line of each key of the front matter (nested keys dotted), and each key written again in the
    same mapping: (its line, dotted name, the line of the first), read from the YAML node tree."""
    match = re.match(r"^---\n(.*?)\n---\s*\n", text, re.S)
    try:
        root = yaml.compose(match.group(1), Loader=_LOADER) if match else None
    except yaml.YAMLError:
        return {}, ()
    lines: dict[str, int] = {}
    repeated: list[tuple[int, str, int]] = []

    def walk(node, prefix: str) -> None:
        if isinstance(node, yaml.MappingNode):
            here: dict[str, int] = {}
            for key, value in node.value:
                name = f"{prefix}{key.value}"
                line = key.start_mark.line + 2  # the block starts on the file's second line
                if name in here:
                    repeated.append((line, name, here[name]))
                here.setdefault(name, line)
                lines.setdefault(name, line)
                walk(value, name + ".")

    walk(root, "")
    return lines, tuple(repeated)


def front_matter_lines(text: str) -> dict[str, int]:
    """The file line of each key of the front matter, nested keys dotted (``issue.number``), read from the YAML
    node tree (the first, where a key is written twice); {} where the front matter is missing or does not parse
    (front_matter_problem says why)."""
    return _front_matter_keys(text)[0]


def front_matter_repeats(text: str) -> list[tuple[int, str]]:
    """Each key written a second time in the same mapping of the front matter: (its line, message with the fix).
    YAML keeps the last silently ('draft: true' then 'draft: false' publishes the issue), so a repeat is refused."""
    out = []
    for line, name, first in _front_matter_keys(text)[1]:
        parent, _, key = name.rpartition(".")
        where = f"under '{parent}:'" if parent else "in the front matter"
        out.append((line, f"'{key}:' is written a second time {where} (first at line {first}); YAML would keep only "
                          f"this one and ignore line {first}: remove one of the two lines"))
    return out


def front_matter_problem(text: str) -> tuple[int, str] | None:
    """Where and why an issue's front matter cannot be read: (line, message with the fix), or None."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return 1, ("the issue does not start with its front matter; the first line must be '---', followed by "
                   "the block of templates/issue.md (jupytext, kernelspec, issue: number, date, source_file) and '---'")
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
    if end is None:
        return 1, "the front matter opened here is never closed; add a line '---' after its last line (source_file)"
    try:
        data = _front_yaml("\n".join(lines[1:end]))
    except yaml.YAMLError as exc:
        line, problem = yaml_problem(exc)
        return line + 2, (f"the front matter is not valid YAML ({problem}); fix the indentation or quoting "
                          "(compare templates/issue.md)")
    except ValueError as exc:  # YAML reads 2025-11-31 as a date, and no such day exists
        for number in range(2, end + 1):
            found = re.search(r":\s*['\"]?(\d{4}-\d{2}-\d{2})\b", lines[number - 1])
            if found:
                try:
                    datetime.date.fromisoformat(found.group(1))
                except ValueError:
                    return number, (f"{found.group(1)!r} is not a date of the calendar ({exc}); correct it")
        return 1, f"the front matter holds a value that cannot be read ({exc}); correct it"
    if not isinstance(data, dict):
        return 2, "the front matter must be 'key: value' lines (compare templates/issue.md)"
    return None


def issue_datetime(meta: dict) -> datetime.datetime:
    """The issue's date (front matter ``date: 2025-11`` or ``2025-11-28``), as midnight UTC."""
    text = str(meta.get("date", "1970-01"))
    parts = [int(p) for p in text.split("-")] + [1, 1]
    day = parts[2] if len(text.split("-")) > 2 else 1
    return datetime.datetime(parts[0], parts[1], day, tzinfo=datetime.timezone.utc)


_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")


def issue_date_labels(meta: dict) -> tuple[str, str, str]:
    """The issue's date as each language writes it, and as ISO for ``<time datetime>``: ``2025-11`` gives
    2025年11月 / November 2025; ``2025-11-08`` gives 2025年11月8日 / November 8, 2025 (no day is invented)."""
    text = str(meta.get("date", ""))
    parts = text.split("-")
    if len(parts) < 2 or not all(p.isdigit() for p in parts):
        return text, text, text
    year, month = int(parts[0]), int(parts[1])
    if len(parts) > 2:
        day = int(parts[2])
        return f"{year}年{month}月{day}日", f"{_MONTHS[month - 1]} {day}, {year}", text
    return f"{year}年{month}月", f"{_MONTHS[month - 1]} {year}", text


# ---- drafts and scheduled issues ------------------------------------------------------------------------------

#: the environment variable that sets today's date (tests; a look at a day to come): YYYY-MM-DD
TODAY_ENV = "PANDA_TODAY"


def today(environ=None) -> datetime.date:
    """Today's date in UTC, or ``PANDA_TODAY`` (YYYY-MM-DD) when it is set; a bad value raises ValueError."""
    environ = os.environ if environ is None else environ
    given = (environ.get(TODAY_ENV) or "").strip()
    if not given:
        return datetime.datetime.now(datetime.timezone.utc).date()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", given):
            return datetime.date.fromisoformat(given)
    except ValueError:
        pass
    raise ValueError(f"{TODAY_ENV}={given!r} is not a day; write it as YYYY-MM-DD (e.g. {TODAY_ENV}=2026-12-09), "
                     "or unset it to take today's date from the clock")


def publication_day(meta: dict) -> datetime.date | None:
    """The day an issue is published, when its date gives one (``"2026-12-09"``); None for a month
    (``2026-12``), which is never held back, or a date that does not read."""
    text = str(meta.get("date", ""))
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        return None


def unpublished(meta: dict, day: datetime.date) -> dict | None:
    """Why an issue is not published on ``day``: ``{"draft": bool, "until": "YYYY-MM-DD" or None}``, or None
    when it is published. A draft is any ``draft:`` but false (the rules refuse anything but true or false);
    an issue dated a day after ``day`` waits until that day."""
    draft = meta.get("draft", False) is not False
    when = publication_day(meta)
    until = when.isoformat() if when is not None and when > day else None
    return {"draft": draft, "until": until} if draft or until else None


@functools.lru_cache(maxsize=4096)
def _issue_meta(path: str, _version: tuple[int, int]) -> dict | None:
    try:
        meta = read_front_matter(Path(path).read_text(encoding="utf-8")).get("issue")
    except (OSError, UnicodeDecodeError):
        return None  # (the book's checks report it with the fix)
    return meta if isinstance(meta, dict) else None


def issue_metas(root: Path) -> list[tuple[Path, dict]]:
    """Each issue file of the book with its front matter's ``issue:`` mapping (those that read), each version of a
    file read once: the build reads them for the issues it leaves out and for its date, the validator for links."""
    out = []
    for path in issue_files(root):
        try:
            st = path.stat()
        except OSError:
            continue
        meta = _issue_meta(str(path), (st.st_mtime_ns, st.st_size))
        if meta is not None:
            out.append((path, dict(meta)))  # a copy: the cached one stays as the file has it
    return out


def unpublished_issues(root: Path, day: datetime.date) -> dict[str, dict]:
    """Every issue of the book not published on ``day``, by document name (``issues/002-2026-12``):
    ``{"file", "date", "draft", "until"}``, read from the front matter of ``issues/*.md``."""
    out: dict[str, dict] = {}
    for path, meta in issue_metas(root):
        why = unpublished(meta, day)
        if why:
            rel = path.relative_to(root).as_posix()
            out[rel.removesuffix(".md")] = {"file": rel, "date": str(meta.get("date", "")), **why}
    return out


def link_to_unpublished(target: str, entry: dict) -> str:
    """The message for a link to ``target``, an issue the published book leaves out (an entry of
    :func:`unpublished_issues`), with the fix: the rules' and the build's one wording."""
    file = entry["file"]
    if entry["draft"]:
        why = (f"is a draft (draft: true), which the published book leaves out: remove the link, or publish {file} "
               "first (delete its 'draft: true' line)")
    else:
        until = entry["until"]
        why = (f"is held back until {until} (its date), so the published book leaves it out until that day: remove "
               f"the link, or publish {file} first (add the link on or after {until}, or give that issue an earlier "
               "date)")
    return f"this page links to {target!r}, but {file} {why}"


def unpublished_line(entry: dict, day: datetime.date, preview: bool) -> str:
    """One line of the build's output about an issue it leaves out (or, in preview, builds with a banner)."""
    if entry["draft"]:
        what = "a draft (draft: true)"
        what += ", built for preview with its 草稿 · Draft banner" if preview else ", left out until 'draft: true' goes"
        if entry["until"]:
            what += f"; dated {entry['until']}, after today"
        return f"{entry['file']}, date {entry['date']}: {what}"
    if preview:
        return (f"{entry['file']}, date {entry['date']}: scheduled for {entry['until']} (today is {day.isoformat()}), "
                "built for preview with its 定时发布 · Scheduled banner")
    return f"{entry['file']}, date {entry['date']}: held back until {entry['until']} (today is {day.isoformat()})"
