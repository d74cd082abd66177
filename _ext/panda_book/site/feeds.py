"""Full-text feeds a reader or a mail service can use (site/editions.py's step writes them).

- ``feeds/zh.xml``, ``feeds/en.xml``, ``feeds/both.xml``: Atom, one entry per issue, the newest
  :data:`FULL_ENTRIES`, whose
  content is the issue's email HTML in that language (without the preheader and the unsubscribe line: a mail
  service that sends a feed adds its own), so Buttondown's or Mailchimp's RSS-to-email sends a whole issue.
- ``topics/<tag>.xml``: Atom, one entry per story with the topic, the newest :data:`TOPIC_ENTRIES`, in 双语.

Ids and dates come from the issues (their page and front matter) and the build date (reproducible.py), never
from the clock: two clean builds give the same bytes. ``feed.xml`` and ``atom.xml`` stay (archive.py).
"""

from __future__ import annotations

import json
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

from newsletter.book import read_tags
from newsletter.issue import issue_datetime

from ..model.store import run_state
from .archive import _ATOM, _xml, base_url, issues_newest_first
from .editions import feed_body as _body  # noqa: F401  (the feed entries' content, tests use it)

#: the newest issues a full-text feed holds, and the newest stories a topic's: what a reader or a mail service
#: fetches is new entries; a feed of every issue in full would grow by 25 KB an issue (12 MB at 500)
FULL_ENTRIES = 20
TOPIC_ENTRIES = 50
FEED_TITLES = {"zh": "PANDA微短剧 · 中文全文", "en": "PANDA Mini-drama · English, full text",
               "both": "PANDA微短剧 · 双语全文 · Chinese and English, full text"}
_LANG = {"zh": "zh-CN", "en": "en", "both": "zh-CN"}


def _feed(title: str, self_url: str, site: str, lang: str, updated: str):
    from xml.etree.ElementTree import Element, SubElement

    feed = Element("feed", {"xmlns": _ATOM, "xml:lang": lang})
    SubElement(feed, "title").text = title
    SubElement(feed, "link", {"href": site})
    SubElement(feed, "link", {"rel": "self", "href": self_url})
    SubElement(feed, "id").text = self_url
    SubElement(feed, "updated").text = updated
    SubElement(SubElement(feed, "author"), "name").text = "PANDA"
    return feed


def _entry(feed, title: str, link: str, entry_id: str, when: str, content: str, lang: str):
    from xml.etree.ElementTree import SubElement

    node = SubElement(feed, "entry", {"xml:lang": lang})
    SubElement(node, "title").text = title
    SubElement(node, "link", {"href": link})
    SubElement(node, "id").text = entry_id
    SubElement(node, "updated").text = when
    SubElement(node, "published").text = when
    SubElement(node, "content", {"type": "html"}).text = content
    return node


def write_full_feeds(app: Sphinx) -> None:
    """The full-text feeds, in each language and per topic, into the site (a post-build step after the editions,
    whose cache holds each issue's parts)."""
    from .reproducible import build_datetime

    outdir = Path(app.outdir)
    base = base_url(app)
    updated = build_datetime().isoformat()
    when = {docname: issue_datetime(entry["meta"]).isoformat() for docname, entry in issues_newest_first(app.env)}
    parts = [(docname, json.loads((folder / "feeds.json").read_text(encoding="utf-8")))
             for docname, folder in run_state(app).rendered]
    folder = outdir / "feeds"
    folder.mkdir(exist_ok=True)
    for lang, title in FEED_TITLES.items():
        feed = _feed(title, f"{base}feeds/{lang}.xml", base, _LANG[lang], updated)
        for docname, part in parts[:FULL_ENTRIES]:
            entry = part["entries"][lang]
            _entry(feed, entry["title"], entry["link"], entry["link"], when[docname], entry["content"], _LANG[lang])
        _xml(feed, folder / f"{lang}.xml")
    tags = read_tags(Path(app.srcdir))
    topics = outdir / "topics"
    topics.mkdir(exist_ok=True)
    for tag, names in tags.items():
        feed = _feed(f"PANDA微短剧 · {names['zh']} · {names['en']}", f"{base}topics/{tag}.xml",
                     f"{base}topics/{tag}.html", "zh-CN", updated)
        stories = [(docname, story) for docname, part in parts for story in part["stories"] if tag in story["tags"]]
        for docname, story in stories[:TOPIC_ENTRIES]:
            _entry(feed, story["title"], story["link"], story["link"], when[docname], story["content"], "zh-CN")
        _xml(feed, topics / f"{tag}.xml")


