"""An issue's closing: the source's 推荐阅读 and 请为我点个赞再走, made into what they say.

The source newsletter ends with two lines, kept verbatim in the issue as a
``{pair}`` with ``:class: closing`` (the English side ``:gap: all``: the source
has no English for them)::

    ::::{pair}
    :class: closing

    :::{zh}
    推荐阅读

    请为我点个赞再走
    :::

    :::{en}
    :gap: all
    :::
    ::::

When the page is written, the pair becomes two parts, each headed by the
source's own words and, beside them, the English interface label (labels.py:
"Recommended reading", "Share"; interface text, not a translation, so no gap
marker):

- 推荐阅读 · Recommended reading: stories of other issues that share this
  issue's topics (tags.yml), most shared topics first, then newest; while no
  other issue shares one (a book of one issue), the pages of this issue's
  topics (``topics/<tag>.html``). An issue added later changes older issues'
  lists: ``env-get-updated`` writes again every issue whose list changed.
- 请为我点个赞再走 · Share: a "copy the link" button (static/panda.js, by
  ``data-panda-click``; a confirmation, or the address to copy by hand), the
  page's absolute address as a QR code (an inline SVG drawn with segno at
  build time, checked by newsletter.safety.svg_problem), for readers who open
  it in WeChat, and a link that shares it on Weibo.
"""

from __future__ import annotations

import html
import io
from pathlib import Path
from urllib.parse import urlencode

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.errors import SphinxError
from sphinx.util import logging

from ..directives.bilingual import lang_block, lang_pair
from ..directives.labels import bi_html, bi_nodes
from ..model.store import IssueStore, book_state, digest
from .archive import headline_nodes, issue_name, issues_newest_first, page_url

logger = logging.getLogger(__name__)

#: the interface labels beside the source's words (English only: the Chinese is the source's)
LABELS = {"recommended": "Recommended reading", "share": "Share"}
#: how many related stories the list shows
RELATED_MAX = 5
WEIBO = "https://service.weibo.com/share/share.php"


class share_block(nodes.General, nodes.Element):
    """The share block of a page: written with the page's address (``page_url``)."""


# ---- what the recommended reading lists ----------------------------------------------

def related(env, docname: str) -> list[tuple[str, dict, int]]:
    """(issue, story, shared topics) of other issues' stories sharing this issue's topics: most shared first,
    then the newest issue, then the story's place in it."""
    issues = IssueStore.of(env)
    entry = issues.get(docname)
    topics = {tag for story in (entry or {}).get("stories", []) for tag in story["tags"]}
    found = []
    for rank, (other, data) in enumerate(issues_newest_first(env)):
        if other == docname:
            continue
        for place, story in enumerate(data["stories"]):
            shared = len(topics & set(story["tags"]))
            if shared:
                found.append((-shared, rank, place, other, story))
    found.sort(key=lambda f: f[:3])
    return [(other, story, -neg) for neg, _rank, _place, other, story in found[:RELATED_MAX]]


def own_topics(env, docname: str) -> list[str]:
    """This issue's topics, in the order its stories first carry them."""
    out: list[str] = []
    for story in IssueStore.of(env).get(docname, {}).get("stories", []):
        out += [t for t in story["tags"] if t not in out]
    return out


def _recommended(app: Sphinx, docname: str) -> list[nodes.Element]:
    from newsletter.book import read_tags

    items = nodes.bullet_list(classes=["bl-recommended"])
    issues = IssueStore.of(app.env)
    stories = related(app.env, docname)
    for other, story, _shared in stories:
        zh, en = issue_name(issues[other]["meta"])
        uri = app.builder.get_relative_uri(docname, other) + f"#story-{story['id']}"
        para = nodes.paragraph()
        para += nodes.reference("", "", *headline_nodes(story),
                                refuri=uri, internal=True)
        para += nodes.inline("", "", nodes.Text(" ("), *bi_nodes(zh, en), nodes.Text(")"), classes=["bl-rec-issue"])
        items += nodes.list_item("", para)
    if stories:
        return [items]
    names = read_tags(Path(app.srcdir))
    prefix = "../" * docname.count("/")
    for tag in own_topics(app.env, docname):
        if tag in names:
            link = nodes.reference("", "", *bi_nodes(names[tag]["zh"], names[tag]["en"]),
                                   refuri=f"{prefix}topics/{tag}.html", internal=True)
            items += nodes.list_item("", nodes.paragraph("", "", link))
    items["classes"].append("bl-recommended-topics")
    # no other issue shares a topic yet: the pages where this issue's topics gather the stories to come
    note = nodes.paragraph("", "", *bi_nodes("本期话题，各有专页", "This issue's topics, each with its page"),
                           classes=["bl-recommended-note"])
    return [note, items]


# ---- the closing, resolved when the page is written ----------------------------------

def _lines(block: lang_block) -> list[str]:
    return [p.astext().strip() for p in block.findall(nodes.paragraph)]


