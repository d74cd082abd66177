"""Paired Chinese and English blocks.

Authors write::

    ::::{story} some-id
    :number: 1
    :source: 人民网

    :::{zh}
    :headline: 中文标题

    中文正文
    :::

    :::{en}
    :headline: English headline

    English text
    :::
    ::::

A block whose text the source lacks says so with ``:gap:`` (``headline``,
``body``, ``all``, or ``partial`` when it covers only part of the other
language); the page then shows a marker instead of an invented translation,
and, in a one-language reading mode, a button that shows the other language
for that story.

Short bilingual labels (headings, captions) use the ``{bi}`` role:
``{bi}`数据与图表 | Figures and charts``` gives a Chinese span, a separator and
an English span, each of which the language switch can hide.

Every block and span carries ``lang`` and the class ``bl-zh`` or ``bl-en``; the
language switch (static/panda.js, static/panda.css) works on those classes
alone. When both bodies of a story have the same number of paragraphs (two or
more), the pair gets ``bl-aligned`` and wide screens line the paragraphs up.
"""

from __future__ import annotations

import html
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from .labels import bi_html, bi_nodes, lang_span, sep

logger = logging.getLogger(__name__)

LANGS = {"zh": ("zh-CN", "中文"), "en": ("en", "English")}
GAPS = ("headline", "body", "all", "partial")

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


class lang_block(nodes.General, nodes.Element):
    """A block of one language: ``<div lang=...>``."""


class lang_pair(nodes.General, nodes.Element):
    """The Chinese and English blocks of one story or pair."""


class story_tags(nodes.General, nodes.Element):
    """The topics of a story, linking to their pages (filled in when written)."""


def _visit_block(self, node):
    self.body.append(self.starttag(node, "div", lang=node["lang"]))


def _depart_block(self, node):
    self.body.append("</div>\n")


def _visit_span(self, node):
    self.body.append(self.starttag(node, "span", "", lang=node["lang"]))


def _depart_span(self, node):
    self.body.append("</span>")


def _visit_pair(self, node):
    self.body.append(self.starttag(node, "div"))


#: The button that shows the other language of one story, in the reader's mode.
REVEAL_TEXT = {"zh": "显示英文原文", "en": "Show the Chinese original"}


def gap_marker(lang: str, gap: str) -> lang_span:
    """The visible marker of a gap, in the language whose text is missing."""
    return lang_span("", GAP_TEXT[(lang, gap)], lang=LANGS[lang][0], classes=["bl-gap", f"bl-{lang}"])


class reveal_button(nodes.General, nodes.Element):
    """A button (JavaScript only) that shows the other language of one story."""


def _visit_reveal(self, node):
    lang = node["reader_lang"]
    self.body.append(f'<button type="button" class="bl-reveal pst-js-only" lang="{LANGS[lang][0]}" '
                     f'aria-pressed="false">{REVEAL_TEXT[lang]}</button>')
    raise nodes.SkipNode


def _visit_tags(self, node):
    from newsletter.book import read_tags

    names = read_tags(Path(self.builder.srcdir))
    prefix = "../" * self.builder.current_docname.count("/")
    # tags.yml is data: every name escaped where it is written (its keys are [a-z0-9-], book.read_tags)
    links = "".join(f'<a class="bl-tag" href="{prefix}topics/{html.escape(tag)}.html">'
                    f'{bi_html(names[tag]["zh"], names[tag]["en"])}</a>' for tag in node["tags"])
    self.body.append(f'<p class="bl-tags"><span class="visually-hidden">话题 · Topics: </span>{links}</p>\n')
    raise nodes.SkipNode


def bi_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    """``{bi}`中文 | English``: a short label in both languages."""
    zh, sep, en = text.partition("|")
    if not sep or not zh.strip() or not en.strip():
        msg = inliner.reporter.error(
            f"{{bi}} needs 'Chinese | English', got {text!r}; write {{bi}}`中文 | English`", line=lineno)
        return [inliner.problematic(rawtext, rawtext, msg)], [msg]
    return bi_nodes(zh.strip(), en.strip()), []


class LangBlockDirective(SphinxDirective):
    """``{zh}`` or ``{en}``: one language of a story or pair."""

    has_content = True
    option_spec = {"headline": directives.unchanged, "gap": lambda a: directives.choice(a, GAPS)}

    def run(self):
        lang = self.name
        if not self.env.temp_data.get("panda_in_pair"):
            return [self._error(f"a {{{lang}}} block must sit inside a {{story}} or {{pair}} block; "
                                f"wrap it in '::::{{story}} <id>' ... '::::'")]
        code = LANGS[lang][0]
        node = lang_block(lang=code, classes=["bl-block", f"bl-{lang}"], line=self.lineno,
                          source_lang=lang, gap=self.options.get("gap", ""))
        self.set_source_info(node)
        headline = self.options.get("headline", "").strip()
        if headline:
            parsed, messages = self.state.inline_text(headline, self.lineno)
            node += lang_span("", "", *parsed, lang=code, classes=["bl-headline", f"bl-{lang}"])
            node += messages
        body = nodes.container(classes=["bl-body"])
        self.state.nested_parse(self.content, self.content_offset, body)
        if body.children:
            node += body
        return [node]

    def _error(self, message):
        logger.error(message, location=(self.env.docname, self.lineno), type="panda", subtype="bilingual")
        return nodes.paragraph()


