"""The book as a whole, read without Sphinx: its issues, its toc, its topics."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from .errors import LocatedError, yaml_problem

#: the naming rule of an issue file: zero-padded number, ISO year-month
ISSUE_NAME = re.compile(r"^(?P<number>\d{3})-(?P<date>\d{4}-\d{2})\.md$")
TOC = "_toc.yml"
TAGS = "tags.yml"


class BookError(LocatedError):
    """A book-level file is wrong; names the file, the line and the fix."""


@dataclass(frozen=True)
class TocEntry:
    file: str
    line: int


def read_yaml(path: Path, text: str | None = None):
    """The YAML of ``path`` (or ``text``, read from it); an error names the line."""
    try:
        text = path.read_text(encoding="utf-8") if text is None else text
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        line, problem = yaml_problem(exc)
        raise BookError(path, line + 1, f"not valid YAML ({problem}); fix the indentation or quoting") from None


def read_tags(root: Path) -> dict[str, dict[str, str]]:
    """The controlled list of topics: {tag: {"zh": ..., "en": ...}} (read on every call, parsed once per text:
    the build asks for it on every page it reads)."""
    path = root / TAGS
    return {tag: dict(names) for tag, names in _parse_tags(path, path.read_text(encoding="utf-8"))}


@functools.lru_cache(maxsize=8)
def _parse_tags(path: Path, text: str) -> tuple[tuple[str, dict[str, str]], ...]:
    data = read_yaml(path, text) or {}
    lines = {m.group(1): i for i, line in enumerate(text.splitlines(), 1) if (m := re.match(r"^([a-z0-9-]+):", line))}
    if not isinstance(data, dict):
        raise BookError(path, 1, "tags.yml must map each tag to its names: 'tag: {zh: 中文, en: English}'")
    for tag, names in data.items():
        if not re.fullmatch(r"[a-z0-9-]+", str(tag)) or not isinstance(names, dict) or \
                not names.get("zh") or not names.get("en"):
            raise BookError(path, lines.get(str(tag), 1), f"tag {tag!r} needs a lower-case name and both "
                            "languages: 'tag: {zh: 中文, en: English}'")
    return tuple((str(k), {"zh": str(v["zh"]), "en": str(v["en"])}) for k, v in data.items())


_FILE_LINE = re.compile(r"file:\s*(.*?)\s*$")


def read_toc(root: Path) -> list[TocEntry]:
    """The toc's chapter files, in order, with their lines."""
    path = root / TOC
    data = read_yaml(path)
    if not isinstance(data, dict) or data.get("format") != "jb-book" or "root" not in data:
        raise BookError(path, 1, "_toc.yml must be a 'format: jb-book' toc with a 'root:'")
    # the first line naming each file (one pass: a toc of 500 issues is read on every build)
    where: dict[str, list[int]] = {}
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        found = _FILE_LINE.search(text)
        if found:
            where.setdefault(found.group(1), []).append(number)
    entries: list[TocEntry] = []
    for chapter in data.get("chapters") or []:
        file = str(chapter.get("file", "")) if isinstance(chapter, dict) else ""
        lines = where.get(file, [1])
        repeated = any(e.file == file for e in entries)
        line = lines[1] if repeated and len(lines) > 1 else lines[0]
        if not file:
            raise BookError(path, line, "each chapter needs '- file: <path without .md>'")
        if repeated:
            # (Jupyter Book stops on this before the book's checks run, without a line: the validator gives it)
            raise BookError(path, line, f"{file!r} is listed twice (first at line {lines[0]}); a page appears once "
                            "in the book: remove this line")
        entries.append(TocEntry(file, line))
    return entries


def issue_files(root: Path) -> list[Path]:
    return sorted((root / "issues").glob("*.md"))
