"""A source's name on the page: in the language of its side, linking to the outlet's home page.

The registry is ``sources.yml`` (:func:`newsletter.book.read_sources`): each outlet's Chinese and English
names and its home page. A story's source line, the ``{figures}`` table, a chart's caption and the data page
draw a source through :func:`source_nodes` (one language) or :func:`bi_source_nodes` (both, for a table cell),
as ``<a class="bl-source-link" href="..." rel="noopener" lang="...">``: a link, not a loaded resource (the
page's policy is untouched). A source the registry lacks is the rule ``sources``' error (newsletter/rules.py),
which fails the build at its line; here it is drawn as written, unlinked.
"""

from __future__ import annotations

from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx

from .labels import sep

#: the ``lang`` of each side
CODES = {"zh": "zh-CN", "en": "en"}


class source_link(nodes.reference):
    """An outlet's name linking to its home page (a reference: the doctree gate checks its address too)."""


def _visit(self, node: source_link) -> None:
    # (starttag escapes the values; sources.yml allows http(s) addresses only)
    self.body.append(self.starttag(node, "a", "", href=node["refuri"], rel="noopener", lang=node["lang"]))


def _depart(self, node: source_link) -> None:
    self.body.append("</a>")


def registry(env) -> dict | None:
    """``sources.yml`` read (cached by its text), or None if it is malformed (the build has stopped on it)."""
    from newsletter.book import BookError, read_sources

    try:
        return read_sources(Path(env.srcdir))
    except BookError:
        return None


def source_nodes(name: str, lang: str, sources: dict | None, classes: tuple[str, ...] = ()) -> list[nodes.Node]:
    """The source ``name`` (as an issue writes it) in ``lang`` ("zh" or "en"), linking to its home page."""
    source = (sources or {}).get(name)
    if source is None:
        return [nodes.Text(name)]
    return [source_link("", source.name(lang), refuri=source.home(lang), lang=CODES[lang],
                        classes=["bl-source-link", *classes])]


def bi_source_nodes(name: str, sources: dict | None) -> list[nodes.Node]:
    """The source in both languages, each half shown by the reading switch (``bl-zh`` / ``bl-en``)."""
    if name not in (sources or {}):
        return [nodes.Text(name)]
    return [*source_nodes(name, "zh", sources, ("bl-zh",)), sep(), *source_nodes(name, "en", sources, ("bl-en",))]


def setup_sources(app: Sphinx) -> None:
    app.add_node(source_link, html=(_visit, _depart))
