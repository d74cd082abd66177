"""``python -m newsletter import DIGEST.txt [--date YYYY-MM[-DD]]``: the week's digest becomes the next issue.

The digest is read by :mod:`newsletter.digest`; this module places it in the issue format and writes:

- ``issues/NNN-<month>.md`` (numbered, named and listed in ``_toc.yml`` by :mod:`newsletter.new`'s rules):
  the masthead, every story (its gaps marked, never translated; the Chinese punctuation a plain-text copy
  flattened given back; topics suggested from ``tags.yml``'s keywords in ``:tags:`` with a comment above the
  story for the editor to confirm), the closing, an ``{unplaced}`` block of the digest lines it could not place
  (the rule ``unplaced`` fails on each until the editor places it), and figure records proposed from the
  numbers both languages state, commented out in the ``{figures}`` block, with ``TODO`` where a field cannot be
  read off the text (the validator refuses a ``TODO`` once a record is uncommented);
- ``sources/NNN-<month>.txt``: the digest, verbatim; a digest that was not plain UTF-8 (GBK, a byte-order
  mark) is kept there decoded, as UTF-8, and its bytes as given beside it (``NNN-<month>.gbk.txt`` /
  ``.bom.txt``).

Every error names the file, the line and the fix; on an error nothing is written (the files are written to
temporary names first and renamed together, the toc last; a failure takes back what was done).
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .book import SOURCES, TOC, BookError, read_sources, read_tag_keywords, read_toc
from .check import QUALIFIER_WORDS, UNIT_FORMS, WINDOW
from .digest import Digest, DigestError, DigestStory, NumberPair, number_pairs, parse_digest, restore_zh
from .new import TEMPLATE, fill_template, plan_issue, toc_with

NAMES = {"zh": "Chinese", "en": "English"}
_KEPT_AS = {"gb18030": "gbk", "utf-8-sig": "bom"}


@dataclass
class Imported:
    """What an import wrote, and what the editor has to review."""

    issue: Path
    source: Path
    stories: int
    unplaced: list[str] = field(default_factory=list)
    proposals: int = 0
    suggested: list[str] = field(default_factory=list)
    from_contents: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    kept: Path | None = None


def import_digest(root: Path, digest: Path, date: str | None = None, shown: str | None = None) -> Imported:
    """Read ``digest`` and write the next issue of the book at ``root``; ``shown`` is the digest's name in
    messages (default: as given)."""
    shown = shown or str(digest)
    try:
        data = digest.read_bytes()
    except OSError as exc:
        raise DigestError(shown, 1, f"cannot read the digest ({exc.strerror}); give the path of the saved text "
                          "file") from None
    parsed = parse_digest(data, shown)
    outlets = _check_sources(parsed, root)
    _check_toc(root)
    number, date, stem, path = plan_issue(root, date, day=True)
    source = root / "sources" / f"{stem}.txt"
    if source.exists():
        raise BookError(source, 1, f"{source.name} already exists in sources/; move it away (or remove it) and run "
                        "the import again")
    result = Imported(path, source, len(parsed.stories), notes=list(parsed.notes))
    text = _issue_text(root, parsed, number, date, stem, outlets, result)
    files: dict[Path, bytes] = {}
    if parsed.encoding == "utf-8":
        files[source] = data
    else:
        files[source] = parsed.text.encode("utf-8")
        result.kept = source.with_name(f"{stem}.{_KEPT_AS[parsed.encoding]}.txt")
        files[result.kept] = data
    files[path] = text.encode("utf-8")
    files[root / TOC] = toc_with(root, f"issues/{stem}").encode("utf-8")
    _write_together(files)
    return result


def _check_toc(root: Path) -> None:
    """The toc the issue is added to reads (the import inserts a line into its text: into a toc that does not
    parse it would write a book that does not build); its error names _toc.yml and the line."""
    try:
        read_toc(root)
    except BookError as exc:
        raise BookError(exc.path, exc.line, f"{exc.message} (the import adds the new issue to {TOC}, and has "
                        "written nothing: fix the toc, then run the import again)") from None


def _check_sources(digest: Digest, root: Path) -> dict[str, str]:
    """Each story's outlets, as ``sources.yml`` names them (``name_zh``); an error for a story without one and
    for an outlet the registry lacks."""
    registry = read_sources(root)
    by_key = {_fold(name): name for name in registry}
    by_key.update({_fold(s.name_en): name for name, s in registry.items()})
    found: dict[str, str] = {}
    for number, story in enumerate(digest.stories, 1):
        if not story.sources:
            raise _no_source(digest, story, number)
        for line, name in story.sources:
            known = by_key.get(_fold(name))
            if known is None:
                raise DigestError(digest.path, line, f"the source {name!r} is not listed in {SOURCES}; add it to "
                                  f"{SOURCES} with name_zh, name_en and url (its home page), e.g. '- name_zh: "
                                  f"{name}' / '  name_en: ...' / '  url: https://...', or correct this line to one "
                                  f"of: {', '.join(registry)}")
            found[name] = known
    return found


def _no_source(digest: Digest, story: DigestStory, number: int) -> DigestError:
    """A story without a 来源 line: a line that begins with 来源 but was not read as one (its colon), a line that
    is no story (a caption or a credit between stories: English or Chinese only, a line or two), or a story
    whose 来源 line is missing."""
    lines = sorted([*story.headline.values(), *story.body["zh"], *story.body["en"]], key=lambda ln: ln.number)
    near = next((ln for ln in lines if re.match(r"来源(?![于自])\W", ln.text) and len(ln.text) <= 40), None)
    if near is not None:
        return DigestError(digest.path, near.number, f"this line begins with 来源 but is not read as story {number}'s "
                           f"来源 line ({near.text[:40]!r}); write it '来源：<outlet>' (a colon after 来源, then the "
                           "outlet as sources.yml names it) and run the import again")
    shown = "; ".join(repr(ln.text[:60]) for ln in lines[:2]) + ("; ..." if len(lines) > 2 else "")
    stray = "delete it or move it into the story it belongs to"
    if not story.has("zh"):
        kind = "a line" if len(lines) == 1 else f"{len(lines)} lines"
        return DigestError(digest.path, story.first_line, f"{kind} of English with no Chinese text and no 来源 line "
                           f"({shown}), read as story {number}: if it is not a story (a photo credit, a caption, a "
                           f"note), {stray}; if it is a story, add its Chinese text and '来源：<outlet>' (the outlet "
                           "as sources.yml names it) before it; then run the import again")
    if len(lines) == 1:
        return DigestError(digest.path, story.first_line, f"a line of Chinese with no 来源 line ({shown}), read as "
                           f"story {number}: if it is not a story (a photo credit, a caption, a note), {stray}; if "
                           "it is a story, add '来源：<outlet>' after it (the outlet as sources.yml names it); then "
                           "run the import again")
    return DigestError(digest.path, story.first_line, f"story {number} (from this line) has no 来源 line; add "
                       "'来源：<outlet>' after its Chinese text (the outlet as sources.yml names it) and run the "
                       "import again")


def _fold(name: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name)).lower()


# ---- the issue's text --------------------------------------------------------------------------------------


def _issue_text(root: Path, digest: Digest, number: int, date: str, stem: str, outlets: dict[str, str],
                result: Imported) -> str:
    template = fill_template((root / TEMPLATE).read_text(encoding="utf-8"), number, date, stem)
    title = re.search(r"^# \{bi\}.*$", template, re.M)
    out = [template[:title.end()], "",
           f"% Imported by python -m newsletter import from sources/{stem}.txt ('digest line N' is its line N).",
           "% Review: the {unplaced} lines (if any), the topics suggested above each story, the headlines taken "
           "from the",
           "% contents list, the gaps, and the figure records proposed at the end; then python -m newsletter "
           "validate.", ""]
    if digest.unplaced:
        out += _unplaced_block(digest)
        result.unplaced = [f"digest line {ln.number}: {ln.text}" for ln in digest.unplaced]
    out += _pair("masthead", {lang: [ln.text] for lang, ln in digest.masthead.items()})
    keywords = read_tag_keywords(root)
    slugs: set[str] = set()
    proposals: list[str] = []
    for index, story in enumerate(digest.stories, 1):
        slug = _slug(story, index, slugs)
        out += _story(story, index, slug, outlets, keywords, result)
        proposals += _proposals(story, index, slug, outlets)
    if proposals:
        result.proposals = sum(1 for line in proposals if line.startswith("# - id:"))
        out += ["```{figures}",
                "# Proposed by python -m newsletter import: a record for each number both languages of a story",
                "# state. To keep one, uncomment its lines (delete the leading '# ') and write each TODO: the",
                "# validator refuses a TODO. Delete the records you do not keep. Add the heading and a chart cell",
                "# as templates/issue.md has them if the issue charts its figures.",
                *proposals, "```", ""]
    if digest.closing:
        out += _pair("closing", {lang: [ln.text for ln in digest.closing if ln.lang == lang] for lang in ("zh", "en")})
    return "\n".join(out).rstrip("\n") + "\n"


def _unplaced_block(digest: Digest) -> list[str]:
    lines = [f"digest line {ln.number}: {ln.text}" for ln in digest.unplaced]
    ticks = "`" * max(3, 1 + max((len(run) for line in lines for run in re.findall(r"`+", line)), default=0))
    return ["% The digest lines below could not be placed: move each into the issue (or delete it), then delete",
            "% its line here; the validator and the build fail while one is left.",
            f"{ticks}{{unplaced}}", *lines, ticks, ""]


def _text(text: str, lang: str, headline: bool = False) -> str:
    """A line of the digest as the issue writes it: Chinese punctuation given back; Markdown's own characters
    escaped so that the text reads as text (a leading '#', '-', '1.', ':' or '%', emphasis, code, HTML)."""
    if lang == "zh":
        text = restore_zh(text)
    text = re.sub(r"([\\`*_<\[])", r"\\\1", text)
    text = re.sub(r"&(?=#?\w+;)", r"\\&", text)
    if headline:
        return re.sub(r"^([\"'{!&%@>|#-])", r"\\\1", text).replace(" #", " \\#")
    text = re.sub(r"^([#>+=%:~-]|\(|\+\+\+)", r"\\\1", text)
    return re.sub(r"^(\d+)([.)])(\s|$)", r"\1\\\2\3", text)


def _pair(kind: str, texts: dict[str, list[str]]) -> list[str]:
    out = ["::::{pair}", f":class: {kind}", ""]
    for lang in ("zh", "en"):
        lines = texts.get(lang) or []
        out += [f":::{{{lang}}}"]
        out += [line for text in lines for line in (_text(text, lang), "")][:-1] if lines else [":gap: all"]
        out += [":::", ""]
    out[-1:] = ["::::", ""]
    return out


_STOP = frozenset("a an the of and in on for to with from by at as is are its new into".split())


def _slug(story: DigestStory, index: int, taken: set[str]) -> str:
    words = [w.lower() for w in re.findall(r"[A-Za-z0-9]+", story.headline["en"].text)] if "en" in story.headline \
        else []
    words = [w for w in words if w not in _STOP][:4]
    slug = "-".join(words) or f"story-{index}"
    candidate, n = slug, 2
    while candidate in taken:
        candidate, n = f"{slug}-{n}", n + 1
    taken.add(candidate)
    return candidate


def _topics(story: DigestStory, keywords: dict[str, tuple[str, ...]]) -> list[tuple[str, list[str]]]:
    """The topics whose keywords the story's text holds (a Chinese keyword in the Chinese, an English one as a
    word in the English), with the keywords found; most keywords first, then in tags.yml's order."""
    zh, en = story.text("zh"), story.text("en")
    found = []
    for order, (tag, words) in enumerate(keywords.items()):
        hits = [w for w in words if (w in zh if re.search(r"[\u4e00-\u9fff]", w) else
                                     re.search(rf"(?<![A-Za-z]){re.escape(w)}", en, re.I))]
        if hits:
            found.append((-len(hits), order, tag, hits))
    return [(tag, hits) for _, _, tag, hits in sorted(found)]


