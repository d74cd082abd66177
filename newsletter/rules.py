"""The rules of an issue: each a function from the parsed page (:mod:`newsletter.model`) to findings.

A finding names the file, the line and the fix. The validator (``python -m
newsletter validate``) runs :data:`RULES` on every issue; the build runs the
same functions on every page Sphinx reads (``_ext/panda_book/rules/checks.py``),
so the two report the same file, line and message, and can never disagree.
The Sphinx directives trust the model these rules passed and only draw.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .book import ISSUE_NAME, SOURCES, BookError, issue_files, read_sources, read_toc, read_yaml
from .check import Finding, check_text
from .errors import LocatedError
from .figures import FiguresError, parse_figures
from .issue import (
    front_matter_lines,
    front_matter_problem,
    front_matter_repeats,
    link_to_unpublished,
    read_front_matter,
    today,
    unpublished_issues,
)
from .model import SPECS, Block, Issue, Story, directive, parse_issue
from .safety import UNSAFE_DIRECTIVES, raw_html
from .source import SOURCE_PLACEHOLDER, SourceError, local_images, read_source, unclosed_fences

GAPS = ("headline", "body", "all", "partial")
NAMES = {"zh": "Chinese", "en": "English"}
#: the social card of an issue shows the headlines of its first stories, as many as fit (site/cards.py draws it)
CARD_STORIES = 4
#: a headline of only these needs no look into the font (ASCII, ·, dashes, curly quotes, †‡•, ‥…‧, CJK
#: punctuation, the ideographs up to U+9FEF, full-width forms): the card's font has every one of them
#: (tests/test_rules.py reads its character map for each); anything else is looked up in that map
_CARD_SAFE = re.compile(r"[\x20-\x7e\u00b7\u2010-\u2016\u2018-\u201a\u201c-\u201e\u2020-\u2022\u2025-\u2027"
                        r"\u3000-\u303f\u4e00-\u9fef\uff01-\uff5e]*")


@dataclass(frozen=True)
class Page:
    """A page as the rules see it: its text, its path as messages show it, where it lives, and the topics."""

    text: str
    path: str
    #: the file itself and the book's folder (images are looked up from them); None: not checked
    file: Path | None = None
    root: Path | None = None
    #: ``tags.yml`` read (:func:`newsletter.book.read_tags`); None: not checked (it has its own error)
    tags: dict | None = None
    #: ``sources.yml`` read (:func:`newsletter.book.read_sources`); None: not checked (it has its own error)
    sources: dict | None = None
    #: an issue of the book (``issues/``), which must hold stories
    is_issue: bool = False
    #: the issues the build leaves out (drafts, issues held back until their day), by document name, as
    #: :func:`newsletter.issue.unpublished_issues` gives them; None: read from the book (``root``) for today
    #: (the validator); {} for a build that leaves none out (preview)
    left_out: dict | None = None

    @property
    def issue(self) -> Issue:
        return parse_issue(self.text)

    def error(self, line: int, message: str) -> Finding:
        return Finding("error", self.path, line, message)


def fences(page: Page) -> list[Finding]:
    """Every ``:::`` or backtick block is closed where its author meant."""
    return [page.error(p.line, p.message) for p in unclosed_fences(page.text)]


def raw(page: Page) -> list[Finding]:
    """No raw HTML beyond the few inline tags, no directive that brings in raw or outside content."""
    return [page.error(line, message) for line, message in raw_html(page.text)]


def images(page: Page) -> list[Finding]:
    """Every image the page shows exists (relative to the page's folder, or to the book for ``/...``)."""
    if page.file is None or page.root is None:
        return []
    root = page.root.resolve()
    out = []
    for line, target in local_images(page.text):
        image = (root / target.lstrip("/") if target.startswith("/") else page.file.parent / target).resolve()
        if not image.is_file():
            shown = image.relative_to(root).as_posix() if image.is_relative_to(root) else image
            out.append(page.error(line, f"the image {target!r} does not exist ({shown}); add the file, or correct "
                                        "the path (relative to this issue's folder)"))
    return out


def _what(container: Story) -> str:
    return f"story {container.id!r}" if container.kind == "story" else "this {pair} block"


def syntax(page: Page) -> list[Finding]:
    """The format's directives read as MyST reads them: an argument missing, options that do not parse."""
    return [page.error(line, f"{message}; write it as in templates/issue.md") for line, message in page.issue.syntax]


#: characters Python's str.splitlines() breaks lines at and Markdown does not: myst-nb would cut the page wrong
LINE_BREAKERS = {"\u2028": "U+2028 LINE SEPARATOR", "\u2029": "U+2029 PARAGRAPH SEPARATOR",
                 "\x0b": "a vertical tab", "\x0c": "a form feed", "\x1c": "U+001C", "\x1d": "U+001D",
                 "\x1e": "U+001E", "\x85": "U+0085 NEXT LINE"}
#: characters XML 1.0 forbids (what the feeds are written in), the line breakers above aside, and DEL
CONTROL = re.compile("[\x00-\x08\x0e-\x1b\x1f\x7f\ufffe\uffff]")
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def placement(page: Page) -> list[Finding]:
    """Stories, pairs and code cells stand at the top of the issue, once each; one ``{figures}`` block; no cell
    metadata that could hide Markdown; no character that splits lines for Python but not for Markdown."""
    issue, out = page.issue, []
    seen: dict[str, int] = {}
    for story in issue.all_stories:
        if story.id in seen:
            out.append(page.error(story.line, f"story {story.id!r} is already the story at line {seen[story.id]}; "
                                              "give each story its own id"))
        seen.setdefault(story.id, story.line)
        if story.id and not _SLUG.fullmatch(story.id):
            out.append(page.error(story.line, f"the story id {story.id!r} must be lower-case letters, digits and "
                                              "hyphens (e.g. 'pku-employment-report'): pages link to it"))
    for container in [*issue.all_stories, *issue.pairs]:
        if container.inside:
            out.append(page.error(container.line, f"{_what(container)} stands inside a {{{container.inside}}} "
                                                  "block; stories and pairs stand at the top of the issue (inside "
                                                  "another block they may not be shown): move it out"))
    for cell in issue.code_cells:
        if cell.inside:
            out.append(page.error(cell.line, f"this code cell stands inside a {{{cell.inside}}} block, where it does "
                                             "not run; put code cells at the top of the issue"))
    figures = [f for f in issue.fences if directive(f.info)[0] == "figures"]
    for extra in figures[1:]:
        out.append(page.error(extra.line, f"a second {{figures}} block (the first is at line {figures[0].line}); "
                                          "an issue keeps all its figure records in one block"))
    for line, metadata in issue.cell_breaks:
        if metadata:
            out.append(page.error(line, f"'+++ {metadata[:60]}' gives the Markdown after it cell metadata, which can "
                                        "hide it from the page; an issue's Markdown carries none: remove it"))
    for char, name in LINE_BREAKERS.items():
        at = page.text.find(char)
        if at >= 0:
            out.append(page.error(page.text.count("\n", 0, at) + 1, f"{name} in the text: Python splits lines "
                                  "there and Markdown does not, so the page would be cut wrong; use a line break "
                                  "or a space"))
    found = CONTROL.search(page.text)
    if found:
        out.append(page.error(page.text.count("\n", 0, found.start()) + 1,
                              f"a control character (U+{ord(found.group()):04X}) in the text: it is invisible, and "
                              "XML (the feeds) and email forbid it; delete it (it often comes with pasted text)"))
    return out


#: the directives an issue is written with (templates/issue.md), and the plain ones of MyST an editor may want;
#: anything else (a typo, a directive that reads files, runs code or writes index entries) is refused by name
ISSUE_DIRECTIVES = frozenset({"story", "pair", "zh", "en", "figures", "unplaced", "code-cell", "image", "figure",
                              "note", "tip", "important", "warning", "seealso", "admonition", "epigraph", "pull-quote",
                              "table", "list-table", "csv-table"})


def directives(page: Page) -> list[Finding]:
    """An issue uses the format's directives (and a few of MyST's own) only."""
    out = []
    others = ", ".join(f"{{{n}}}" for n in sorted(ISSUE_DIRECTIVES - set(SPECS) - {"figures", "code-cell"}))
    for fence in page.issue.fences:
        name = directive(fence.info)[0]
        if name is not None and name not in ISSUE_DIRECTIVES and name not in UNSAFE_DIRECTIVES:
            out.append(page.error(fence.line, f"{{{name}}} is not a directive of the issue format; check the name: "
                                              "an issue uses {story}, {zh}, {en}, {pair}, {figures} and {code-cell} "
                                              f"(and MyST's {others})"))
    return out


def headline_roles(page: Page) -> list[Finding]:
    """A headline is text: no role in it (the build's message for an unknown one named no file or line, and a
    known one such as {math} or {download} draws or links what a headline never holds)."""
    return [page.error(line, f"a headline holds the role {{{name}}}; a headline is text: write it without "
                             "roles (links and formatting belong in the story's text)")
            for line, name in page.issue.headline_roles]


def notebook(page: Page) -> list[Finding]:
    """The issue runs in a Python kernel (its front matter's ``kernelspec``; an issue without front matter is
    the book check's finding)."""
    if not page.is_issue or page.issue.front_matter is None:
        return []
    kernel = (read_front_matter(page.text).get("kernelspec") or {})
    name = kernel.get("name") if isinstance(kernel, dict) else None
    if name != "python3":
        line = front_matter_lines(page.text).get("kernelspec", 1)
        return [page.error(line, f"the notebook's kernel is {name!r}; the front matter needs kernelspec: name: "
                                 "python3 (copy it from templates/issue.md)")]
    return []


def containers(page: Page) -> list[Finding]:
    """An issue has stories; a story or pair holds one ``{zh}`` and one ``{en}`` block and nothing else; each
    block sits in one."""
    out = []
    if page.is_issue and not page.issue.stories:
        out.append(page.error(1, "this issue has no {story}; write each story as '::::{story} <id>' with a {zh} "
                                 "and an {en} block"))
    for block in page.issue.loose_blocks:
        out.append(page.error(block.line, f"a {{{block.lang}}} block must sit inside a {{story}} or {{pair}} block; "
                                          f"wrap it in '::::{{story}} <id>' ... '::::'"))
    for container in [*page.issue.stories.values(), *page.issue.pairs]:
        what = _what(container)
        for extra in container.extra_blocks:
            first = container.blocks[extra.lang]
            out.append(page.error(extra.line, f"{what} has two {{{extra.lang}}} blocks (the first at line "
                                              f"{first.line}); merge them into one"))
        missing = [lang for lang in ("zh", "en") if lang not in container.blocks]
        for line, name in container.stray:
            if name and missing and container.blocks:
                lang = missing.pop(0)  # most likely a misspelt {zh} or {en}
                out.append(page.error(line, f"{what} has no {NAMES[lang]} block, and a {name} block here, which is "
                                            f"not a language block: check the name (':::{{{lang}}}')"))
            elif name:
                out.append(page.error(line, f"{what} holds a {name} block outside its language blocks; put it "
                                            "inside ':::{zh}' ... ':::' or ':::{en}' ... ':::', or check the name"))
            else:
                out.append(page.error(line, f"{what} holds text outside a language block; put it inside "
                                            "':::{zh}' ... ':::' or ':::{en}' ... ':::'"))
        if not container.blocks:
            out.append(page.error(container.line, f"{what} is empty; add a ':::{{zh}}' and a ':::{{en}}' block"))
            continue
        for lang in missing:
            other = "en" if lang == "zh" else "zh"
            name = NAMES[lang]
            out.append(page.error(container.line, f"{what} has {NAMES[other]} but no {name} block. Add "
                                                  f"':::{{{lang}}}' with the {name} text, or, if the source has "
                                                  f"none, mark the gap: ':::{{{lang}}}' / ':gap: all' / ':::'"))
    return out


def _block_problem(block: Block, container: Story) -> str | None:
    name = NAMES[block.lang]
    what = f"the {name} block of {_what(container)}"
    gap, has_body, has_headline = block.gap, block.has_body, block.headline is not None
    if gap == "all" and (has_body or has_headline):
        return f"{what} is marked ':gap: all' but has text; remove the text or the marker"
    if gap == "body" and has_body:
        return f"{what} is marked ':gap: body' but has a body; remove one of them"
    if gap == "partial" and not has_body:
        return f"{what} is marked ':gap: partial' but has no text; use ':gap: body'"
    if not has_body and gap not in ("body", "all"):
        return (f"{what} is empty. Write the {name} text, or, if the source has none, add ':gap: body' "
                "(or ':gap: all')")
    if container.kind == "story":
        if gap == "headline" and has_headline:
            return f"{what} is marked ':gap: headline' but has ':headline:'; keep one"
        if not has_headline and gap not in ("headline", "all"):
            return (f"{what} has no headline. Add ':headline: <{name} headline>', or, if the source has none, "
                    "':gap: headline'")
    elif has_headline:
        return f"{what} has ':headline:', which only a {{story}} takes"
    return None


def blocks(page: Page) -> list[Finding]:
    """Each language block has its text or marks its gap, and only a story's blocks have headlines."""
    out = []
    for container in [*page.issue.stories.values(), *page.issue.pairs]:
        for block in container.blocks.values():
            if block.gap and block.gap not in GAPS:
                out.append(page.error(block.options["gap"][0], f"the {NAMES[block.lang]} block of {_what(container)} "
                                      f"has ':gap: {block.gap}'; a gap is one of: {', '.join(GAPS)}"))
                continue
            problem = _block_problem(block, container)
            if problem:
                out.append(page.error(block.line, problem))
    return out


def stories(page: Page) -> list[Finding]:
    """Each story names its source, and its number (if any) is a whole number from 1."""
    out = []
    for story in page.issue.stories.values():
        if not story.options.get("source", (0, ""))[1].strip():
            out.append(page.error(story.line, f"story {story.id!r} has no source; add ':source: <outlet>' under its "
                                              "first line (for example ':source: 人民网')"))
        if "number" in story.options:
            line, value = story.options["number"]
            if not re.fullmatch(r"[0-9]+", value.strip()) or int(value) < 1:
                out.append(page.error(line, f"story {story.id!r} has ':number: {value}'; write a whole number from "
                                            "1, or remove the line"))
    return out


def topics(page: Page) -> list[Finding]:
    """Every topic of a story is listed in ``tags.yml``."""
    if page.tags is None:
        return []
    out = []
    for story in page.issue.stories.values():
        unknown = [t for t in story.tags if t not in page.tags]
        if unknown:
            out.append(page.error(story.options["tags"][0], f"story {story.id!r} has tag(s) "
                                  f"{', '.join(map(repr, unknown))} that tags.yml does not list; use one of: "
                                  f"{', '.join(page.tags)}, or add it to tags.yml with its Chinese and English names"))
    return out


def sources(page: Page) -> list[Finding]:
    """Every source a story (``:source:``) or a figure record (``source:``) cites is listed in ``sources.yml``,
    which gives its English name and its home page."""
    if page.sources is None:
        return []
    fix = (f"add it to {SOURCES} with name_zh, name_en and url (its home page), or use one of: "
           f"{', '.join(page.sources) or '(none listed yet)'}")
    out = []
    for story in page.issue.stories.values():
        line = story.options.get("source", (0, ""))[0]
        for name in story.sources:
            if name not in page.sources:
                out.append(page.error(line, f"story {story.id!r} cites ':source: {name}', which {SOURCES} does "
                                            f"not list; {fix}"))
    fence = page.issue.figures
    if fence is not None and fence.closed:
        try:
            records = parse_figures(fence.content.removesuffix("\n"), page.path, fence.line + 1)
        except FiguresError:
            records = {}  # (the records' own error is the rule `numbers`')
        for fig in records.values():
            if fig.source not in page.sources:
                out.append(page.error(fig.line_of("source"), f"figure {fig.id!r} cites source {fig.source!r}, which "
                                                             f"{SOURCES} does not list; {fix}"))
    return out


@cache
def _card_glyphs() -> frozenset[int]:
    """The characters the card's font has: Noto Sans CJK SC, from the pip font package (matplotlib draws the card
    in it alone: tests/test_rules.py holds the two in agreement)."""
    from fontTools.ttLib import TTCollection
    from noto_cjk_sans_otc import FONT_PATH

    have: set[int] = set()
    with TTCollection(str(FONT_PATH)) as collection:
        for font in collection.fonts:
            if font["name"].getDebugName(1) == "Noto Sans CJK SC":
                have.update(font.getBestCmap())
    return frozenset(have)


def card_problem(text: str) -> str | None:
    """The first character of ``text`` that the card's font cannot draw (an emoji, a rare symbol), or None."""
    if _CARD_SAFE.fullmatch(text):
        return None
    return next((char for char in text if ord(char) not in _card_glyphs() and not char.isspace()), None)


def card(page: Page) -> list[Finding]:
    """The headlines the issue's card image shows can be drawn in its font (a missing glyph would fail it)."""
    out = []
    for story in list(page.issue.stories.values())[:CARD_STORIES]:
        for block in story.blocks.values():
            if block.headline is None:
                continue
            line, text = block.headline
            char = card_problem(text)
            if char:
                out.append(page.error(line, f"the headline {text!r} has {char!r} (U+{ord(char):04X}), which the "
                                            f"issue's card (its first {CARD_STORIES} headlines, in Noto Sans CJK) "
                                            "cannot draw; remove it or write it in words (the font has no emoji)"))
    return out


def _doc_roles(page: Page) -> list[tuple[int, str]]:
    """The {doc} roles of the page, from the issue model (never those in code): (line, target), the target alone
    or after its text (``{doc}`the next issue <002-2025-12>```)."""
    out = []
    for line, name, content in page.issue.roles:
        if name == "doc":
            named = re.search(r"<([^<>]+)>\s*$", content)
            out.append((line, (named.group(1) if named else content).strip()))
    return out


def _link_docname(page: Page, target: str, role: bool) -> str | None:
    """The document a link or {doc} role of the page names (``issues/002-2025-12``), or None (an address, an
    anchor of the page itself)."""
    if role:
        path = target
    else:
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I) or target.startswith(("#", "//")):
            return None  # https:, mailto:, project: ...; the page's own anchors
        path = re.split(r"[#?]", target, maxsplit=1)[0]
        if not path:
            return None
    from posixpath import dirname, join, normpath

    here = dirname(page.path)
    name = normpath(path.lstrip("/") if path.startswith("/") else join(here, path))
    for suffix in (".md", ".ipynb", ".html"):
        name = name.removesuffix(suffix)
    return name


