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
"""

from __future__ import annotations

import logging as std_logging
import re
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ConfigError
from sphinx.search.zh import SearchChinese

TERMS_FILE = "search/zh-terms.txt"
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


def _config_inited(app: Sphinx, config) -> None:
    path = Path(app.srcdir) / TERMS_FILE
    if not path.is_file():
        raise ConfigError(f"{TERMS_FILE} is missing: the Chinese search needs the project's word list")
    config.html_search_language = "zh"
    # the words themselves, not the file's absolute path: the configuration (hashed into
    # .buildinfo) is the same wherever the book is, and changes when the list does
    config.html_search_options = {**(config.html_search_options or {}), "panda_terms": read_terms(path)}


def _drop_empty_terms(app: Sphinx):
    """Words no page holds any more leave the index, as in a clean build.

    Sphinx prunes a removed page from each word's set of pages, but keeps the
    word with an empty set: after an issue is removed, an incremental build's
    searchindex.js would differ from a clean build's.
    """
    indexer = getattr(app.builder, "indexer", None)
    if indexer is not None:
        for mapping in (indexer._mapping, indexer._title_mapping):
            for word in [w for w, docs in mapping.items() if not docs]:
                del mapping[word]
    return []


def setup_search(app: Sphinx) -> None:
    app.add_search_language(PandaSearchChinese)
    # html-collect-pages runs after the pages are indexed, before the index is written
    app.connect("html-collect-pages", _drop_empty_terms)
    app.connect("config-inited", _config_inited)
