"""An issue page as a publication shows it: its header, and links to the issues before and after.

- **The header** (under the title and masthead): the date as each language writes it
  (2025年11月 / November 2025, with the day when the front matter has one), the reading time
  in each language, and 本期导读 · In this issue, a link to each story. A placeholder node is put
  in when the page is read and filled when it is resolved, from the page's own stories.
- **上一期 · 下一期**: the theme's previous/next links (and ``<link rel>``) of an issue page go to
  the issues before and after it by date and number, not to the pages around it in ``_toc.yml``.
  site/nav.py keeps each page's neighbours from build to build, so a page whose neighbouring
  issue changed is written again.
- **草稿 · Draft, 定时发布 · Scheduled**: in preview, an issue a published build leaves out (a draft, or
  dated a day to come: model/publication.py) says so in a banner at the top of its header.
"""

from __future__ import annotations

import math
import re

from docutils import nodes
from sphinx.application import Sphinx

from newsletter.issue import issue_date_labels

from ..directives.bilingual import lang_block
from ..directives.labels import bi_date, bi_html, bi_nodes, lang_span
from ..model.store import IssueStore, book_state
from .archive import headline_nodes, issue_name, issues_newest_first
from .pdf import pdf_links

#: Reading speed: Chinese characters and English words a minute (common estimates for news prose).
ZH_PER_MINUTE, EN_PER_MINUTE = 400, 230
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


class issue_header(nodes.General, nodes.Element):
    """Where the issue's header goes; filled when the page is resolved."""


class labelled_nav(nodes.General, nodes.Element):
    """``<nav aria-label>`` around the contents of the issue."""


class release_note(nodes.General, nodes.Element):
    """The banner of an issue a published build leaves out, in preview: ``<div role="note">``."""


def _visit_release(self, node):
    self.body.append(self.starttag(node, "div", "", role="note"))


def _depart_release(self, node):
    self.body.append("</div>\n")


def release_banner(entry: dict) -> release_note | None:
    """草稿 · Draft and 定时发布 · Scheduled (with the day), for an issue of ``panda_unpublished``
    (model/publication.py); None for a published issue."""
    if not entry:
        return None
    banner = release_note(classes=["bl-release"] + (["bl-release-draft"] if entry["draft"] else []))
    if entry["draft"]:
        banner += nodes.paragraph("", "", nodes.strong("", "", *bi_nodes("草稿", "Draft")), nodes.Text(" "),
                                  *bi_nodes("本期为草稿，只在预览中显示，不会发布。",
                                            "This issue is a draft: it shows in preview only and is not published."))
    if entry["until"]:
        zh_date, en_date, _ = issue_date_labels({"date": entry["until"]})
        banner += nodes.paragraph("", "", nodes.strong("", "", *bi_nodes("定时发布", "Scheduled")), nodes.Text(" "),
                                  *bi_nodes(f"本期将于{zh_date}发布。", f"This issue is published on {en_date}."))
    return banner


class order_button(nodes.General, nodes.Element):
    """英文在前 · English first: the reader's choice of the language that comes first in 双语 (panda.js)."""


def _visit_order(self, node):
    self.body.append('<button type="button" class="bl-order btn btn-sm pst-js-only" aria-pressed="false">'
                     f'{bi_html("英文在前", "English first")}</button>')
    raise nodes.SkipNode


def _visit_nav(self, node):
    self.body.append(self.starttag(node, "nav", "", **{"aria-label": node["label"]}))


def _depart_nav(self, node):
    self.body.append("</nav>\n")


def _place_header(app: Sphinx, doctree: nodes.document) -> None:
    """At reading: a placeholder under the issue's title and masthead."""
    if app.env.docname not in IssueStore.of(app.env):
        return
    top = next(iter(doctree.findall(nodes.section)), None)
    if top is None:
        return
    masthead = next((c for c in top.children if "masthead" in c.get("classes", [])), None)
    anchor = masthead if masthead is not None else top[0]
    top.insert(top.index(anchor) + 1, issue_header())


def reading_minutes(doctree: nodes.Node) -> tuple[int, int]:
    """Minutes to read the stories in Chinese and in English (0 where a language has no text)."""
    zh = en = 0
    for story in doctree.findall(lambda n: isinstance(n, nodes.section) and "story" in n["classes"]):
        for block in story.findall(lang_block):
            body = " ".join(c.astext() for c in block.children if isinstance(c, nodes.container))
            if block["lang"] == "zh-CN":
                zh += len(_HAN.findall(body))
            else:
                en += len(body.split())
    return (math.ceil(zh / ZH_PER_MINUTE) if zh else 0), (math.ceil(en / EN_PER_MINUTE) if en else 0)