def unpublished_links(page: Page) -> list[Finding]:
    """No published page links to an issue the published book leaves out (a draft, or one held back until its
    day): the link would lead nowhere, and the build fails on it with a message about a missing file."""
    if page.root is None:
        return []
    gone = page.left_out
    if gone is None:
        try:
            gone = unpublished_issues(page.root, today())
        except ValueError:
            return []  # (a bad PANDA_TODAY: the build refuses it with the fix)
    if not gone or page.path.removesuffix(".md") in gone:
        return []  # nothing is left out, or this page is left out too
    out = []
    links = [(line, target, False) for line, target in page.issue.links]
    links += [(line, target, True) for line, target in _doc_roles(page)]
    for line, target, role in sorted(links):
        entry = gone.get(_link_docname(page, target, role) or "")
        if entry is None:
            continue
        out.append(page.error(line, link_to_unpublished(target, entry)))
    return out


def unplaced(page: Page) -> list[Finding]:
    """Nothing of the digest is left out: each line of an ``{unplaced}`` block (``python -m newsletter import``
    writes one where it could not place a line of the digest) fails until the editor places or deletes it."""
    return [page.error(line, f"{text!r} is not placed in the issue yet: move it where it belongs (into a story's "
                             "text or headline, the masthead or the closing), or delete it if the issue should not "
                             "carry it; then delete this line (and the {unplaced} block once it is empty)")
            for line, text in page.issue.unplaced]


