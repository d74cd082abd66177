"""Check that every internal link, anchor and image of a built site resolves.

Usage:
    python tools/check_links.py                        # _build/html, base URL from _config.yml
    python tools/check_links.py SITE --base-url https://example.org/book/
    python tools/check_links.py --external             # also request each external link (needs a network)

Reads every file of the site (standard library only: ``html.parser`` for pages,
``xml.etree`` for feeds and sitemaps) and checks:

- in pages: ``href`` (``a``, ``area``, ``link`` of any ``rel``), ``src`` and
  ``srcset`` (``img``, ``source``, ``script``, ``iframe``, ...), ``poster``,
  ``object data``, ``form action``, the social-card and page URLs of ``og:`` and
  ``twitter:`` meta tags, and ``<meta name="panda-widgets">`` (the widget files
  panda.js loads);
- ``url()`` and ``@import`` in stylesheets, ``<link>``/``<loc>``/``<guid>`` and
  ``href`` in feeds and sitemaps, ``Sitemap:`` in robots.txt.

A link resolves when its file exists in the site (relative paths, ``../``,
query strings, ``folder/`` to ``folder/index.html``, percent-encoding), and its
``#fragment``, on a page, names an element's ``id`` or an ``<a name>``
(``#`` and ``#top`` are the top of the page). Absolute URLs under the base URL
(``html_baseurl``: feeds, sitemap, canonical and social tags) and root paths
under its path (the 404 page) are the site's own files. Everything else with a
scheme is external: listed, and requested (HEAD, then GET) only with
``--external`` or ``PANDA_CHECK_EXTERNAL=1``.

Prints each broken link as ``file:line: link: reason`` and the counts; exits 1
if a link is broken.
"""

from __future__ import annotations

import argparse
import os
import posixpath
import re
import sys
import urllib.error
import urllib.request
from collections import defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, unquote, urljoin, urlsplit
from xml.etree import ElementTree

#: (element, attribute) pairs that hold a URL; ``srcset`` holds several
URL_ATTRS = {
    "a": ("href",), "area": ("href",), "link": ("href",), "base": (),
    "img": ("src", "srcset"), "source": ("src", "srcset"), "script": ("src",), "iframe": ("src",),
    "embed": ("src",), "video": ("src", "poster"), "audio": ("src",), "track": ("src",),
    "input": ("src",), "object": ("data",), "form": ("action",), "image": ("href", "xlink:href"),
    "use": ("href", "xlink:href"), "blockquote": ("cite",), "q": ("cite",), "ins": ("cite",), "del": ("cite",),
}
#: references that are images
IMAGE_REFS = {("img", "src"), ("img", "srcset"), ("source", "srcset"), ("source", "src"), ("video", "poster"),
              ("input", "src"), ("image", "href"), ("image", "xlink:href")}
#: meta tags whose content is a URL (social cards, the page's own address)
META_URLS = {"og:image": True, "og:image:url": True, "og:image:secure_url": True, "twitter:image": True,
             "og:url": False, "og:video": False, "og:audio": False}
#: schemes that are not a place to check
SKIP_SCHEMES = {"data", "javascript", "mailto", "tel", "blob", "about"}
CSS_URL = re.compile(r"""url\(\s*(['"]?)(.*?)\1\s*\)|@import\s+(['"])(.*?)\3""", re.S)
CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)


@dataclass
class Ref:
    file: str
    line: int
    url: str
    image: bool = False


@dataclass
class Broken:
    file: str
    line: int
    url: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.url}: {self.reason}"


@dataclass
class Report:
    pages: int = 0
    other_files: int = 0
    links: int = 0
    images: int = 0
    anchors: int = 0
    external: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    broken: list[Broken] = field(default_factory=list)
    external_broken: list[Broken] = field(default_factory=list)
    #: Jinja templates that a theme copies into _static: not pages, not checked
    templates: list[str] = field(default_factory=list)

    def summary(self) -> str:
        skipped = f" ({len(self.templates)} Jinja templates of the theme skipped)" if self.templates else ""
        return (f"{self.pages} pages{skipped} and {self.other_files} feeds, sitemaps and stylesheets: "
                f"{self.links} internal links ({self.images} images), {self.anchors} anchors checked; "
                f"{len(self.external)} external links; {len(self.broken)} broken")


