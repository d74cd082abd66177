"""Search in Chinese and English.

The index: Sphinx's Chinese search (``html_search_language: zh``) cuts Chinese
text into words with jieba and stems English words. jieba does not know the
field's terms, so ``search/zh-terms.txt`` (one word per line, ``#`` comments)
is added to its dictionary; a malformed line fails the build with its line.

The query: Sphinx splits a query only where there is a space or punctuation, so
an unspaced Chinese phrase (就业人数, 微短剧产业) is one term that no page holds.
The splitter below cuts each run of Chinese characters into the longest words
that the index itself contains (forward maximum matching), so a query finds
the pages that contain its words; English keeps Sphinx's stemming.

Numbers: each figure record of an issue (its ``{figures}`` block) puts one term
for its value into the index, ``#`` and the value in digits (``#2030000``), for
the issue's page and the data page. The search page's script
(static/panda-search.js, around this splitter) turns a number the reader types,
in either language's form (203万, 2.03 million, 2,030,000, 2030000), into the
same term, so either form finds the issue whose text holds the other. A number
no figure has is split as before.

Topic pages (``topics/*.html``, written by archive.py from tags.yml) are no
Sphinx documents, so Sphinx drops them from the index on every build: they are
indexed again each build, from the same store and tags.yml their pages come from.

Interface text (gap markers, buttons, the separator, visually hidden labels:
:data:`INTERFACE_CLASSES`, :data:`GAP_TEXTS`) is kept out of the index; the
search page's script keeps it out of the snippets, writes the result message
in the reading mode's language(s), requires every word of the query, and gives
each result link the terms that matched its page (``?hl=``, which static/panda.js
highlights; Sphinx's own stored terms are dropped).
"""

from __future__ import annotations

import json
import logging as std_logging
import re
from contextlib import contextmanager
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.errors import ConfigError
from sphinx.search.zh import SearchChinese

from ..directives.bilingual import GAP_TEXT
from ..directives.labels import bi_html
from ..model.store import FigureStore

TERMS_FILE = "search/zh-terms.txt"
#: classes of interface elements: gap markers and their notes, the note before a headline shown in the
#: other language, the reveal button, the separator of a bilingual label, the reading switch, topic links,
#: the reading time, heading anchors, labels for screen readers only, what only scripts or only print
#: show. Neither indexed nor shown in a snippet, nor highlighted (static/panda-search.js and
#: static/panda.js read the same list; tests/test_search.py holds them to it).
INTERFACE_CLASSES = ("bl-gap", "bl-gap-note", "bl-fill-note", "bl-reveal", "bl-sep", "bl-switch", "bl-tags",
                     "bl-reading-time", "headerlink", "visually-hidden", "pst-js-only", "d-print-none", "onlyprint",
                     # the closing: other issues' headlines and the share block are navigation, not this page's
                     "bl-closing",
                     # the issue's PDF links (site/pdf.py): the names of the editions, not the issue's text
                     "bl-pdf-links")
#: what the reader sees where a text is missing (bilingual.py), bare or in ⟨ ⟩ (archive.py's headlines)
GAP_TEXTS = tuple(sorted(set(GAP_TEXT.values())))
#: the start of a number's term in the index: no word starts with it, and Sphinx's stemmer keeps it
NUMBER_PREFIX = "#"
#: jieba's frequency for a listed word with none given: high enough that jieba
#: keeps it whole next to common characters (与非遗 -> 与 + 非遗, not 与非 + 遗).
DEFAULT_FREQ = 100000

SPLITTER_JS = r"""
var splitQuery = (query) => {
  const index = (typeof Search !== "undefined" && Search._index) || {};
  const known = (word) => (index.terms && Object.prototype.hasOwnProperty.call(index.terms, word)) ||
    (index.titleterms && Object.prototype.hasOwnProperty.call(index.titleterms, word));
  const out = [];
  query.split(/[^\p{Letter}\p{Number}_\p{Emoji_Presentation}]+/gu).filter((t) => t).forEach((part) => {
    (part.match(/\p{Script=Han}+|[^\p{Script=Han}]+/gu) || []).forEach((run) => {
      if (!/\p{Script=Han}/u.test(run) || run.length < 3 || known(run)) { out.push(run); return; }
      // forward maximum matching against the index's own words
      const words = [];
      let i = 0;
      while (i < run.length) {
        let j = Math.min(run.length, i + 8);
        while (j > i + 1 && !known(run.slice(i, j))) j--;
        if (j > i + 1) { words.push(run.slice(i, j)); i = j; } else { i += 1; }
      }
      // nothing known: keep the phrase, so the search reports no match
      out.push(...(words.length ? words : [run]));
    });
  });
  return out;
};
"""