def numbers(page: Page) -> list[Finding]:
    """The figure records are valid, and both languages state the same numbers (:mod:`newsletter.check`)."""
    if not page.issue.stories and page.issue.figures is None:
        return []
    return [Finding(f.level, page.path, f.line, f.message) for f in check_text(page.text, page.path)]


#: every rule of an issue, in the order their findings are listed
RULES = (fences, syntax, placement, notebook, raw, images, containers, directives, unplaced, blocks, stories,
         headline_roles, topics, sources, card, unpublished_links, numbers)
#: the rules of the book's other pages (home, archive, data), which the project writes: their structure, and no
#: link to an issue the published book leaves out
page_rules = (fences, syntax, containers, blocks, stories, topics, sources, unpublished_links)


def page_findings(page: Page, rules=RULES) -> list[Finding]:
    """What the rules find on a page, by line."""
    found = [finding for rule in rules for finding in rule(page)]
    return sorted(found, key=lambda f: (f.line, f.level != "error"))


# ---- the book: files, names, front matter, toc --------------------------------------

DATE = re.compile(r"^\d{4}-\d{2}(-\d{2})?$")


def check_notebook(path: Path) -> list[Finding]:
    """The issue reads as a MyST Markdown notebook (jupytext) that nbformat accepts, with a Python kernel."""
    import jupytext
    import nbformat

    rel = path.as_posix()
    try:
        notebook = jupytext.read(path, fmt="md:myst")
        nbformat.validate(notebook)
    except Exception as exc:  # jupytext and nbformat raise many kinds; each is a format error here
        return [Finding("error", rel, 1, f"not a valid MyST notebook: {exc}; compare its front matter and "
                        "code cells with templates/issue.md")]
    return []  # (its kernel is the rule `notebook`'s, which the build runs too)


