"""The book as a whole, read without Sphinx: its issues, its toc, its topics, its sources."""

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
SOURCES = "sources.yml"


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
    return {tag: dict(names) for tag, names, _ in _parse_tags(path, path.read_text(encoding="utf-8"))}


def read_tag_keywords(root: Path) -> dict[str, tuple[str, ...]]:
    """Each topic's ``keywords:`` (words in either language that suggest it, for ``python -m newsletter
    import``): {tag: (关键词, keyword, ...)}; a topic without the field has none."""
    path = root / TAGS
    return {tag: keywords for tag, _, keywords in _parse_tags(path, path.read_text(encoding="utf-8"))}


#: Chinese, Japanese and Korean script (radicals, punctuation, kana, ideographs of every plane, Hangul, full
#: width forms): none of it belongs in a name the English side shows
_CJK = re.compile(r"[\u2e80-\u9fff\ua960-\ua97f\uac00-\ud7ff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
                  r"\U00020000-\U0003134f]")


@functools.lru_cache(maxsize=8)
def _parse_tags(path: Path, text: str) -> tuple[tuple[str, dict[str, str], tuple[str, ...]], ...]:
    data = read_yaml(path, text) or {}
    lines = {m.group(1): i for i, line in enumerate(text.splitlines(), 1) if (m := re.match(r"^([a-z0-9-]+):", line))}
    if not isinstance(data, dict):
        raise BookError(path, 1, "tags.yml must map each tag to its names: 'tag: {zh: 中文, en: English}'")
    for tag, names in data.items():
        if not re.fullmatch(r"[a-z0-9-]+", str(tag)) or not isinstance(names, dict) or \
                not names.get("zh") or not names.get("en"):
            raise BookError(path, lines.get(str(tag), 1), f"tag {tag!r} needs a lower-case name and both "
                            "languages: 'tag: {zh: 中文, en: English}'")
        if _CJK.search(str(names["en"])):
            raise BookError(path, lines.get(str(tag), 1), f"tag {tag!r}: its English name {names['en']!r} holds "
                            "Chinese, which the English side would show as English; write it in English")
        unknown = sorted(set(map(str, names)) - {"zh", "en", "keywords"})
        if unknown:
            raise BookError(path, lines.get(str(tag), 1), f"tag {tag!r} has the field {unknown[0]!r}; a tag has zh, "
                            "en and (optional) keywords: 'tag: {zh: 中文, en: English, keywords: [词, word]}'")
        keywords = names.get("keywords", [])
        if not isinstance(keywords, list) or not all(isinstance(k, str) and k.strip() for k in keywords):
            raise BookError(path, lines.get(str(tag), 1), f"tag {tag!r}: keywords must be a list of words or "
                            "phrases in either language, e.g. 'keywords: [就业, 岗位, employment, jobs]'")
    return tuple((str(k), {"zh": str(v["zh"]), "en": str(v["en"])}, tuple(w.strip() for w in v.get("keywords", [])))
                 for k, v in data.items())


@dataclass(frozen=True)
class Source:
    """An outlet a story or a figure record cites (``sources.yml``): its names and its home page."""

    name_zh: str
    name_en: str
    url: str
    #: the outlet's site in English, if it has one (the English side links there)
    url_en: str | None = None
    line: int = 0

    def name(self, lang: str) -> str:
        return self.name_zh if lang == "zh" else self.name_en

    def home(self, lang: str) -> str:
        return self.url_en if lang == "en" and self.url_en else self.url


SOURCE_FIELDS = ("name_zh", "name_en", "url", "url_en")
_SOURCE_EXAMPLE = "'- name_zh: 人民网' / '  name_en: People's Daily Online' / '  url: http://www.people.com.cn/'"
#: a home page: http(s), a host, nothing that could break out of an attribute or run
_HOME = re.compile(r"https?://[A-Za-z0-9.-]+(:[0-9]+)?(/[A-Za-z0-9._~!$&'()*+,;=:@%/?#-]*)?")


def read_sources(root: Path) -> dict[str, Source]:
    """The registry of sources, by the Chinese name an issue writes (``:source: 人民网``): read on every call,
    parsed once per text, like :func:`read_tags`. A malformed registry raises :class:`BookError` (file, line,
    fix); a book without one too (every source must be listed)."""
    path = root / SOURCES
    if not path.is_file():
        raise BookError(path, 1, f"{SOURCES} is missing: the book lists the outlets its stories and figures cite "
                        f"there; create it with one entry per outlet ({_SOURCE_EXAMPLE})")
    return dict(_parse_sources(path, path.read_text(encoding="utf-8")))


@functools.lru_cache(maxsize=8)
def _parse_sources(path: Path, text: str) -> tuple[tuple[str, Source], ...]:
    try:
        root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # nodes: with their lines
    except yaml.YAMLError as exc:
        line, problem = yaml_problem(exc)
        raise BookError(path, line + 1, f"not valid YAML ({problem}); fix the indentation or quoting") from None
    if root is None or not isinstance(root, yaml.SequenceNode):
        line = root.start_mark.line + 1 if root is not None else 1
        raise BookError(path, line, f"{SOURCES} must be a list of outlets, each with name_zh, name_en and url: "
                        f"{_SOURCE_EXAMPLE}")
    found: dict[str, Source] = {}
    for node in root.value:
        line = node.start_mark.line + 1
        if not isinstance(node, yaml.MappingNode):
            raise BookError(path, line, f"each outlet is a mapping of name_zh, name_en and url: {_SOURCE_EXAMPLE}")
        fields: dict[str, tuple[int, object]] = {}
        for key, value in node.value:
            name = key.value if isinstance(key, yaml.ScalarNode) else str(key.value)
            if name not in SOURCE_FIELDS:
                raise BookError(path, key.start_mark.line + 1, f"unknown field {name!r}; an outlet has name_zh, "
                                "name_en, url and (if it has an English site) url_en")
            scalar = isinstance(value, yaml.ScalarNode) and value.tag == "tag:yaml.org,2002:str"
            fields[name] = (value.start_mark.line + 1, value.value.strip() if scalar else None)
        for name in ("name_zh", "name_en", "url"):
            if name not in fields:
                raise BookError(path, line, f"this outlet has no {name}; each needs name_zh (as issues write it in "
                                "':source:'), name_en (its own English name, or a plain rendering) and url (its "
                                "home page)")
        for name, (at, value) in fields.items():
            if not value:
                raise BookError(path, at, f"{name} must be text, not empty (quote it if YAML reads it as "
                                "something else)")
            if name.startswith("url") and not _HOME.fullmatch(value):
                raise BookError(path, at, f"{name} {value!r} is not a home page address; write it in full, "
                                "starting with https:// (or http://), without spaces or quotes")
        name_zh, name_en = fields["name_zh"][1], fields["name_en"][1]
        if _CJK.search(name_en):
            raise BookError(path, fields["name_en"][0], f"name_en {name_en!r} holds Chinese; the English side "
                            "shows it: write the outlet's own English name, or a plain English rendering")
        if name_zh in found:
            raise BookError(path, line, f"{name_zh!r} is already listed at line {found[name_zh].line}; list each "
                            "outlet once")
        found[name_zh] = Source(name_zh, name_en, fields["url"][1],
                                fields["url_en"][1] if "url_en" in fields else None, line)
    return tuple(found.items())


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