class _Page(HTMLParser):
    """One HTML page: its ids and anchor names, and every URL it refers to."""

    def __init__(self, name: str):
        super().__init__(convert_charrefs=True)
        self.name = name
        self.ids: set[str] = set()
        self.refs: list[Ref] = []
        self.base: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs_d = {k: (v or "") for k, v in attrs}
        line = self.getpos()[0]
        if "id" in attrs_d:
            self.ids.add(attrs_d["id"])
        if tag == "a" and "name" in attrs_d:
            self.ids.add(attrs_d["name"])
        if tag == "base" and attrs_d.get("href") and self.base is None:
            self.base = attrs_d["href"]
        if tag == "meta":
            key = attrs_d.get("property") or attrs_d.get("name") or ""
            if key in META_URLS and attrs_d.get("content"):
                self.refs.append(Ref(self.name, line, attrs_d["content"], META_URLS[key]))
            if key == "panda-widgets":
                self.refs += [Ref(self.name, line, u) for u in attrs_d.get("content", "").split()]
            return
        for attr in URL_ATTRS.get(tag, ()):
            value = attrs_d.get(attr)
            if value is None:
                continue
            image = (tag, attr) in IMAGE_REFS or (tag == "link" and "icon" in attrs_d.get("rel", "").split())
            if attr == "srcset":
                for candidate in value.split(","):
                    if candidate.strip():
                        self.refs.append(Ref(self.name, line, candidate.split()[0], image))
            else:
                self.refs.append(Ref(self.name, line, value, image))

    handle_startendtag = handle_starttag


def _xml_refs(name: str, text: str) -> list[Ref]:
    refs = []
    root = ElementTree.fromstring(text.encode("utf-8"))
    for element in root.iter():
        local = element.tag.rsplit("}", 1)[-1] if isinstance(element.tag, str) else ""
        if element.get("href"):
            refs.append(Ref(name, 0, element.get("href")))
        if local in ("link", "loc") and (element.text or "").strip():
            refs.append(Ref(name, 0, element.text.strip()))
        if local == "guid" and element.get("isPermaLink", "true") == "true" and (element.text or "").strip():
            refs.append(Ref(name, 0, element.text.strip()))
    return refs


def _css_refs(name: str, text: str) -> list[Ref]:
    refs = []
    text = CSS_COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    for match in CSS_URL.finditer(text):
        image = match.group(2) is not None  # url(): an image or a font; @import: a stylesheet
        url = match.group(2) if image else match.group(4)
        refs.append(Ref(name, text.count("\n", 0, match.start()) + 1, url.strip(), image))
    return refs


def is_template(text: str) -> bool:
    """A Jinja template (the themes copy ``webpack-macros.html`` into ``_static``), not a page."""
    return bool(re.search(r"\{%-?\s*(macro|block|extends|include|if|for)\b", text)) and not re.search(
        r"<html[\s>]", text, re.I)


def read_base_url(config: Path) -> str | None:
    """``html_baseurl`` of a Jupyter Book ``_config.yml`` (a plain text search: no YAML library needed)."""
    if not config.is_file():
        return None
    match = re.search(r"^\s*html_baseurl:\s*['\"]?([^'\"\s#]+)", config.read_text(encoding="utf-8"), re.M)
    return match.group(1) if match else None