class PairDirective(SphinxDirective):
    """``{pair}``: Chinese and English blocks that belong together (no headline)."""

    has_content = True
    option_spec = {"class": directives.class_option}
    with_headlines = False

    def parse_blocks(self) -> dict[str, lang_block] | None:
        holder = nodes.Element()
        self.env.temp_data["panda_in_pair"] = True
        try:
            self.state.nested_parse(self.content, self.content_offset, holder)
        finally:
            self.env.temp_data["panda_in_pair"] = False
        blocks: dict[str, lang_block] = {}
        what = self.describe()
        for child in holder.children:
            if isinstance(child, lang_block):
                lang = child["source_lang"]
                if lang in blocks:
                    self.error_at(child["line"], f"{what} has two {{{lang}}} blocks (the first at line "
                                  f"{blocks[lang]['line']}); merge them into one")
                    return None
                blocks[lang] = child
            elif isinstance(child, nodes.system_message):
                continue
            elif isinstance(child, nodes.paragraph) and not child.children:
                continue  # placeholder left by an error already reported
            else:
                self.error_at(child.line or self.lineno, f"{what} holds text outside a language block; "
                              "put it inside ':::{zh}' ... ':::' or ':::{en}' ... ':::'")
                return None
        for lang, other in (("zh", "en"), ("en", "zh")):
            if lang not in blocks and other in blocks:
                name = LANGS[lang][1]
                self.error_at(self.lineno, f"{what} has {LANGS[other][1]} but no {name} block. Add "
                              f"':::{{{lang}}}' with the {name} text, or, if the source has none, mark the "
                              f"gap: ':::{{{lang}}}' / ':gap: all' / ':::'")
                return None
        if not blocks:
            self.error_at(self.lineno, f"{what} is empty; add a ':::{{zh}}' and a ':::{{en}}' block")
            return None
        for block in blocks.values():
            if not self.check_block(block):
                return None
        return blocks

    def describe(self) -> str:
        return "this {pair} block"

    def check_block(self, block: lang_block) -> bool:
        lang, gap, line = block["source_lang"], block["gap"], block["line"]
        name = LANGS[lang][1]
        has_headline = any("bl-headline" in c["classes"] for c in block.children if isinstance(c, lang_span))
        has_body = any(isinstance(c, nodes.container) for c in block.children)
        what = f"the {name} block of {self.describe()}"
        if gap == "all" and (has_body or has_headline):
            return self.error_at(line, f"{what} is marked ':gap: all' but has text; remove the text or the marker")
        if gap == "body" and has_body:
            return self.error_at(line, f"{what} is marked ':gap: body' but has a body; remove one of them")
        if gap == "partial" and not has_body:
            return self.error_at(line, f"{what} is marked ':gap: partial' but has no text; use ':gap: body'")
        if not has_body and gap not in ("body", "all"):
            return self.error_at(line, f"{what} is empty. Write the {name} text, or, if the source has "
                                 f"none, add ':gap: body' (or ':gap: all')")
        if self.with_headlines:
            if gap == "headline" and has_headline:
                return self.error_at(line, f"{what} is marked ':gap: headline' but has ':headline:'; keep one")
            if not has_headline and gap not in ("headline", "all"):
                return self.error_at(line, f"{what} has no headline. Add ':headline: <{name} headline>', "
                                     "or, if the source has none, ':gap: headline'")
        elif has_headline:
            return self.error_at(line, f"{what} has ':headline:', which only a {{story}} takes")
        return True

    def error_at(self, line: int, message: str) -> bool:
        logger.error(message, location=(self.env.docname, line), type="panda", subtype="bilingual")
        return False

    def run(self):
        blocks = self.parse_blocks()
        if blocks is None:
            return []
        pair = lang_pair(classes=["bl-pair", *self.aligned(blocks), *self.options.get("class", [])])
        self.set_source_info(pair)
        for lang in ("zh", "en"):
            pair += self.finish_block(blocks[lang])
        return [pair]

    def finish_block(self, block: lang_block) -> lang_block:
        lang, gap = block["source_lang"], block["gap"]
        if gap in ("body", "all", "partial"):
            marker = nodes.paragraph(classes=["bl-gap-note"])
            marker += gap_marker(lang, gap)
            marker += nodes.Text(" ")
            marker += reveal_button(reader_lang=lang)
            block += marker
        return block

    def aligned(self, blocks: dict[str, lang_block]) -> list[str]:
        """``["bl-aligned"]`` when both bodies pair paragraph for paragraph."""
        counts = []
        for lang in ("zh", "en"):
            bodies = [c for c in blocks[lang].children if isinstance(c, nodes.container)]
            counts.append(len(bodies[0].children) if bodies else 0)
        return ["bl-aligned"] if counts[0] == counts[1] >= 2 else []