# ---- the home page's 订阅 · Subscribe block --------------------------------------------------------------------

class subscribe_block(nodes.General, nodes.Element):
    """Placeholder for the 订阅 · Subscribe block (filled when the page is resolved: its links are relative)."""


class SubscribeDirective(SphinxDirective):
    """``{subscribe}``: how to get the newsletter by email and in a feed reader, in both languages."""

    def run(self):
        return [subscribe_block()]


def _subscribe_nodes(app: Sphinx, docname: str) -> list[nodes.Node]:
    from newsletter.mailing import email_settings

    from ..directives.bilingual import lang_block, lang_pair
    from ..directives.labels import bi_nodes, lang_span

    up = "../" * docname.count("/")
    signup = email_settings(app.config.panda_email).subscribe_url

    def link(text: str, uri: str, lang: str | None = None, classes: list[str] | None = None) -> nodes.reference:
        """A link; ``lang`` where its text is in the other language than the block's."""
        inner = lang_span("", text, lang=lang) if lang else nodes.Text(text)
        return nodes.reference("", "", inner, refuri=uri if "://" in uri else up + uri, classes=classes or [])

    section = nodes.section(ids=["subscribe"], classes=["bl-subscribe"])
    section += nodes.title("", "", *bi_nodes("订阅", "Subscribe"))
    pair = lang_pair(classes=["bl-pair"])

    def chips(names: list[tuple[str, str, str | None]]) -> nodes.inline:
        holder = nodes.inline(classes=["bl-feed-links"])
        for text, uri, lang in names:
            holder += link(text, uri, lang, classes=["bl-feed"])
        return holder

    texts = {
        "zh": [
            [nodes.strong("", "阅读器："),
             nodes.Text("把下面的链接复制到 RSS 阅读器（如 Feedly、Inoreader、NetNewsWire），"
                        "每期全文自动送到。全文：")],
            [chips([("中文", "feeds/zh.xml", None), ("English", "feeds/en.xml", "en"),
                    ("双语", "feeds/both.xml", None)])],
            [nodes.Text("只看标题和摘要："), link("RSS", "feed.xml", "en"), nodes.Text("。每个"),
             link("话题", "topics/index.html"), nodes.Text("也有自己的订阅源。")],
            [nodes.strong("", "邮件："), nodes.Text("每期都有邮件版，分中文、英文和双语三种。")]
            + ([link("在此订阅邮件", signup), nodes.Text("。")] if signup else
               [nodes.Text("邮件订阅尚未开放；在此之前，请用上面的订阅源。")]),
        ],
        "en": [
            [nodes.strong("", "Feed reader: "), nodes.Text("paste a link below into a feed reader (Feedly, Inoreader, "
                                                         "NetNewsWire) and every issue arrives in full. Full text:")],
            [chips([("中文", "feeds/zh.xml", "zh-CN"), ("English", "feeds/en.xml", None),
                    ("双语", "feeds/both.xml", "zh-CN")])],
            [nodes.Text("Headlines and summaries only: "), link("RSS", "feed.xml"), nodes.Text(". Every "),
             link("topic", "topics/index.html"), nodes.Text(" has a feed of its own.")],
            [nodes.strong("", "Email: "), nodes.Text("every issue has an email edition, in Chinese, English or both. ")]
            + ([link("Sign up for the email", signup), nodes.Text(".")] if signup else
               [nodes.Text("Email sign-up is not open yet; until then, use a feed above.")]),
        ],
    }
    for lang, code in (("zh", "zh-CN"), ("en", "en")):
        block = lang_block(lang=code, classes=["bl-block", f"bl-{lang}"], source_lang=lang, gap="")
        for parts in texts[lang]:
            block += nodes.paragraph("", "", *parts)
        pair += block
    section += pair
    return [section]


def _resolve_subscribe(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    for placeholder in list(doctree.findall(subscribe_block)):
        placeholder.replace_self(_subscribe_nodes(app, docname))


def setup_feeds(app: Sphinx) -> None:
    app.add_node(subscribe_block)
    app.add_directive("subscribe", SubscribeDirective)
    app.connect("doctree-resolved", _resolve_subscribe)
