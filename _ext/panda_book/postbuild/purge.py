"""Drop the theme CSS rules that nothing in the built site can match.

pydata-sphinx-theme ships one 397 KB stylesheet (all of Bootstrap 5 and all of
Font Awesome's 1,900 icon rules) that every page loads. After the build, each
theme stylesheet in ``_static`` is rewritten without the rules whose classes
appear nowhere in the site: a class counts as used if it appears as a word in
any built HTML page, any of the book's and Sphinx's scripts in ``_static`` or
any widget state, the approach of PurgeCSS. Two scripts are not read, because
they name every class they could ever use: Bootstrap's bundle (the theme uses
its tooltips and dropdowns only; the classes those add at run time, such as
``bs-tooltip-top``, ``show``, ``fade``, are kept by the safelist below) and the
widget bundle in ``_vendor`` (it brings its own styles).
Classes inside ``:not()``, ``:is()``, ``:where()`` or ``:has()`` never decide
anything; at-rules other than ``@media``/``@supports``/``@layer`` are kept whole,
except Font Awesome's ``@font-face`` (the book draws its icons in panda.css).
"""

from __future__ import annotations

import pickle
import re
from array import array
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

#: stylesheets to purge, relative to _static (the book's own panda.css is small and kept)
TARGETS = ("styles/pydata-sphinx-theme.css", "styles/sphinx-book-theme.css", "basic.css", "mystnb.*.css")

#: classes scripts add at run time without spelling them out whole
SAFELIST = re.compile(
    r"^(bs-tooltip|tooltip|dropdown|collaps|fade|show|showing|hiding|active|disabled|focus|pst-|"
    r"search|highlighted|scrolled|visually-hidden)")
#: scripts left out of the corpus (see the module doc)
UNREAD = ("_vendor", "bootstrap.js")

_WORD = re.compile(r"[A-Za-z0-9_-]+")
_CLASS = re.compile(r"\.((?:[A-Za-z0-9_-]|\\.)+)")
_GROUPING = ("@media", "@supports", "@layer", "@container")


class _Words:
    """The words of each built file, kept between builds as numbers into one vocabulary.

    A file whose size and mtime have not changed since the last build is not
    read again, so an incremental build reads only the files it wrote; the
    vocabulary only grows, so a file's numbers stay valid and only the files that
    changed are encoded again. On disk: (vocabulary, {file: ((size, mtime), ids)}).
    """

    def __init__(self, cache: Path | None):
        self.cache = cache
        self.vocab: list[str] = []
        self.files: dict[str, tuple[tuple[int, int], array]] = {}
        if cache is not None and cache.is_file():
            try:
                vocab, files = pickle.loads(cache.read_bytes())
                self.vocab = vocab
                self.files = {rel: (stamp, array("I", ids)) for rel, (stamp, ids) in files.items()}
            except Exception:  # noqa: BLE001 - a damaged cache is rebuilt
                self.vocab, self.files = [], {}
        self.ids = {word: i for i, word in enumerate(self.vocab)}

    def update(self, outdir: Path) -> None:
        seen, changed = set(), False
        for pattern in ("**/*.html", "_static/**/*.js", "_static/**/*.json"):
            for path in outdir.glob(pattern):
                if any(part in UNREAD for part in path.parts):
                    continue
                rel = path.relative_to(outdir).as_posix()
                seen.add(rel)
                stat = path.stat()
                stamp = (stat.st_size, stat.st_mtime_ns)
                if rel in self.files and self.files[rel][0] == stamp:
                    continue
                words = set(_WORD.findall(path.read_text(encoding="utf-8", errors="ignore")))
                self.files[rel] = (stamp, array("I", sorted(self.ids.setdefault(w, len(self.ids)) for w in words)))
                changed = True
        for rel in self.files.keys() - seen:
            del self.files[rel]
            changed = True
        if len(self.ids) > len(self.vocab):
            self.vocab.extend(list(self.ids)[len(self.vocab):])
        if changed and self.cache is not None:
            files = {rel: (stamp, ids.tobytes()) for rel, (stamp, ids) in self.files.items()}
            self.cache.write_bytes(pickle.dumps((self.vocab, files), protocol=pickle.HIGHEST_PROTOCOL))

    def union(self, keep=None) -> set[str]:
        import numpy  # a mask over the vocabulary: a third of the time of a set of 3 million numbers

        seen = numpy.zeros(len(self.vocab), dtype=bool)
        for rel, (_stamp, found) in self.files.items():
            if keep is None or keep(rel):
                seen[numpy.frombuffer(found, dtype=numpy.uint32)] = True
        return {self.vocab[i] for i in numpy.flatnonzero(seen).tolist()}


#: the store of each cache file, for the process: the sweep and the purge of one build share it
_MEMO: dict[Path | None, _Words] = {}