class StoryDirective(PairDirective):
    """``{story} <id>``: a numbered story with headlines, both texts and its source."""

    required_arguments = 1
    option_spec = {"number": directives.positive_int, "source": directives.unchanged_required,
                   "tags": directives.unchanged, "class": directives.class_option}
    with_headlines = True

    def describe(self) -> str:
        return f"story {self.arguments[0]!r}"

    def run(self):
        story_id = self.arguments[0]
        if "source" not in self.options:
            self.error_at(self.lineno, f"story {story_id!r} has no source; add ':source: <outlet>' "
                          "(for example ':source: 人民网')")
            return []
        tags = self.check_tags()
        if tags is None:
            return []
        blocks = self.parse_blocks()
        if blocks is None:
            return []
        section = nodes.section(ids=[nodes.make_id(f"story-{story_id}")], classes=["story"])
        section["names"].append(f"story-{story_id}")
        self.set_source_info(section)
        title = nodes.title()
        if "number" in self.options:
            title += nodes.inline("", f"{self.options['number']}. ", classes=["bl-num"])
        for lang in ("zh", "en"):
            block = blocks[lang]
            spans = [c for c in block.children if isinstance(c, lang_span)]
            if spans:
                headline = spans[0]
                block.remove(headline)
            else:
                headline = gap_marker(lang, "headline")
            title += headline
            if lang == "zh":
                title += sep()
        section += title
        pair = lang_pair(classes=["bl-pair", *self.aligned(blocks), *self.options.get("class", [])])
        source = self.options["source"]
        for lang, label in (("zh", "来源："), ("en", "Source: ")):
            block = self.finish_block(blocks[lang])
            para = nodes.paragraph(classes=["bl-source"])
            para += nodes.Text(label + source)
            block += para
            pair += block
        section += pair
        if tags:
            section.insert(1, story_tags(tags=tags))
        from .archive import note_story

        on_card = note_story(self.env, story_id, self.options.get("number"), blocks, tags, section)
        if on_card:
            self.check_card(on_card, blocks)
        return [section]

    def check_card(self, heads: dict, blocks: dict) -> None:
        """The headlines the issue's card image shows must be drawable in its font (a missing glyph fails the build)."""
        from .archive import card_problem

        for lang, key in (("zh", "zh-CN"), ("en", "en")):
            char = card_problem(heads[key]) if heads[key] else None
            if char:
                code = f"U+{ord(char):04X}" if len(char) == 1 else "?"
                self.error_at(self.option_line("headline", after=blocks[lang]["line"]),
                              f"the headline {heads[key]!r} has {char!r} ({code}), which the issue's card image "
                              "(its first two headlines, drawn in Noto Sans CJK) cannot draw; remove it or write "
                              "it in words (the font has no emoji)")

    def option_line(self, name: str, after: int | None = None) -> int:
        """The file line of the ``:name:`` option of the block opened at line ``after`` (the story's by
        default); that line if it is not found."""
        start = self.lineno if after is None else after
        try:
            lines = Path(self.env.doc2path(self.env.docname)).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            return start
        for number in range(start + 1, len(lines) + 1):
            text = lines[number - 1].strip()
            if text.startswith(f":{name}:"):
                return number
            if not text.startswith(":") or text.startswith(":::"):
                break
        return start

    def check_tags(self) -> list[str] | None:
        from newsletter.book import BookError, read_tags
        from newsletter.issue import split_tags

        tags = split_tags(self.options.get("tags", ""))
        try:
            known = read_tags(Path(self.env.srcdir))
        except BookError as exc:
            logger.error(exc.message, location=exc.path, type="panda", subtype="tags")
            return None
        unknown = [t for t in tags if t not in known]
        if unknown:
            self.error_at(self.option_line("tags"), f"story {self.arguments[0]!r} has tag(s) "
                          f"{', '.join(map(repr, unknown))} that tags.yml does not list; use one of: "
                          f"{', '.join(known)}, or add it to tags.yml with its Chinese and English names")
            return None
        return tags


def setup(app: Sphinx) -> None:
    app.add_node(lang_block, html=(_visit_block, _depart_block))
    app.add_node(lang_span, html=(_visit_span, _depart_span))
    app.add_node(lang_pair, html=(_visit_pair, _depart_block))
    app.add_node(reveal_button, html=(_visit_reveal, None))
    app.add_node(story_tags, html=(_visit_tags, None))
    app.add_role("bi", bi_role)
    app.add_directive("zh", LangBlockDirective)
    app.add_directive("en", LangBlockDirective)
    app.add_directive("pair", PairDirective)
    app.add_directive("story", StoryDirective)
