"""The newsletter around the issues: archive, topics, feeds, social cards, sitemap, 404.

Everything here is generated from the issues as Sphinx reads them (never kept
by hand):

- ``{issue-archive}``: the latest issue, then every issue, newest first, with
  its number, date and headlines in both languages (``archive.md``); with
  ``:recent: N`` (the home page) the latest N only and a link to the page of
  all issues, so the home page, which Sphinx writes on every build, stays the
  same size at 1,000 issues;
- a page per topic of ``tags.yml`` (``topics/<tag>.html``) and ``topics/index``,
  listing the stories that carry it across issues;
- ``feed.xml`` (RSS 2.0) and ``atom.xml`` with bilingual titles and summaries,
  dates from the issues' front matter and absolute links under ``html_baseurl``;
- (OpenGraph and Twitter meta tags and the social cards: cards.py);
- ``sitemap.xml``, ``robots.txt`` and a bilingual, self-contained ``404.html``.
"""

from __future__ import annotations

import functools
import hashlib
import html
import re
from email.utils import format_datetime
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import directives
from markupsafe import Markup
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from newsletter.issue import issue_datetime

from ..directives.labels import bi_date, bi_date_html, bi_html, bi_nodes, english_count
from ..model.store import IssueStore, book_state, pages_to_rewrite, run_state

logger = logging.getLogger(__name__)

SITE_DESCRIPTION = ("PANDA微短剧，网罗行业热点不迷路！Catch the pulse of mini-drama. "
                    "Follow PANDA and stay tuned!")


class issue_archive(nodes.General, nodes.Element):
    """Placeholder for the home page's latest issue and archive."""


def _store(env) -> dict:
    return IssueStore.of(env)


def headline_nodes(story: dict) -> list[nodes.Node]:
    """A story's headlines as a link's name: where the source has one language only, that one
    in every mode (labels.bi_nodes's fill), so a link has a name in every reading mode."""
    return bi_nodes(story["zh"], story["en"], fill=True)


def issues_newest_first(env) -> list[tuple[str, dict]]:
    """Issues by number, newest first: the number is the issue order (a date may give the month only, and
    "2025-11" sorts before "2025-11-20" as text: the attack review's mixed dates put issue 3 before issue 2)."""
    def key(item):
        meta = item[1]["meta"]
        return (int(meta.get("number", 0) or 0), str(meta.get("date", "")))

    return sorted(_store(env).items(), key=key, reverse=True)


def issue_name(meta: dict) -> tuple[str, str]:
    number = meta.get("number", "?")
    return f"第{number}期", f"Issue {number}"


class IssueArchiveDirective(SphinxDirective):
    option_spec = {"recent": directives.positive_int}

    def run(self):
        node = issue_archive()
        node["recent"] = self.options.get("recent")
        IssueStore.listed_by(self.env)[self.env.docname] = node["recent"]  # None: the full archive
        return [node]


def _headlines(app, fromdoc: str, docname: str, stories) -> nodes.bullet_list:
    items = nodes.bullet_list(classes=["bl-headlines"])
    for story in stories:
        uri = app.builder.get_relative_uri(fromdoc, docname) + f"#story-{story['id']}"
        para = nodes.paragraph("", "", nodes.reference("", "", *headline_nodes(story),
                                                       refuri=uri, internal=True))
        items += nodes.list_item("", para)
    return items


