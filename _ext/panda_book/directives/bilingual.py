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
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from newsletter.edition import GAP_TEXT  # the words of a gap marker, the same on the page and in every edition
from newsletter.model import LangSpec, PairSpec, StorySpec

from ..model.store import IssueStore
from .labels import bi_html, bi_nodes, depart_time, fill_note, lang_span, sep, sep_span, time_el, visit_sep, visit_time
from .sources import registry, source_nodes

logger = logging.getLogger(__name__)

LANGS = {"zh": ("zh-CN", "中文"), "en": ("en", "English")}



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
    hidden = f'<span class="visually-hidden">{bi_html("话题", "Topics")}: </span>'
    self.body.append(f'<p class="bl-tags">{hidden}{links}</p>\n')
    raise nodes.SkipNode


def bi_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    """``{bi}`中文 | English``: a short label in both languages."""
    zh, sep, en = text.partition("|")
    if not sep or not zh.strip() or not en.strip():
        msg = inliner.reporter.error(
            f"{{bi}} needs 'Chinese | English', got {text!r}; write {{bi}}`中文 | English`", line=lineno)
        return [inliner.problematic(rawtext, rawtext, msg)], [msg]
    return bi_nodes(zh.strip(), en.strip()), []


def _unread(directive: SphinxDirective, message: str) -> None:
    """A block the directive cannot draw. The rules (newsletter.rules, run when the page was read) report
    why, with the line and the fix; if they found nothing, the model and the page disagree: say so."""
    if not directive.env.temp_data.get("panda_rule_errors"):
        logger.error(f"{message}, although the issue format's rules (python -m newsletter validate) found "
                     "nothing wrong here; please report this with the file", type="panda", subtype="bilingual",
                     location=(directive.env.docname, directive.lineno))


class LangBlockDirective(SphinxDirective):
    """``{zh}`` or ``{en}``: one language of a story or pair."""

    has_content = True
    option_spec = LangSpec.option_spec  # the model's: the rules and the page read the same options

    def run(self):
        lang = self.name
        if not self.env.temp_data.get("panda_in_pair"):
            _unread(self, f"a {{{lang}}} block outside a {{story}} or {{pair}} cannot be drawn")
            return []
        code = LANGS[lang][0]
        node = lang_block(lang=code, classes=["bl-block", f"bl-{lang}"], line=self.lineno,
                          source_lang=lang, gap=self.options.get("gap", "").strip())
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


class PairDirective(SphinxDirective):
    """``{pair}``: Chinese and English blocks that belong together (no headline).

    What a pair or story must hold is checked by the rules (:mod:`newsletter.rules`) on the issue's
    model before this runs; the directive draws what they passed.
    """

    has_content = True
    option_spec = PairSpec.option_spec

    def parse_blocks(self) -> dict[str, lang_block] | None:
        holder = nodes.Element()
        self.env.temp_data["panda_in_pair"] = True
        try:
            self.state.nested_parse(self.content, self.content_offset, holder)
        finally:
            self.env.temp_data["panda_in_pair"] = False
        blocks = {child["source_lang"]: child for child in holder.children if isinstance(child, lang_block)}
        others = [c for c in holder.children if not isinstance(c, (lang_block, nodes.system_message))]
        if set(blocks) != {"zh", "en"} or others or len(blocks) != sum(isinstance(c, lang_block) for c in holder):
            _unread(self, f"this {{{self.name}}} does not hold exactly one {{zh}} and one {{en}} block")
            return None
        return blocks

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
        """``["bl-aligned"]`` when both bodies have two paragraphs or more: wide screens line them up from the
        start of the story, first with first, however many each has; ``["bl-solo"]`` when one language has no
        text, so the other spans the page in 双语."""
        counts = []
        for lang in ("zh", "en"):
            bodies = [c for c in blocks[lang].children if isinstance(c, nodes.container)]
            counts.append(len(bodies[0].children) if bodies else 0)
        if min(counts) >= 2:
            return ["bl-aligned"]
        return ["bl-solo"] if min(counts) == 0 and max(counts) > 0 else []