def _resolve(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    for pair in list(doctree.findall(lambda n: isinstance(n, lang_pair) and "closing" in n["classes"])):
        blocks = {b["source_lang"]: b for b in pair.children if isinstance(b, lang_block)}
        lines = _lines(blocks["zh"]) if "zh" in blocks else []
        if len(lines) != 2 or not all(lines):
            # reported with the page and line (the build fails: warnings are errors), not raised: an exception in a
            # writer process would end the build with a traceback
            logger.error(f"a {{pair}} with ':class: closing' holds the source's two closing lines as two paragraphs "
                         f"of its {{zh}} block (推荐阅读, then the line that asks to share), not {lines!r}; write them "
                         "so, or remove ':class: closing'", location=pair, type="panda", subtype="closing")
            continue
        closing = nodes.container(classes=["bl-closing"])
        reading = nodes.container(classes=["bl-closing-part", "bl-closing-reading"])
        reading += nodes.paragraph("", "", *bi_nodes(lines[0], LABELS["recommended"]), classes=["bl-closing-title"])
        reading += _recommended(app, docname)
        share = nodes.container(classes=["bl-closing-part", "bl-closing-share"])
        share += nodes.paragraph("", "", *bi_nodes(lines[1], LABELS["share"]), classes=["bl-closing-title"])
        share += share_block(page_url=page_url(app, docname))
        closing += [reading, share]
        pair.replace_self(closing)
        closing["classes"] = ["bl-closing", *(c for c in pair["classes"] if not c.startswith("bl-"))]  # the author's


def qr_svg(url: str) -> str:
    """The address as a QR code: an SVG (segno, error correction M, 4 px modules, a 2-module border)."""
    import segno

    from newsletter.safety import svg_problem

    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", xmldecl=False, nl=False, scale=4, border=2,
                                    svgclass="bl-qr-code", lineclass=None, dark="#000", light="#fff")
    svg = out.getvalue().decode("utf-8")
    problem = svg_problem(svg)
    if problem:  # segno writes paths only: a change in it that broke this must stop the build
        raise SphinxError(f"the QR code of {url} is not a safe SVG: {problem}")
    return svg


def weibo_url(url: str, title: str) -> str:
    return f"{WEIBO}?{urlencode({'url': url, 'title': title})}"


def _visit_share(self, node: share_block) -> None:
    url = node["page_url"]
    title = self.builder.env.titles.get(self.builder.current_docname)
    title = f"{title.astext() if title is not None else ''} · PANDA微短剧".lstrip(" ·")
    svg = qr_svg(url).replace("<svg ", '<svg role="img" aria-labelledby="bl-qr-zh bl-qr-en" ', 1)
    caption = ('<span id="bl-qr-zh" lang="zh-CN" class="bl-zh">微信扫一扫，在手机上打开本页</span>'
               '<span class="bl-sep" aria-hidden="true"> · </span>'
               '<span id="bl-qr-en" lang="en" class="bl-en">QR code of this page: scan it with WeChat to open '
               'it on a phone</span>')
    self.body.append(
        f'<div class="bl-share" data-url="{html.escape(url)}">\n'
        f'<figure class="bl-qr">{svg}<figcaption>{caption}</figcaption></figure>\n'
        f'<div class="bl-share-actions">\n'
        f'<button type="button" class="bl-copy-link btn btn-sm pst-js-only" data-panda-click="copy-link">'
        f'{bi_html("复制链接", "Copy the link")}</button>\n'
        f'<a class="bl-weibo btn btn-sm" href="{html.escape(weibo_url(url, title))}" target="_blank" '
        f'rel="noopener noreferrer">{bi_html("分享到微博", "Share on Weibo")}</a>\n'
        f'<p class="bl-copy-status" role="status" aria-live="polite"></p>\n'
        f'<p class="bl-share-url" hidden><label>{bi_html("本页地址", "This page")}: '
        f'<input type="text" readonly value="{html.escape(url)}"></label></p>\n'
        f'</div>\n</div>\n')
    raise nodes.SkipNode


# ---- incremental builds: an issue's list follows the other issues --------------------

def _updated(app: Sphinx, env) -> list[str]:
    """The issues whose recommended reading changed since the last build (another issue added, removed or given
    other topics): written again, though their own source did not change."""
    state = book_state(env)
    before = getattr(state, "recommended", None) or {}
    now = {}
    for doc in IssueStore.of(env):
        found = related(env, doc)  # once per issue: it reads every issue's stories
        now[doc] = digest([(o, s["id"], s["zh"], s["en"], n) for o, s, n in found] + own_topics(env, doc)
                          + [issue_name(IssueStore.of(env)[o]["meta"]) for o, _s, _n in found])
    state.recommended = now
    return sorted(doc for doc, value in now.items() if before.get(doc) != value and doc in env.all_docs)


def setup_closing(app: Sphinx) -> None:
    app.add_node(share_block, html=(_visit_share, None))
    app.connect("doctree-resolved", _resolve)
    app.connect("env-get-updated", _updated)