class Checker:
    def __init__(self, site: Path, base_url: str | None = None):
        self.site = site.resolve()
        #: where the site is published; links to it are the site's own files
        self.base_url = (base_url.rstrip("/") + "/") if base_url else "https://site.invalid/"
        self.pages: dict[str, _Page] = {}
        self.report = Report()

    # -- reading -------------------------------------------------------------------
    def _page(self, rel: str) -> _Page | None:
        if rel not in self.pages:
            path = self.site / rel
            parser = _Page(rel)
            parser.feed(path.read_text(encoding="utf-8", errors="replace"))
            parser.close()
            self.pages[rel] = parser
        return self.pages[rel]

    def collect(self) -> list[Ref]:
        refs: list[Ref] = []
        for path in sorted(p for p in self.site.rglob("*") if p.is_file()):
            rel = path.relative_to(self.site).as_posix()
            suffix = path.suffix.lower()
            if suffix in (".html", ".htm"):
                if is_template(path.read_text(encoding="utf-8", errors="replace")):
                    self.report.templates.append(rel)
                    continue
                self.report.pages += 1
                refs += self._page(rel).refs
            elif suffix == ".css":
                self.report.other_files += 1
                refs += _css_refs(rel, path.read_text(encoding="utf-8", errors="replace"))
            elif suffix == ".xml":
                self.report.other_files += 1
                try:
                    refs += _xml_refs(rel, path.read_text(encoding="utf-8"))
                except ElementTree.ParseError as error:
                    self.report.broken.append(Broken(rel, error.position[0], "", f"not well-formed XML: {error}"))
            elif path.name == "robots.txt":
                self.report.other_files += 1
                for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                    if line.lower().startswith("sitemap:"):
                        refs.append(Ref(rel, n, line.split(":", 1)[1].strip()))
        return refs

    # -- checking ------------------------------------------------------------------
    def _target(self, ref: Ref) -> tuple[str | None, str, str | None]:
        """(site-relative file, fragment, why it is broken): file None and no reason for an
        external link or a URL that is not a place (data:, mailto:, ...)."""
        url = ref.url.strip()
        if urlsplit(url).scheme.lower() in SKIP_SCHEMES:
            return None, "", None
        page = self.pages.get(ref.file)
        here = urljoin(self.base_url, quote(ref.file))
        absolute = urljoin(urljoin(here, page.base) if page is not None and page.base else here, url)
        parts, site = urlsplit(absolute), urlsplit(self.base_url)
        if (parts.scheme, parts.netloc) != (site.scheme, site.netloc):
            self.report.external[url].append(f"{ref.file}:{ref.line}")
            return None, "", None
        path = unquote(parts.path)
        if not (path + "/").startswith(site.path):
            return None, parts.fragment, f"outside the site (not under {self.base_url})"
        rel = path[len(site.path):]
        target = self.site / rel
        if target.is_dir():
            rel = posixpath.join(rel, "index.html") if rel else "index.html"
            if not (self.site / rel).is_file():
                return None, parts.fragment, "a folder with no index.html"
        elif not target.is_file():
            return None, parts.fragment, "no such file"
        return rel, parts.fragment, None

    def check(self) -> Report:
        report = self.report
        refs = self.collect()
        for ref in refs:
            if not ref.url.strip() or ref.url.strip() == "#":
                continue
            rel, fragment, reason = self._target(ref)
            if rel is None and not reason:
                continue  # external, or not a place
            report.links += 1
            report.images += ref.image
            if reason:
                report.broken.append(Broken(ref.file, ref.line, ref.url, reason))
                continue
            if fragment and rel.endswith((".html", ".htm")):
                report.anchors += 1
                if fragment != "top" and not ({fragment, unquote(fragment)} & self._page(rel).ids):
                    report.broken.append(Broken(ref.file, ref.line, ref.url, f"{rel} has no id or name {fragment!r}"))
        return report

    def check_external(self, timeout: float = 15) -> list[Broken]:
        """Request each external link (HEAD, then GET where HEAD is refused)."""
        for url, places in sorted(self.report.external.items()):
            reason = _fetch(url, timeout)
            if reason:
                self.report.external_broken.append(Broken(places[0].rsplit(":", 1)[0],
                                                          int(places[0].rsplit(":", 1)[1]), url, reason))
        return self.report.external_broken


def _fetch(url: str, timeout: float) -> str | None:
    headers = {"User-Agent": "panda-minidrama-link-check/1.0"}
    for method in ("HEAD", "GET"):
        try:
            with urllib.request.urlopen(urllib.request.Request(url, method=method, headers=headers),
                                        timeout=timeout):
                return None
        except urllib.error.HTTPError as error:
            if method == "HEAD" and error.code in (403, 405, 501):
                continue
            return f"HTTP {error.code}"
        except (urllib.error.URLError, OSError) as error:
            return f"unreachable: {getattr(error, 'reason', error)}"
    return None


def check_site(site: Path, base_url: str | None = None, external: bool = False) -> Report:
    checker = Checker(site, base_url)
    checker.check()
    if external:
        checker.check_external()
    return checker.report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", nargs="?", default="_build/html", type=Path, help="the built site (_build/html)")
    parser.add_argument("--base-url", help="the address the site is published at (default: html_baseurl "
                                           "of _config.yml beside the site's _build)")
    parser.add_argument("--external", action="store_true", default=os.environ.get("PANDA_CHECK_EXTERNAL") == "1",
                        help="also request every external link (needs a network; PANDA_CHECK_EXTERNAL=1 does the same)")
    parser.add_argument("--list-external", action="store_true", help="print every external link and where it is")
    args = parser.parse_args(argv)
    if not args.site.is_dir():
        parser.error(f"{args.site} is not a folder: build the book first (jupyter-book build .)")
    base = args.base_url or read_base_url(args.site.resolve().parent.parent / "_config.yml")
    report = check_site(args.site, base, args.external)
    for broken in report.broken:
        print(broken)
    if args.list_external or args.external:
        for url, places in sorted(report.external.items()):
            print(f"external: {url} ({len(places)}x, first {places[0]})")
    for broken in report.external_broken:
        print(f"external {broken}")
    print(report.summary() + (f"; {len(report.external_broken)} external broken" if args.external else
                              " (external links not requested; --external)"))
    return 1 if report.broken or report.external_broken else 0


if __name__ == "__main__":
    sys.exit(main())