class StoryDirective(PairDirective):
    """``{story} <id>``: a numbered story with headlines, both texts and its source."""

    required_arguments = StorySpec.required_arguments
    option_spec = StorySpec.option_spec

    def run(self):
        from newsletter.model import split_tags

        story_id = self.arguments[0]
        blocks = self.parse_blocks()
        if blocks is None:
            return []
        tags = split_tags(self.options.get("tags", ""))
        section = nodes.section(ids=[nodes.make_id(f"story-{story_id}")], classes=["story"])
        section["names"].append(f"story-{story_id}")
        self.set_source_info(section)
        title = nodes.title()
        if self.options.get("number", "").strip():
            title += nodes.inline("", f"{self.options['number'].strip()}. ", classes=["bl-num"])
        heads = {}
        for lang in ("zh", "en"):
            spans = [c for c in blocks[lang].children if isinstance(c, lang_span)]
            if spans:
                heads[lang] = spans[0]
                blocks[lang].remove(spans[0])
        if len(heads) == 2:
            title += [heads["zh"], sep(), heads["en"]]
        else:
            # a headline in one language only: it shows in every mode, after a note in the other's
            # mode (labels.bi_nodes's fill); never a placeholder (the rules require one headline)
            for lang, head in heads.items():
                missing = "en" if lang == "zh" else "zh"
                head["classes"].append("bl-fill")
                title += [fill_note(missing), head]
        section += title
        pair = lang_pair(classes=["bl-pair", *self.aligned(blocks), *self.options.get("class", [])])
        source, outlets = self.options.get("source", "").strip(), registry(self.env)
        for lang, label in (("zh", "来源："), ("en", "Source: ")):
            block = self.finish_block(blocks[lang])
            para = nodes.paragraph(classes=["bl-source"])
            para += nodes.Text(label)
            for i, name in enumerate(split_tags(source)):  # (a story from two outlets: ':source: 人民网, 绍兴网')
                if i:
                    para += nodes.Text("、" if lang == "zh" else ", ")
                para += source_nodes(name, lang, outlets)  # its name in this side's language, linked (sources.yml)
            block += para
            pair += block
        section += pair
        if tags:
            section.insert(1, story_tags(tags=tags))
        note_story(self.env, story_id, self.options.get("number", "").strip(), tags, section)
        return [section]


def note_story(env, story_id: str, number: str, tags: list[str], section: nodes.section) -> None:
    """Keep a story's headlines and topics for the archive, topics, feeds and cards (``IssueStore``)."""
    from newsletter.issue import read_front_matter

    issues = IssueStore.of(env)
    entry = issues.get(env.docname)  # the collector drops it before the issue is read again
    if entry is None:
        meta = read_front_matter(Path(env.doc2path(env.docname)).read_text(encoding="utf-8")).get("issue") or {}
        entry = issues[env.docname] = {"meta": meta if isinstance(meta, dict) else {}, "stories": []}
    heads = {"zh-CN": "", "en": ""}
    for span in section[0].findall(lang_span):
        if "bl-headline" in span["classes"]:
            heads[span["lang"]] = span.astext()
    entry["stories"].append({"id": story_id, "number": int(number) if number.isdigit() else None,
                             "zh": heads["zh-CN"], "en": heads["en"], "tags": list(tags)})


def setup_bilingual(app: Sphinx) -> None:
    app.add_node(lang_block, html=(_visit_block, _depart_block))
    app.add_node(lang_span, html=(_visit_span, _depart_span))
    app.add_node(time_el, html=(visit_time, depart_time))
    app.add_node(sep_span, html=(visit_sep, None))
    app.add_node(lang_pair, html=(_visit_pair, _depart_block))
    app.add_node(reveal_button, html=(_visit_reveal, None))
    app.add_node(story_tags, html=(_visit_tags, None))
    app.add_role("bi", bi_role)
    app.add_directive("zh", LangBlockDirective)
    app.add_directive("en", LangBlockDirective)
    app.add_directive("pair", PairDirective)
    app.add_directive("story", StoryDirective)