def _fill_header(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    for placeholder in list(doctree.findall(issue_header)):
        entry = IssueStore.of(app.env).get(docname, {"meta": {}, "stories": []})
        zh_min, en_min = reading_minutes(doctree)
        head = nodes.container(classes=["bl-issue-head"])
        banner = release_banner(app.config.panda_unpublished.get(docname))
        if banner is not None:  # (in preview only: a published build does not read these issues)
            head += banner
        meta = nodes.paragraph(classes=["bl-issue-meta"])
        if entry["meta"].get("date"):
            meta += bi_date(entry["meta"])
        reading = bi_nodes(f"阅读约{zh_min}分钟" if zh_min else "", f"{en_min} min read" if en_min else "")
        if reading:
            meta += nodes.inline("", "", *reading, classes=["bl-reading-time"])
        meta += order_button()
        head += meta
        links = pdf_links(app, docname)
        if links:  # the print edition (site/pdf.py)
            names = {"zh": ("中文", "zh-CN"), "en": ("English", "en"), "both": ("双语", "zh-CN")}
            para = nodes.paragraph("", "", *bi_nodes("下载PDF：", "PDF: "), classes=["bl-pdf-links"])
            for i, (lang, uri) in enumerate(links):
                if i:
                    para += nodes.Text(" · ")
                para += nodes.reference("", "", lang_span("", names[lang][0], lang=names[lang][1]), refuri=uri,
                                        classes=["bl-pdf"])
            head += para
        if entry["stories"]:
            nav = labelled_nav(label="本期导读 · In this issue", classes=["bl-in-this-issue"])
            nav += nodes.paragraph("", "", *bi_nodes("本期导读", "In this issue"), classes=["bl-in-this-issue-title"])
            items = nodes.enumerated_list(classes=["bl-story-list"])
            for story in entry["stories"]:
                link = nodes.reference("", "", *headline_nodes(story), refuri=f"#story-{story['id']}", internal=True)
                items += nodes.list_item("", nodes.paragraph("", "", link))
            nav += items
            head += nav
        placeholder.replace_self(head)


def issue_neighbours(env) -> dict[str, tuple[str | None, str | None]]:
    """Each issue's previous (older) and next (newer) issue, by date and number."""
    order = [doc for doc, _ in reversed(issues_newest_first(env)) if doc in env.all_docs]
    return {doc: (order[i - 1] if i else None, order[i + 1] if i + 1 < len(order) else None)
            for i, doc in enumerate(order)}


def issue_link_title(env, docname: str) -> str:
    """An issue's name and date, as HTML in both languages (the previous/next links)."""
    meta = IssueStore.of(env).get(docname, {}).get("meta", {})
    zh, en = issue_name(meta)
    date_zh, date_en, _ = issue_date_labels(meta)
    return bi_html(f"{zh}（{date_zh}）" if date_zh else zh, f"{en} ({date_en})" if date_en else en)


def _neighbour_links(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """The issues before and after an issue page, as nav.py worked them out once for this build (its
    relations, kept to write a page again when they change); none between the book's other pages (home, data,
    archive: not a sequence; the design review found the archive's "previous" leading to the data page)."""
    relations = book_state(app.env).relations or {}
    if pagename not in IssueStore.of(app.env) or pagename not in relations:
        context["prev"] = context["next"] = None
        return
    _parent, prev, prev_title, nxt, next_title, _home = relations[pagename]
    context["panda_issue_nav"] = True
    for key, doc, title in (("prev", prev, prev_title), ("next", nxt, next_title)):
        context[key] = {"link": context["pathto"](doc), "title": title} if doc else None


def setup_issuepage(app: Sphinx) -> None:
    app.add_node(issue_header)
    app.add_node(labelled_nav, html=(_visit_nav, _depart_nav))
    app.add_node(order_button, html=(_visit_order, None))
    app.add_node(release_note, html=(_visit_release, _depart_release))
    app.connect("doctree-read", _place_header)
    app.connect("doctree-resolved", _fill_header)
    app.connect("html-page-context", _neighbour_links)