def read_terms(path: Path) -> list[tuple[str, int | None]]:
    """The terms of ``zh-terms.txt``; a bad line raises with its number and the fix."""
    terms = []
    for lineno, raw in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        if len(parts) > 2 or (len(parts) == 2 and not re.fullmatch(r"\d+", parts[1])):
            raise ConfigError(f"{path}:{lineno}: {raw!r} is not 'word' or 'word frequency'; "
                              "write one word per line, optionally followed by a whole number")
        terms.append((parts[0], int(parts[1]) if len(parts) == 2 else None))
    return terms


class PandaSearchChinese(SearchChinese):
    """Sphinx's Chinese search with the project dictionary and a query splitter."""

    js_splitter_code = SPLITTER_JS

    def init(self, options: dict) -> None:
        import jieba

        jieba.setLogLevel(std_logging.WARNING)  # its progress lines go to stderr
        for word, freq in options["panda_terms"]:
            jieba.add_word(word, freq or DEFAULT_FREQ)
        super().init({})
        # Sphinx keeps every Latin word of the site in a list and searches it for
        # each word it stems: quadratic in the size of the book (83 s of a
        # 330 s build at 80 issues). A set, and a memo of stems, give the same
        # index; stem() only asks whether the word was seen, never where.
        self.latin_terms = set()
        self._stems: dict[tuple[str, bool], str] = {}

    def split(self, input: str) -> list[str]:
        import jieba

        latin = [term.strip() for term in self.latin1_letters.findall(input)]
        self.latin_terms.update(latin)
        return list(jieba.cut_for_search(input)) + latin

    def stem(self, word: str) -> str:
        key = (word, word in self.latin_terms)
        if key not in self._stems:
            self._stems[key] = super().stem(word)
        return self._stems[key]


def number_term(value: float) -> str:
    """The index's term for a number: ``#`` and its value in digits (``#2030000``, ``#36.85``).

    static/panda-search.js makes the same term from the number a reader types.
    """
    value = round(float(value), 6)
    return NUMBER_PREFIX + (str(int(value)) if value.is_integer() else repr(value))


def is_interface(node: nodes.Node) -> bool:
    """An element of the reader's tools (:data:`INTERFACE_CLASSES`) or a gap marker's text.

    A bilingual label's separator is not: it has no words, and keeps the halves of a title apart.
    """
    if isinstance(node, nodes.Text):
        return node.astext().strip().removeprefix("⟨").removesuffix("⟩") in GAP_TEXTS
    return isinstance(node, nodes.Element) and any(c in INTERFACE_CLASSES and c != "bl-sep"
                                                   for c in node.get("classes", ()))


def _is_separator(node: nodes.Node | None) -> bool:
    return isinstance(node, nodes.inline) and "bl-sep" in node.get("classes", ())


def _interface_nodes(doctree: nodes.document) -> list[nodes.Node]:
    """The interface nodes of a page in document order, each gap's half of a label with its separator."""
    found: list[nodes.Node] = []
    for node in doctree.findall(is_interface):
        if isinstance(node, nodes.Text) and isinstance(node.parent, nodes.inline) and len(node.parent) == 1:
            node = node.parent  # a gap's text alone in its half of a label: the half goes
        parent = node.parent
        if parent is None or any(node is f for f in found):
            continue
        at = parent.index(node)
        after = parent[at + 1] if at + 1 < len(parent) else None
        before = parent[at - 1] if at else None
        if _is_separator(before) and not any(before is f for f in found):
            found.append(before)
        found.append(node)
        if _is_separator(after) and not _is_separator(before):
            found.append(after)
    return found


@contextmanager
def without_interface(doctree: nodes.document):
    """The page as the index reads it, without its interface text: the nodes are taken out for the
    while and put back in their places (a copy of a page costs 20 times more)."""
    taken = []
    for node in reversed(_interface_nodes(doctree)):
        parent = node.parent
        if parent is not None:
            taken.append((parent, parent.index(node), node))
            parent.remove(node)
    try:
        yield doctree
    finally:
        for parent, at, node in reversed(taken):
            parent.insert(at, node)


def _index_pages_without_interface(app: Sphinx) -> None:
    """Each page is indexed without its interface text (Sphinx indexes every text node of a page)."""
    builder = app.builder
    original = getattr(builder, "index_page", None)
    if original is None or getattr(original, "panda_search", False):
        return

    def index_page(pagename: str, doctree: nodes.document, title: str) -> None:
        with without_interface(doctree) as read:
            original(pagename, read, title)

    index_page.panda_search = True
    builder.index_page = index_page


