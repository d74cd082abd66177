"""An issue as the editions beyond the web page read it: email, WeChat, feeds (and print next).

Built from the issue model (model.py), never from the page: the same stories, gap
markers, numbers and sources as the web page, in reading order, each paragraph as
runs of text (plain, strong, emphasis, code, link) that each edition writes in its
own way (HTML with inline styles, plain text, WeChat's link-less HTML).

- ``Side``: one language of a story: its headline, its paragraphs and its gap.
- ``EditionStory``: the story's number, id, both sides, its sources (sources.yml).
- ``Edition``: the issue: number, dates, masthead, stories, closing, charts.

:data:`GAP_TEXT` is what a reader sees where the source has no text in a language:
the page (directives/bilingual.py) and every edition show these words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

from .book import Source, read_sources
from .issue import issue_date_labels, read_front_matter
from .model import NOT_MARKDOWN, Block, Story, directive, options_and_body, parse_issue, parser

#: What the reader sees where the source has no text in a language.
GAP_TEXT = {
    ("zh", "headline"): "原文无中文标题",
    ("zh", "body"): "原文无中文正文，请阅读英文",
    ("zh", "all"): "原文无中文",
    ("zh", "partial"): "中文仅涵盖英文原文的一部分",
    ("en", "headline"): "No English headline in the source",
    ("en", "body"): "No English text in the source; see the Chinese",
    ("en", "all"): "No English in the source",
    ("en", "partial"): "The source's English covers only part of the Chinese text",
}

#: (kind, text, address): kind is text, strong, em, code or link (address only for a link)
Run = tuple[str, str, str]
Paragraph = tuple[Run, ...]


@dataclass(frozen=True)
class Side:
    """One language of a story or pair."""

    lang: str
    headline: str = ""
    paragraphs: tuple[Paragraph, ...] = ()
    #: "", "headline", "body", "all" or "partial" (the block's ``:gap:``)
    gap: str = ""

    @property
    def headline_gap(self) -> bool:
        return self.gap in ("headline", "all")

    @property
    def body_gap(self) -> bool:
        return self.gap in ("body", "all")

    def marker(self, what: str) -> str:
        """The gap marker for the headline ("headline") or the body ("body"), or "" if there is no gap there."""
        if what == "headline":
            return GAP_TEXT[(self.lang, "headline")] if self.gap == "headline" else ""
        return GAP_TEXT[(self.lang, self.gap)] if self.gap in ("body", "all", "partial") else ""


@dataclass(frozen=True)
class EditionStory:
    id: str
    number: str
    zh: Side
    en: Side
    sources: tuple[Source, ...] = ()
    tags: tuple[str, ...] = ()

    def side(self, lang: str) -> Side:
        return self.zh if lang == "zh" else self.en

    def headline(self, lang: str) -> str:
        """The story's headline in ``lang``; where the source has none, the other language's (the caller marks it)."""
        own = self.side(lang).headline
        return own or self.side("en" if lang == "zh" else "zh").headline


@dataclass(frozen=True)
class Chart:
    """A chart's image for one language, as the built site holds it."""

    chart: str
    lang: str
    url: str
    width: int
    height: int
    caption: str
    alt: str
    source: str
    #: the narrow drawing, for phones ("" if the chart has none)
    narrow_url: str = ""
    narrow_width: int = 0
    narrow_height: int = 0
    #: the chart as vectors (the SVG file the notebook wrote), for print ("" if not known)
    svg: str = ""