def _date_problem(date: str) -> str | None:
    if not DATE.match(date):
        return f"date {date!r} must be ISO: YYYY-MM or YYYY-MM-DD"
    try:
        datetime.date.fromisoformat(date if len(date) == 10 else f"{date}-01")
    except ValueError:
        return f"date {date!r} is not a date of the calendar (months 01-12, a day the month has); correct it"
    return None


def _draft_problems(text: str, lines: dict[str, int]) -> list[tuple[int, str]]:
    """``draft:`` stands under ``issue:`` and is ``true`` or ``false``, nothing YAML merely reads as one."""
    out = []
    if "draft" in lines:
        out.append((lines["draft"], "'draft:' belongs under 'issue:' (indented like number and date), where the "
                                    "build reads it; move it there"))
    if "issue.draft" in lines:
        line = lines["issue.draft"]
        value = read_front_matter(text).get("issue", {}).get("draft")
        written = re.match(r"\s*draft:\s*(.*?)\s*(#.*)?$", text.splitlines()[line - 1])
        raw = written.group(1) if written else ""
        if not isinstance(value, bool) or raw.lower() not in ("true", "false"):
            out.append((line, f"draft {raw or value!r} must be true or false, without quotes: 'draft: true' keeps "
                              "the issue out of the published book (python -m newsletter preview shows it), "
                              "'draft: false' or no line publishes it"))
    return out