def _story(story: DigestStory, index: int, slug: str, outlets: dict[str, str],
           keywords: dict[str, tuple[str, ...]], result: Imported) -> list[str]:
    topics = _topics(story, keywords)
    out = []
    if topics:
        shown = "; ".join(f"{', '.join(hits)} → {tag}" for tag, hits in topics)
        out.append(f"% topics suggested from tags.yml keywords ({shown}): confirm or edit")
        result.suggested.append(f"story {index}: {', '.join(tag for tag, _ in topics)}")
    else:
        out.append("% no topic suggested from tags.yml keywords: add ':tags:' if one fits")
    for lang, how in story.from_contents.items():
        line = story.headline[lang].number
        out.append(f"% the {NAMES[lang]} headline is digest line {line}, from the contents list ({how}): confirm "
                   "it is this story's")
        result.from_contents.append(f"story {index}: {NAMES[lang]} headline from digest line {line} ({how})")
    gaps = story.gaps()
    for lang, gap in gaps.items():
        if gap == "partial":
            out.append(f"% :gap: partial: the {NAMES[lang]} text states fewer numbers than the other, or is far "
                       "shorter than a translation of it; confirm")
    out += [f"::::{{story}} {slug}"]
    if topics:
        out.append(f":tags: {', '.join(tag for tag, _ in topics)}")
    sources = list(dict.fromkeys(outlets[name] for _, name in story.sources))
    out += [f":number: {index}", f":source: {', '.join(sources)}", ""]
    for lang in ("zh", "en"):
        out.append(f":::{{{lang}}}")
        if lang in story.headline:
            out.append(f":headline: {_text(story.headline[lang].text, lang, headline=True)}")
        if gaps[lang]:
            out.append(f":gap: {gaps[lang]}")
        if story.body[lang]:
            out.append("")
            out += [line for ln in story.body[lang] for line in (_text(ln.text, lang), "")][:-1]
        out += [":::", ""]
    out[-1:] = ["::::", ""]
    return out