@dataclass(frozen=True)
class Edition:
    stem: str
    number: int
    date: tuple[str, str, str]
    #: the issue's page (absolute)
    url: str
    masthead: dict[str, str]
    stories: tuple[EditionStory, ...]
    closing: tuple[Side, Side] | None = None
    charts: tuple[Chart, ...] = ()
    #: every source named in the issue, by its Chinese name (sources.yml)
    registry: dict[str, Source] = field(default_factory=dict)

    def title(self, lang: str) -> str:
        return {"zh": f"第{self.number}期", "en": f"Issue {self.number}"}[lang]

    def subject(self, lang: str) -> str:
        """The email's subject in the edition's language."""
        zh, en = f"第{self.number}期 · PANDA微短剧", f"PANDA Mini-drama · Issue {self.number}"
        return {"zh": zh, "en": en, "both": f"{zh} / {en}"}[lang]

    def preheader(self, lang: str) -> str:
        """The line an inbox shows after the subject: the issue's headlines in the edition's language (those the
        source gives in it; the other language's only if it gives none)."""
        def heads(side: str) -> str:
            own = [s.side(side).headline for s in self.stories if s.side(side).headline] \
                or [s.headline(side) for s in self.stories]
            return ("；" if side == "zh" else "; ").join(own)
        if lang == "both":
            return f"本期：{heads('zh')} / In this issue: {heads('en')}"
        return f"本期：{heads('zh')}" if lang == "zh" else f"In this issue: {heads('en')}"

    def charts_in(self, lang: str) -> tuple[Chart, ...]:
        return tuple(c for c in self.charts if c.lang == lang)


def paragraphs(lines: list[tuple[int, str]], lang: str = "", doc: str = "") -> tuple[Paragraph, ...]:
    """A block's body (Markdown) as paragraphs of runs: what MyST's parser reads as paragraphs, list items and
    headings, each one paragraph, and so the text of the directives the format admits in a story (``{note}``,
    ``{epigraph}``, ``{list-table}``, a ``{figure}``'s caption...), as the page shows it. Code and HTML put nothing
    in an edition (the page's gate refuses what is not safe, and an issue's stories are text). ``lang`` picks the
    half of a ``{bi}`` role; ``doc`` (the issue's address, ``https://.../issues/001-2025-11.html``) resolves a
    ``{doc}`` role to the page's address."""
    rows: list[str] = []
    for i, (line, text) in enumerate(lines):  # the model keeps each line's number, not the blank lines between
        if i and line > lines[i - 1][0] + 1:
            rows.append("")
        rows.append(text)
    return _paragraphs("\n".join(rows), lang, doc)


def _paragraphs(text: str, lang: str, doc: str) -> tuple[Paragraph, ...]:
    out: list[Paragraph] = []
    bullet = False
    for token in parser().parse(text, {}):
        if token.type in ("bullet_list_open", "ordered_list_open"):
            bullet = True
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            bullet = False
        elif token.type == "inline":
            runs = _runs(token.children or [], lang, doc)
            if runs:
                out.append(((("text", "• ", ""),) if bullet else ()) + runs)
        elif token.type in ("fence", "colon_fence"):
            name, argument = directive(token.info)
            if name is None or name in NOT_MARKDOWN:
                continue
            _, body = options_and_body(token.content, 0)
            if name in ("figure", "image"):  # the image is the page's; the caption is text
                argument = ""
            head = _paragraphs(argument, lang, doc) if argument and name == "admonition" else ()
            out += [*head, *_paragraphs("\n".join(t for _, t in body), lang, doc)]
    return tuple(out)


def _role(name: str, content: str, lang: str, doc: str) -> Run:
    """A MyST role as an edition shows it: ``{bi}`甲 | B``` the half of the edition's language (both in 双语),
    ``{doc}`` its title, or the page's address; any other role its text."""
    if name == "bi" and "|" in content:
        zh, en = (part.strip() for part in content.split("|", 1))
        return ("text", zh if lang == "zh" else en if lang == "en" else f"{zh} · {en}", "")
    if name == "doc":
        found = re.fullmatch(r"\s*(.*?)\s*<([^<>]+)>\s*", content)
        title, target = (found.group(1), found.group(2)) if found else ("", content.strip())
        href = urljoin(doc, target.removesuffix(".md") + ".html") if doc else ""
        if title:
            return ("link", title, href) if href.startswith(("http://", "https://")) else ("text", title, "")
        return ("link", href, href) if href.startswith(("http://", "https://")) else ("text", "", "")
    return ("text", content, "")