def words_in(outdir: Path, cache: Path | None = None, keep=None) -> set[str]:
    """Every word of the built site's pages, scripts and widget state (of the files ``keep(rel)`` accepts).

    With ``cache`` (a file beside the doctrees), only the files that changed since the
    last build are read (see :class:`_Words`).
    """
    store = _MEMO.get(cache) if cache is not None else None
    if store is None:
        store = _Words(cache)
        if cache is not None:
            _MEMO[cache] = store
    store.update(outdir)
    return store.union(keep)


def corpus(outdir: Path, cache: Path | None = None) -> set[str]:
    """Every word of every page, script and widget state in the built site."""
    return words_in(outdir, cache)


def _split_top(text: str, sep: str = ",") -> list[str]:
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch == sep and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def _outside_parens(selector: str) -> str:
    out, depth = [], 0
    for ch in selector:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif depth == 0:
            out.append(ch)
    return "".join(out)


def selector_used(selector: str, used: set[str]) -> bool:
    """Can this one selector match anything in the site?"""
    without_strings = re.sub(r"\[[^\]]*\]", "", _outside_parens(selector))
    for cls in _CLASS.findall(without_strings):
        cls = cls.replace("\\", "")
        if cls not in used and not SAFELIST.match(cls):
            return False
    return True


def _string_end(css: str, i: int) -> int:
    """The index just after the quoted string that starts at ``css[i]``."""
    quote, i = css[i], i + 1
    while i < len(css):
        if css[i] == "\\":
            i += 2
        elif css[i] == quote:
            return i + 1
        else:
            i += 1
    return i


def _blocks(css: str):
    """Yield (prelude, body) for each top-level rule; body is None for ``@import x;``."""
    i, n = 0, len(css)
    while i < n:
        if css.startswith("/*", i):
            end = css.find("*/", i + 2)
            i = n if end < 0 else end + 2
            continue
        if css[i].isspace():
            i += 1
            continue
        start, depth, body_start = i, 0, i
        while i < n:
            ch = css[i]
            if ch in "\"'":
                i = _string_end(css, i)
                continue
            if ch == ";" and depth == 0:
                yield css[start:i + 1], None
                i += 1
                break
            if ch == "{":
                if depth == 0:
                    body_start = i
                depth += 1
            elif ch == "}":
                depth -= 1
                if depth == 0:
                    yield css[start:body_start], css[body_start + 1:i]
                    i += 1
                    break
            i += 1


def purge_css(css: str, used: set[str]) -> str:
    """The stylesheet without the rules that cannot match (see the module doc)."""
    out = []
    for prelude, body in _blocks(css):
        head = prelude.strip()
        if body is None:
            out.append(head)
        elif head.startswith("@"):
            if head.startswith(_GROUPING):
                inner = purge_css(body, used)
                if inner:
                    out.append(f"{head}{{{inner}}}")
            elif head.startswith("@font-face") and "Font Awesome" in body:
                continue
            else:
                out.append(f"{head}{{{body}}}")
        else:
            selectors = [s for s in _split_top(head) if selector_used(s, used)]
            if selectors:
                out.append(f"{','.join(s.strip() for s in selectors)}{{{body}}}")
    return "".join(out)


def pristine(app: Sphinx, path: Path) -> str:
    """The stylesheet as its theme or extension ships it, so every build purges
    the original against the current site (Sphinx skips copying unchanged
    static files, which would leave an earlier build's purged copy in place)."""
    rel = path.relative_to(Path(app.outdir) / "_static")
    sources = [Path(d) / "static" / rel for d in app.builder.theme.get_theme_dirs()]
    if rel.name.startswith("mystnb.") and rel.suffix == ".css":
        from importlib.resources import files

        sources.append(Path(str(files("myst_nb") / "static" / "mystnb.css")))
    for source in sources:
        if source.is_file():
            return source.read_text(encoding="utf-8")
    return path.read_text(encoding="utf-8")


def words_cache(app: Sphinx) -> Path:
    """Where the words of each built file are kept between builds (see :class:`_Words`)."""
    return Path(app.doctreedir) / "panda-words.pickle"


def purge_unused_css(app: Sphinx) -> None:
    """Theme CSS rules that nothing in the site matches, dropped (postbuild.py)."""
    outdir = Path(app.outdir)
    used = corpus(outdir, words_cache(app))
    for pattern in TARGETS:
        for path in (outdir / "_static").glob(pattern):
            css = pristine(app, path)
            purged = purge_css(css, used)
            if path.read_text(encoding="utf-8") != purged:
                path.write_text(purged, encoding="utf-8")
                logger.info(f"purged {path.relative_to(outdir)}: {len(css):,} -> {len(purged):,} bytes")

