"""The bilingual label "中文 · English": the one helper for docutils nodes, HTML and templates.

Every label of the site in both languages is made here: as nodes (:func:`bi_nodes`, for
directives and transforms), as HTML (:func:`bi_html`, for generated pages and the
theme's templates, where it is the ``panda_bi`` global) and the separator alone
(:func:`sep`, between two halves built elsewhere). Each half carries its ``lang`` and
class (``bl-zh`` / ``bl-en``), so the reading switch shows one or both; HTML is escaped.

A name that exists in one language only (a headline the source gives in English alone) is
made with ``fill=True``: the one half shows in every mode (class ``bl-fill``), and in the
other language's mode a small note says which language it is (``bl-fill-note``: 英文 /
Chinese). No placeholder ever stands in for the missing name.
"""

from __future__ import annotations

import html

from docutils import nodes

from newsletter.issue import issue_date_labels

SEPARATOR = " · "

#: The note before a name shown in the other language: keyed by the reader's mode.
FILL_NOTE = {"zh": "英文", "en": "Chinese"}
_CODES = {"zh": "zh-CN", "en": "en"}


class lang_span(nodes.inline):
    """An inline run of one language: ``<span lang=...>`` (written by bilingual.py's visitor)."""


def sep() -> nodes.inline:
    """The separator between the two halves: hidden in a one-language mode."""
    return nodes.inline("", SEPARATOR, classes=["bl-sep"])


def _filled(zh: str, en: str) -> str | None:
    """The reader's mode whose half is missing, when exactly one half is."""
    return "zh" if en and not zh else "en" if zh and not en else None


def fill_note(mode: str) -> lang_span:
    """The small note shown, in `mode`, before a name in the other language."""
    return lang_span("", FILL_NOTE[mode], lang=_CODES[mode], classes=["bl-fill-note", f"bl-{mode}"])


def bi_nodes(zh: str, en: str, fill: bool = False) -> list[nodes.Node]:
    """The label as nodes; either half may be empty (then no separator, and with `fill` the other half
    shows in every mode after a note)."""
    missing = _filled(zh, en) if fill else None
    if missing:
        other = "en" if missing == "zh" else "zh"
        text = en or zh
        return [fill_note(missing), lang_span("", text, lang=_CODES[other], classes=[f"bl-{other}", "bl-fill"])]
    out: list[nodes.Node] = []
    if zh:
        out.append(lang_span("", zh, lang="zh-CN", classes=["bl-zh"]))
    if zh and en:
        out.append(sep())
    if en:
        out.append(lang_span("", en, lang="en", classes=["bl-en"]))
    return out


def bi_html(zh: str, en: str, fill: bool = False) -> str:
    """The label as HTML, each half escaped; either half may be empty (then no separator; with `fill`,
    as :func:`bi_nodes`)."""
    missing = _filled(zh, en) if fill else None
    if missing:
        other = "en" if missing == "zh" else "zh"
        return (f'<span lang="{_CODES[missing]}" class="bl-fill-note bl-{missing}">{FILL_NOTE[missing]}</span>'
                f'<span lang="{_CODES[other]}" class="bl-{other} bl-fill">{html.escape(en or zh)}</span>')
    parts = []
    if zh:
        parts.append(f'<span lang="zh-CN" class="bl-zh">{html.escape(zh)}</span>')
    if zh and en:
        parts.append(f'<span class="bl-sep" aria-hidden="true">{SEPARATOR}</span>')
    if en:
        parts.append(f'<span lang="en" class="bl-en">{html.escape(en)}</span>')
    return "".join(parts)


class time_el(nodes.General, nodes.Element):
    """``<time datetime>`` around a date (its visitors are registered by bilingual.setup_bilingual)."""


def visit_time(self, node):
    self.body.append(self.starttag(node, "time", "", datetime=node["datetime"]))


def depart_time(self, node):
    self.body.append("</time>")


def bi_date(meta: dict) -> time_el:
    """An issue's date as each language writes it (2025年11月 · November 2025), in ``<time>``."""
    zh, en, iso = issue_date_labels(meta)
    return time_el("", *bi_nodes(zh, en), datetime=iso, classes=["bl-date"])


def bi_date_html(meta: dict) -> str:
    """The same date as HTML, for generated pages."""
    zh, en, iso = issue_date_labels(meta)
    return f'<time class="bl-date" datetime="{html.escape(iso)}">{bi_html(zh, en)}</time>'
