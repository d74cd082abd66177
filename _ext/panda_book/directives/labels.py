"""The bilingual label "中文 · English": the one helper for docutils nodes, HTML and templates.

Every label of the site in both languages is made here: as nodes (:func:`bi_nodes`, for
directives and transforms), as HTML (:func:`bi_html`, for generated pages and the
theme's templates, where it is the ``panda_bi`` global) and the separator alone
(:func:`sep`, between two halves built elsewhere). Each half carries its ``lang`` and
class (``bl-zh`` / ``bl-en``), so the reading switch shows one or both; HTML is escaped.
"""

from __future__ import annotations

import html

from docutils import nodes

SEPARATOR = " · "


class lang_span(nodes.inline):
    """An inline run of one language: ``<span lang=...>`` (written by bilingual.py's visitor)."""


def sep() -> nodes.inline:
    """The separator between the two halves: hidden in a one-language mode."""
    return nodes.inline("", SEPARATOR, classes=["bl-sep"])


def bi_nodes(zh: str, en: str) -> list[nodes.Node]:
    """The label as nodes; either half may be empty (then no separator)."""
    out: list[nodes.Node] = []
    if zh:
        out.append(lang_span("", zh, lang="zh-CN", classes=["bl-zh"]))
    if zh and en:
        out.append(sep())
    if en:
        out.append(lang_span("", en, lang="en", classes=["bl-en"]))
    return out


def bi_html(zh: str, en: str) -> str:
    """The label as HTML, each half escaped; either half may be empty (then no separator)."""
    parts = []
    if zh:
        parts.append(f'<span lang="zh-CN" class="bl-zh">{html.escape(zh)}</span>')
    if zh and en:
        parts.append(f'<span class="bl-sep" aria-hidden="true">{SEPARATOR}</span>')
    if en:
        parts.append(f'<span lang="en" class="bl-en">{html.escape(en)}</span>')
    return "".join(parts)


def english_count(n: int, singular: str, plural: str = "") -> str:
    """A count in English: "1 issue", "2 issues", "1 story", "4 stories" (``plural`` where it is not
    ``singular`` + "s"). Chinese has no plural: its labels need no helper."""
    return f"{n:,} {singular if n == 1 else plural or singular + 's'}"