# ---- figure records proposed -------------------------------------------------------------------------------


def _proposals(story: DigestStory, index: int, slug: str, outlets: dict[str, str]) -> list[str]:
    """Commented-out records for the numbers both languages of the story state, each citing its sentences as the
    story writes them; what the text does not say (id, labels, and a unit, qualifier or period it leaves open)
    is TODO."""
    zh = [_text(ln.text, "zh") for ln in story.body["zh"]]
    en = [_text(ln.text, "en") for ln in story.body["en"]]
    sources = list(dict.fromkeys(outlets[name] for _, name in story.sources))
    out = []
    for pair in number_pairs(zh, en):
        value = int(pair.zh.value) if float(pair.zh.value).is_integer() else pair.zh.value
        record = {"id": "TODO", "story": slug, "value": value, "unit": _unit(pair), "qualifier": _qualifier(pair),
                  "period": _period(pair), "label_zh": "TODO", "label_en": "TODO",
                  "source": sources[0] if len(sources) == 1 else f"TODO: one of {', '.join(sources)}",
                  "zh": pair.zh_sentence, "en": pair.en_sentence}
        dumped = yaml.safe_dump([record], allow_unicode=True, sort_keys=False, width=10**6)
        out.append(f"## story {index}: {pair.zh.text} ↔ {pair.en.text}")
        out += [f"# {line}" for line in dumped.splitlines()]
    return out