def _topic_doctree(title: str, texts: list[str]) -> nodes.document:
    from sphinx.util.docutils import new_document

    doctree = new_document("<topic>")
    section = nodes.section(ids=["topic"])
    section += nodes.title("", title)
    section += [nodes.paragraph("", text) for text in texts if text]
    doctree += section
    return doctree


def _index_topics(app: Sphinx, indexer) -> None:
    """The topic pages, from the data their pages are written from (archive.py): their names and the
    headlines and issues of their stories."""
    from newsletter.book import read_tags

    from .archive import issue_name, issues_newest_first

    tags = read_tags(Path(app.srcdir))
    issues = issues_newest_first(app.env)
    for tag, names in tags.items():
        texts = []
        for _docname, entry in issues:
            stories = [story for story in entry["stories"] if tag in story["tags"]]
            if stories:
                texts += issue_name(entry["meta"])
                texts += [story[lang] or "" for story in stories for lang in ("zh", "en")]
        title = f"{names['zh']} · {names['en']}"
        indexer.feed(f"topics/{tag}", "tags.yml", bi_html(names["zh"], names["en"]), _topic_doctree(title, texts))
    all_names = [name for names in tags.values() for name in (names["zh"], names["en"])]
    indexer.feed("topics/index", "tags.yml", bi_html("话题", "Topics"), _topic_doctree("话题 · Topics", all_names))
    # Sphinx keeps only its documents when it writes the index: these pages too
    pages = {f"topics/{tag}" for tag in tags} | {"topics/index"}
    prune = indexer.prune
    indexer.prune = lambda docnames: prune(set(docnames) | pages)


def _index_numbers(app: Sphinx, indexer) -> None:
    """Each figure record's value as one term (:func:`number_term`), on its issue and on the pages that
    list every figure (the data page). Made again on every build from the records, as a clean build would."""
    mapping = indexer._mapping
    for term in [t for t in mapping if t.startswith(NUMBER_PREFIX)]:
        del mapping[term]
    store = FigureStore.of(app.env)
    listing = [d for d in FigureStore.listed_by(app.env) if d in app.env.all_docs]
    for docname, entry in store.items():
        for record in entry["records"]:
            mapping.setdefault(number_term(record.value), set()).update([docname, *listing])


def _complete_index(app: Sphinx):
    """Once every page is indexed, before the index is written: the topic pages and the figures' numbers
    added, and the words no page holds any more dropped."""
    indexer = getattr(app.builder, "indexer", None)
    if indexer is not None:
        _index_topics(app, indexer)
        _index_numbers(app, indexer)
        _drop_empty_terms(indexer)
    return []


def _search_page_context(app: Sphinx, pagename: str, templatename: str, context, doctree) -> None:
    if pagename == "search":
        # what static/panda-search.js keeps out of a snippet, on the search page (templates/search.html)
        context["panda_search_config"] = json.dumps({"skip": INTERFACE_CLASSES, "gaps": GAP_TEXTS},
                                                    ensure_ascii=False)


def _config_inited(app: Sphinx, config) -> None:
    path = Path(app.srcdir) / TERMS_FILE
    if not path.is_file():
        raise ConfigError(f"{TERMS_FILE} is missing: the Chinese search needs the project's word list")
    config.html_search_language = "zh"
    # the words themselves, not the file's absolute path: the configuration (hashed into
    # .buildinfo) is the same wherever the book is, and changes when the list does
    config.html_search_options = {**(config.html_search_options or {}), "panda_terms": read_terms(path)}


def _drop_empty_terms(indexer) -> None:
    """Words no page holds any more leave the index, as in a clean build.

    Sphinx prunes a removed page from each word's set of pages, but keeps the
    word with an empty set: after an issue is removed, an incremental build's
    searchindex.js would differ from a clean build's.
    """
    for mapping in (indexer._mapping, indexer._title_mapping):
        for word in [w for w, docs in mapping.items() if not docs]:
            del mapping[word]


def setup_search(app: Sphinx) -> None:
    app.add_search_language(PandaSearchChinese)
    app.connect("builder-inited", _index_pages_without_interface)
    # html-collect-pages runs after the pages are indexed, before the index is written
    app.connect("html-collect-pages", _complete_index)
    app.connect("html-page-context", _search_page_context)
    app.connect("config-inited", _config_inited)