def issue_front_matter(root: Path, path: Path, text: str, strict: bool = True) -> tuple[list[Finding], dict]:
    """The issue's file name and front matter; the metadata found (number, date) for the book-wide checks.

    ``strict=False``: only what the build refuses (front matter readable, a whole number,
    a real ISO date); the name rule, a number from 1 agreeing with the file name and the
    source text are the validator's (a new issue builds before its source is pasted).
    """
    rel = path.relative_to(root).as_posix()
    out: list[Finding] = []

    def error(line: int, message: str) -> None:
        out.append(Finding("error", rel, line, message))

    name = ISSUE_NAME.match(path.name)
    if strict and not name:
        error(1, f"the file name {path.name!r} breaks the rule NNN-YYYY-MM.md (zero-padded number, ISO "
                 "year-month, e.g. 002-2025-12.md); rename it and its _toc.yml entry")
    problem = front_matter_problem(text)
    if problem:
        error(*problem)
        return out, {}
    out += [Finding("error", rel, line, message) for line, message in front_matter_repeats(text)]
    meta = read_front_matter(text).get("issue")
    if not isinstance(meta, dict):
        error(1, "the front matter has no 'issue:' block; copy it from templates/issue.md "
                 "(issue: number, date, source_file)")
        return out, {}
    number, date = meta.get("number"), str(meta.get("date", ""))
    lines = front_matter_lines(text)
    number_line, date_line = lines.get("issue.number", lines.get("issue", 1)), lines.get("issue.date", 1)
    if not isinstance(number, int) or isinstance(number, bool) or number < (1 if strict else 0):
        error(number_line, f"issue number {number!r} must be a whole number from 1 (write 'number: 2', no quotes)")
        number = None
    elif strict and name and int(name["number"]) != number:
        error(number_line, f"the front matter says number {number} but the file name says "
              f"{int(name['number'])}; make them agree")
    wrong_date = _date_problem(date)
    if isinstance(meta.get("date"), datetime.date) and not wrong_date:
        # YAML reads an unquoted day as a date object, which the notebook cache cannot store (the build
        # stopped with a traceback, and the cache stayed broken after): the day is text, in quotes
        wrong_date = f"write the day in quotes, date: \"{date}\" (unquoted, YAML reads it as a date object)"
    if wrong_date:
        error(date_line, wrong_date)
        date = ""
    elif strict and name and not date.startswith(name["date"]):
        error(date_line, f"the front matter's date {date} is not the file name's month {name['date']}; make "
              "them agree")
    out += [Finding("error", rel, line, message) for line, message in _draft_problems(text, lines)]
    if strict:
        source = meta.get("source_file")
        line = lines.get("issue.source_file", lines.get("issue", 1))
        if not source:
            error(line, "no source_file: keep the verbatim source text in sources/ and name it here")
        elif not (root / source).is_file():
            error(line, f"source_file {source!r} does not exist; add the verbatim source text there")
        elif (root / source).read_text(encoding="utf-8") == SOURCE_PLACEHOLDER:
            error(line, f"{source} still holds the placeholder; paste the source newsletter there, verbatim")
    return out, {"number": number, "date": date, "number_line": number_line, "date_line": date_line}