def _near(pair: NumberPair, lang: str, before: int, after: int) -> str:
    number, sentence = (pair.zh, pair.zh_sentence) if lang == "zh" else (pair.en, pair.en_sentence)
    return sentence[max(0, number.start - before):number.end + after].lower()


def _unit(pair: NumberPair) -> str:
    """The unit whose words stand next to the number in both sentences (check.py's forms), if only one does."""
    near = {lang: _near(pair, lang, *WINDOW[lang]) for lang in ("zh", "en")}
    units = [unit for unit, forms in UNIT_FORMS.items()
             if all(any(form in near[lang] for form in forms[lang]) for lang in ("zh", "en"))]
    return units[0] if len(units) == 1 else "TODO"


def _qualifier(pair: NumberPair) -> str:
    """about / over / nearly where both sentences say it next to the number, exact where neither says one."""
    near = {"zh": _near(pair, "zh", 4, 3), "en": _near(pair, "en", 20, 0)}
    said = {lang: {q for q, words in QUALIFIER_WORDS.items() if any(w in near[lang] for w in words[lang])}
            for lang in ("zh", "en")}
    if not said["zh"] and not said["en"] and not pair.zh.qualifier and not pair.en.qualifier:
        return "exact"
    both = said["zh"] & said["en"]
    return both.pop() if len(both) == 1 else "TODO"


def _period(pair: NumberPair) -> str:
    """The year both sentences name, if they name one and the same."""
    zh = set(re.findall(r"(?<!\d)((?:19|20)\d{2})年", pair.zh_sentence))
    en = set(re.findall(r"(?<![\d.,])\b((?:19|20)\d{2})\b(?![.,]\d)", pair.en_sentence))
    return str(zh.pop()) if zh == en and len(zh) == 1 else "TODO"


# ---- writing ------------------------------------------------------------------------------------------------


def _write_together(files: dict[Path, bytes]) -> None:
    """Write every file or none: each to a temporary name first, then all renamed (the toc last); on a failure
    the new files are removed and the files that existed get their old content back."""
    temps: list[tuple[Path, Path]] = []
    old: dict[Path, bytes | None] = {}
    try:
        for path, data in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            temp = path.with_name(f".{path.name}.import-tmp")
            temp.write_bytes(data)
            temps.append((temp, path))
        for temp, path in temps:
            old[path] = path.read_bytes() if path.exists() else None
            os.replace(temp, path)
    except BaseException:
        for temp, _ in temps:
            temp.unlink(missing_ok=True)
        for path, before in old.items():
            if before is None:
                path.unlink(missing_ok=True)
            else:
                path.write_bytes(before)
        raise