def _runs(children, lang: str = "", doc: str = "") -> Paragraph:
    runs: list[Run] = []
    kinds: list[str] = []
    href = ""
    for child in children:
        kind = kinds[-1] if kinds else "text"
        if child.type in ("strong_open", "em_open"):
            kinds.append(child.type.removesuffix("_open"))
        elif child.type in ("strong_close", "em_close") and kinds:
            kinds.pop()
        elif child.type == "link_open":
            href = str(child.attrs.get("href") or "")
            kinds.append("link" if re.match(r"https?://", href) else kind)
        elif child.type == "link_close" and kinds:
            kinds.pop()
            href = ""
        elif child.type == "text":
            runs.append((kind, child.content, href if kind == "link" else ""))
        elif child.type == "myst_role":
            role = _role(str(child.meta.get("name", "")), child.content, lang, doc)
            runs.append(role if role[0] == "link" or kind == "text" else (kind, role[1], href))
        elif child.type == "code_inline":
            runs.append(("code", child.content, ""))
        elif child.type in ("softbreak", "hardbreak"):
            runs.append((kind, " ", href if kind == "link" else ""))
    merged: list[Run] = []
    for run in runs:  # neighbours of one kind and address become one run
        if merged and merged[-1][0] == run[0] and merged[-1][2] == run[2]:
            merged[-1] = (run[0], merged[-1][1] + run[1], run[2])
        else:
            merged.append(run)
    return tuple(r for r in merged if r[1])


def plain(paragraph: Paragraph) -> str:
    """A paragraph's text as a reader reads it (no markup, no addresses)."""
    return "".join(text for _, text, _ in paragraph)


def headline_text(text: str, lang: str = "", doc: str = "") -> str:
    """A ``:headline:`` as the page shows it: one line of inline Markdown (the page reads it with
    ``inline_text``), so "1986. A year" stays as written and "# 1 on Hongguo" is no heading."""
    return plain(_runs([child for token in parser().parseInline(text.strip(), {}) for child in token.children or ()],
                       lang, doc))


def _side(block: Block | None, lang: str, doc: str = "") -> Side:
    if block is None:
        return Side(lang, gap="all")
    headline = headline_text(block.headline[1], lang, doc) if block.headline else ""
    return Side(lang, headline=headline, paragraphs=paragraphs(block.body, lang, doc), gap=block.gap)


def _story(story: Story, registry: dict[str, Source], doc: str = "") -> EditionStory:
    number = story.options.get("number", (0, ""))[1]
    return EditionStory(id=story.id, number=number, zh=_side(story.blocks.get("zh"), "zh", doc),
                        en=_side(story.blocks.get("en"), "en", doc),
                        sources=tuple(registry[s] for s in story.sources if s in registry), tags=tuple(story.tags))


def read_edition(root: Path, path: Path, base_url: str, charts: tuple[Chart, ...] = ()) -> Edition:
    """The edition of the issue file ``path`` (a file the build has accepted: its rules already passed)."""
    text = path.read_text(encoding="utf-8")
    issue = parse_issue(text)
    meta = (read_front_matter(text) or {}).get("issue") or {}
    registry = read_sources(root)
    masthead = {"zh": "", "en": ""}
    closing = None
    docname = path.relative_to(root).with_suffix("").as_posix()
    url = f"{base_url}{docname}.html"
    for pair in issue.pairs:
        classes = pair.options.get("class", (0, ""))[1].split()
        sides = (_side(pair.blocks.get("zh"), "zh", url), _side(pair.blocks.get("en"), "en", url))
        if "masthead" in classes:
            masthead = {s.lang: " ".join(plain(p) for p in s.paragraphs) for s in sides}
        elif "closing" in classes:
            closing = sides
    return Edition(stem=path.stem, number=int(meta.get("number", 0) or 0), date=issue_date_labels(meta),
                   url=url, masthead=masthead, stories=tuple(_story(s, registry, url) for s in issue.stories.values()),
                   closing=closing, charts=charts, registry=registry)