def _resolve(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    for placeholder in list(doctree.findall(issue_archive)):
        issues = issues_newest_first(app.env)
        recent, total = placeholder.get("recent"), len(issues)
        if recent is not None:
            issues = issues[:recent]
        out: list[nodes.Node] = []
        for i, (issue_doc, entry) in enumerate(issues):
            meta = entry["meta"]
            zh, en = issue_name(meta)
            uri = app.builder.get_relative_uri(docname, issue_doc)
            section = nodes.section(ids=["latest-issue" if i == 0 else nodes.make_id(f"archive-{issue_doc}")],
                                    classes=["bl-latest" if i == 0 else "bl-archive-item"])
            title = nodes.title()
            if i == 0:
                title += bi_nodes("最新一期", "Latest issue")
                title += nodes.Text(": ")
            title += nodes.reference("", "", *bi_nodes(zh, en), refuri=uri, internal=True)
            section += title
            section += nodes.paragraph("", "", bi_date(meta), classes=["bl-issue-date"])
            section += _headlines(app, docname, issue_doc, entry["stories"])
            if i == 1:
                names = ("近期", "Recent issues") if recent is not None else ("往期", "Archive")
                heading = nodes.rubric("", "", *bi_nodes(*names), classes=["bl-archive-heading"])
                out.append(heading)
            out.append(section)
        if not issues:
            out.append(nodes.paragraph("", "", *bi_nodes("还没有发布的期刊。", "No issue yet.")))
        # where "all issues" links to
        full = next((d for d, recent in sorted(IssueStore.listed_by(app.env).items()) if recent is None), None)
        if recent is not None and full in app.env.all_docs and total:
            link = nodes.reference("", "", *bi_nodes(f"全部往期（{total}期）", f"All issues ({total})"),
                                   refuri=app.builder.get_relative_uri(docname, full), internal=True)
            out.append(nodes.paragraph("", "", link, classes=["bl-all-issues"]))
        placeholder.replace_self(out)


def _updated(app, env) -> list[str]:
    # The home page lists every issue with its headlines: written again when
    # they (or an issue's number, date, topics) change, and only then.
    pages = pages_to_rewrite(env, _store(env), "archive", IssueStore.listed_by(env))
    # The topic pages show the same store, through tags.yml, in the theme the
    # configuration chooses: a digest of the three decides whether they are
    # written again (Sphinx would write them on every build, 5 MB at 500 issues).
    from newsletter.book import read_tags

    info = getattr(app.builder, "build_info", None)
    state = book_state(env)
    now = hashlib.sha256(repr((state.store_digests["archive"], read_tags(Path(app.srcdir)),
                               getattr(info, "config_hash", ""), getattr(info, "tags_hash", ""))).encode()).hexdigest()
    run_state(app).topics_changed = state.topics_digest != now
    state.topics_digest = now
    return pages


# ---- topics ---------------------------------------------------------------------

def _topic_pages(app: Sphinx):
    from newsletter.book import read_tags

    tags = read_tags(Path(app.srcdir))
    issues = issues_newest_first(app.env)
    topics = []
    for tag, names in tags.items():
        rows = []
        for docname, entry in issues:
            zh, en = issue_name(entry["meta"])
            rows += [{"href": f"../{docname}.html#story-{story['id']}", "zh": story["zh"], "en": story["en"],
                      "issue_zh": zh, "issue_en": en, "date": Markup(bi_date_html(entry["meta"]))}
                     for story in entry["stories"] if tag in story["tags"]]
        body = render("topic.html", names=names, rows=rows)
        topics.append({"tag": tag, "zh": names["zh"], "en": names["en"], "count": len(rows)})
        # Sphinx's templates print a page's title as HTML: tags.yml's names are data, escaped here
        title = html.escape(f"{names['zh']} · {names['en']}")
        if _write_topic(app, f"topics/{tag}", body):
            yield f"topics/{tag}", {"title": title, "pagetitle": title, "body": body}, "page.html"
    body = render("topics.html", topics=topics)
    if _write_topic(app, "topics/index", body):
        yield "topics/index", {"title": "话题 · Topics", "pagetitle": "话题 · Topics", "body": body}, "page.html"


@functools.cache
def _templates():
    """The generated pages' templates (site/templates/), autoescaped: what they print from data is escaped."""
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
                             autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    env.globals["bi"] = lambda zh, en, fill=False: Markup(bi_html(zh, en, fill))  # the one bilingual label (labels.py)
    env.globals["en_count"] = english_count  # "1 story", "4 stories"
    return env


def render(name: str, **context) -> str:
    """A generated page (or page body) from its template in site/templates/."""
    return _templates().get_template(name).render(**context)


def _write_topic(app: Sphinx, pagename: str, body: str) -> bool:
    """Whether to write a topic page: what it shows changed (``_updated``), the page written last time does
    not hold this body (the code that draws it changed), or a template is newer than the page."""
    run = run_state(app)
    if run.topics_changed or run.fresh_env:  # a new environment: the sweep removes every page not written again
        return True
    path = Path(app.outdir) / f"{pagename}.html"
    try:
        written = path.stat().st_mtime
        if body not in path.read_text(encoding="utf-8"):
            return True
    except (OSError, UnicodeDecodeError):
        return True
    return written < app.builder.templates.newest_template_mtime()


# ---- feeds, sitemap, robots, 404 --------------------------------------------------

def base_url(app: Sphinx) -> str:
    url = app.config.html_baseurl or ""
    return url if url.endswith("/") else url + "/"


def page_url(app: Sphinx, docname: str) -> str:
    """A page's absolute address (the home page's is the site's own)."""
    return base_url(app) + (docname + ".html" if docname != "index" else "")


def _summary(entry) -> str:
    return " / ".join(" · ".join(p for p in (s["zh"], s["en"]) if p) for s in entry["stories"])


_ATOM = "http://www.w3.org/2005/Atom"
_SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"


def _xml(root, path: Path) -> None:
    """An ElementTree written as UTF-8 with its declaration (every text and attribute escaped by it). A tree's
    default namespace is its root's ``xmlns`` attribute, so its elements are written without a prefix."""
    from xml.etree import ElementTree as ET

    for element in root.iter():  # what XML forbids (the rules refuse it in an issue) never makes a feed unreadable
        element.text = _xml_safe(element.text)
        element.tail = _xml_safe(element.tail)
        for key, value in element.attrib.items():
            element.attrib[key] = _xml_safe(value)
    path.write_bytes(ET.tostring(root, encoding="UTF-8", xml_declaration=True) + b"\n")


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _xml_safe(text: str | None) -> str | None:
    return _NOT_XML.sub("\ufffd", text) if text else text


def write_feeds(app: Sphinx, outdir: Path) -> None:
    from xml.etree.ElementTree import Element, SubElement

    from .reproducible import build_datetime

    base = base_url(app)
    title = "PANDA微短剧 · Mini-drama newsletter"
    updated = build_datetime()  # the build date: SOURCE_DATE_EPOCH, last commit or newest issue, not the clock

    def text(parent, tag: str, value: str, **attrs):
        element = SubElement(parent, tag, attrs)
        element.text = value
        return element

    rss = Element("rss", {"version": "2.0", "xmlns:atom": _ATOM})
    channel = SubElement(rss, "channel")
    text(channel, "title", title)
    text(channel, "link", base)
    text(channel, "description", SITE_DESCRIPTION)
    text(channel, "language", "zh-cn")
    text(channel, "lastBuildDate", format_datetime(updated))
    SubElement(channel, "atom:link", {"href": f"{base}feed.xml", "rel": "self", "type": "application/rss+xml"})
    atom = Element("feed", {"xmlns": _ATOM, "xml:lang": "zh-CN"})
    text(atom, "title", title)
    text(atom, "subtitle", SITE_DESCRIPTION)
    SubElement(atom, "link", {"href": base})
    SubElement(atom, "link", {"rel": "self", "href": f"{base}atom.xml"})
    text(atom, "id", base)
    text(atom, "updated", updated.isoformat())
    text(SubElement(atom, "author"), "name", "PANDA")
    for docname, entry in issues_newest_first(app.env):
        zh, en = issue_name(entry["meta"])
        link = f"{base}{docname}.html"
        when = issue_datetime(entry["meta"])
        item = SubElement(channel, "item")
        text(item, "title", f"{zh} · {en}")
        text(item, "link", link)
        text(item, "guid", link, isPermaLink="true")
        text(item, "pubDate", format_datetime(when))
        text(item, "description", _summary(entry))
        node = SubElement(atom, "entry")
        text(node, "title", f"{zh} · {en}")
        SubElement(node, "link", {"href": link})
        text(node, "id", link)
        text(node, "updated", when.isoformat())
        text(node, "published", when.isoformat())
        text(node, "summary", _summary(entry))
    _xml(rss, outdir / "feed.xml")
    _xml(atom, outdir / "atom.xml")


def write_sitemap(app: Sphinx, outdir: Path) -> None:
    from xml.etree.ElementTree import Element, SubElement

    base = base_url(app)
    pages = sorted(p.relative_to(outdir).as_posix() for p in outdir.rglob("*.html")
                   if not p.relative_to(outdir).as_posix().startswith(("_static/", "_sources/"))
                   and p.name not in ("404.html", "genindex.html", "search.html"))
    urlset = Element("urlset", {"xmlns": _SITEMAP})
    for page in pages:
        SubElement(SubElement(urlset, "url"), "loc").text = base + page
    _xml(urlset, outdir / "sitemap.xml")
    (outdir / "robots.txt").write_text(f"User-agent: *\nAllow: /\nSitemap: {base}sitemap.xml\n", encoding="utf-8")


#: the 404 page's own styles (it is served at any depth and links no theme assets); the one inline
#: <style> of the site, allowed by its hash (csp.py)
PAGE_404_STYLE = """
body { font-family: "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", system-ui, sans-serif; max-width: 36rem;
  margin: 4rem auto; padding: 0 1rem; line-height: 1.7; color: #222; background: #fff; }
@media (prefers-color-scheme: dark) { body { color: #eee; background: #121212; } a { color: #8ab4f8; } }
h1 { font-size: 1.6rem; } input { font: inherit; padding: .3rem .5rem; }
"""


def write_404(app: Sphinx, outdir: Path) -> None:
    # served for any missing path at any depth: absolute links only, no theme assets
    path = re.sub(r"^https?://[^/]+", "", base_url(app))
    (outdir / "404.html").write_text(render("404.html", path=path, style=PAGE_404_STYLE), encoding="utf-8")


def write_site_files(app: Sphinx) -> None:
    """Topics no longer listed swept; feeds, sitemap, robots.txt and the 404 page written (postbuild.py)."""
    outdir = Path(app.outdir)
    _sweep_topics(app, outdir)
    write_feeds(app, outdir)
    write_sitemap(app, outdir)
    write_404(app, outdir)


def _sweep_topics(app: Sphinx, outdir: Path) -> None:
    """A topic tags.yml no longer lists leaves no page and no feed (a clean build would not write them)."""
    from newsletter.book import read_tags

    tags = read_tags(Path(app.srcdir))
    keep = {f"{tag}.html" for tag in tags} | {f"{tag}.xml" for tag in tags} | {"index.html"}
    for page in sorted([*(outdir / "topics").glob("*.html"), *(outdir / "topics").glob("*.xml")]):
        if page.name not in keep:
            page.unlink()


def _check_baseurl(app: Sphinx, config) -> None:
    """html_baseurl goes into feeds, cards, meta tags and the sitemap: an address, and nothing that could end
    an attribute or a tag where it is written (it is escaped there too)."""
    from urllib.parse import urlsplit

    from sphinx.errors import ConfigError

    url = config.html_baseurl or ""
    parts = urlsplit(url) if re.fullmatch(r"[A-Za-z0-9\-._~:/?#\[\]@!$&()*+,;=%]+", url) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ConfigError(f"_config.yml: html_baseurl {url!r} is not the address of a site; set 'sphinx: config: "
                          "html_baseurl' to the address the book is published at (e.g. https://<user>.github.io/"
                          "<repo>/), without quotes, spaces, <, > or a query; feeds, cards and the sitemap need it")


def setup_archive(app: Sphinx) -> None:
    app.add_node(issue_archive)
    app.add_directive("issue-archive", IssueArchiveDirective)
    app.connect("config-inited", _check_baseurl)
    app.connect("env-get-updated", _updated)
    app.connect("doctree-resolved", _resolve)
    app.connect("html-collect-pages", _topic_pages)
