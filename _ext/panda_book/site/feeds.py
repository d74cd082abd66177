"""Full-text feeds a reader or a mail service can use (site/editions.py's step writes them).

- ``feeds/zh.xml``, ``feeds/en.xml``, ``feeds/both.xml``: Atom, one entry per issue, newest first, whose
  content is the issue's email HTML in that language (without the preheader and the unsubscribe line: a mail
  service that sends a feed adds its own), so Buttondown's or Mailchimp's RSS-to-email sends a whole issue.
- ``topics/<tag>.xml``: Atom, one entry per story with the topic, newest first, in 双语.

Ids and dates come from the issues (their page and front matter) and the build date (reproducible.py), never
from the clock: two clean builds give the same bytes. ``feed.xml`` and ``atom.xml`` stay (archive.py).
"""

from __future__ import annotations

import re
from pathlib import Path

from sphinx.application import Sphinx

from newsletter.book import read_tags
from newsletter.edition import Edition
from newsletter.issue import issue_datetime

from .archive import _ATOM, _xml, base_url, issues_newest_first, render

FEED_TITLES = {"zh": "PANDA微短剧 · 中文全文", "en": "PANDA Mini-drama · English, full text",
               "both": "PANDA微短剧 · 双语全文 · Chinese and English, full text"}
_LANG = {"zh": "zh-CN", "en": "en", "both": "zh-CN"}


def _body(page: str) -> str:
    """What stands between ``<body ...>`` and ``</body>``: the content a feed reader shows."""
    start = re.search(r"<body[^>]*>", page)
    end = page.rfind("</body>")
    return page[start.end():end].strip() if start and end > 0 else page


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


def write_full_feeds(app: Sphinx, outdir: Path, issues: list[Edition]) -> None:
    from .editions import CODE, WORDS, blocks, email_html, shown_lang, sides_of
    from .reproducible import build_datetime

    base = base_url(app)
    updated = build_datetime().isoformat()
    when = {docname: issue_datetime(entry["meta"]).isoformat() for docname, entry in issues_newest_first(app.env)}
    folder = outdir / "feeds"
    folder.mkdir(exist_ok=True)
    for lang, title in FEED_TITLES.items():
        feed = _feed(title, f"{base}feeds/{lang}.xml", base, _LANG[lang], updated)
        for edition in issues:
            docname = edition.url.removeprefix(base).removesuffix(".html")
            link = f"{edition.url}?lang={lang}"
            _entry(feed, edition.subject(lang), link, link, when[docname],
                   _body(email_html(edition, lang, feed=True)), _LANG[lang])
        _xml(feed, folder / f"{lang}.xml")
    tags = read_tags(Path(app.srcdir))
    topics = outdir / "topics"
    topics.mkdir(exist_ok=True)
    for tag, names in tags.items():
        feed = _feed(f"PANDA微短剧 · {names['zh']} · {names['en']}", f"{base}topics/{tag}.xml",
                     f"{base}topics/{tag}.html", "zh-CN", updated)
        for edition in issues:
            docname = edition.url.removeprefix(base).removesuffix(".html")
            for story in edition.stories:
                if tag not in story.tags:
                    continue
                link = f"{edition.url}#story-{story.id}"
                content = render("editions/story.html", edition=edition, story=story, sides=sides_of("both"),
                                 code=CODE, words=WORDS, blocks=blocks(edition, "both", None), shown_lang=shown_lang)
                _entry(feed, " · ".join(h for h in (story.zh.headline, story.en.headline) if h), link, link,
                       when[docname], content, "zh-CN")
        _xml(feed, topics / f"{tag}.xml")