def book_findings(root: Path, strict: bool = True) -> tuple[list[Finding], dict[Path, str]]:
    """The book's files in agreement: toc and issues, encodings, front matter, one number and date each.

    Returns the findings and the text of each issue that could be read.
    """
    findings: list[Finding] = []

    def located(exc: LocatedError) -> Finding:
        path = Path(exc.path)
        return Finding("error", path.relative_to(root).as_posix() if path.is_absolute() else exc.path, exc.line,
                       exc.message)

    try:
        read_sources(root)  # (the rule `sources` checks each page against it)
    except BookError as exc:
        findings.append(located(exc))
    try:
        if strict:
            read_yaml(root / "_config.yml")
        toc = read_toc(root)
    except LocatedError as exc:
        return [*findings, located(exc)], {}
    files = {p.relative_to(root).with_suffix("").as_posix(): p for p in issue_files(root)}
    listed = [e for e in toc if e.file.startswith("issues/")]
    for entry in toc:
        if not (root / f"{entry.file}.md").is_file() and not (root / f"{entry.file}.ipynb").is_file():
            findings.append(Finding("error", "_toc.yml", entry.line, f"{entry.file!r} has no file "
                                    f"({entry.file}.md); create it or remove the line"))
    for key, path in files.items():
        if key not in {e.file for e in listed}:
            findings.append(Finding("error", path.relative_to(root).as_posix(), 1, "this issue is not in _toc.yml; "
                                    f"add '  - file: {key}' under chapters (python -m newsletter new does it)"))
    texts: dict[Path, str] = {}
    seen: dict[tuple[str, object], str] = {}
    numbers: dict[str, int] = {}
    for key, path in files.items():
        rel = path.relative_to(root).as_posix()
        try:
            text = texts[path] = read_source(path, rel)
        except SourceError as exc:
            findings.append(Finding("error", rel, exc.line, exc.message))
            continue
        found, meta = issue_front_matter(root, path, text, strict)
        findings += found
        if meta.get("number") is not None:
            numbers[key] = meta["number"]
        for field, value in (("number", meta.get("number")), ("date", meta.get("date"))):
            if value is None or value == "" or (field == "date" and len(str(value)) < 10):
                continue  # issues of the same month are fine; the same day twice is not
            if (field, value) in seen:
                what = ("its own number (python -m newsletter new picks the next)" if field == "number" else
                        "the date it is published")
                findings.append(Finding("error", rel, meta[f"{field}_line"], f"issue {field} {value} is also used "
                                        f"by {seen[(field, value)]}; give each issue {what}"))
            else:
                seen[(field, value)] = rel
    if strict:
        positions = [e.file for e in listed if e.file in numbers]
        by_number = sorted(positions, key=lambda k: numbers[k])
        if positions != by_number:
            wrong = next(e for e, want in zip(listed, by_number) if e.file != want)
            findings.append(Finding("error", "_toc.yml", wrong.line, "issues must be listed oldest first (by "
                                    f"number), so previous/next follow the dates; expected {', '.join(by_number)}"))
    return findings, texts
