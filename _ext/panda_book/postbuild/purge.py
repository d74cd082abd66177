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
except Font Awesome's ``@font-face``, and so are the theme's ``--pst-icon-*`` glyphs
of that font (the book draws its few icons in panda.css). The stylesheets are
read with tinycss2.
"""

from __future__ import annotations

import hashlib
import pickle
import re
from array import array
from pathlib import Path

import tinycss2
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
_GROUPING = ("media", "supports", "layer", "container")


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


def _selectors(prelude) -> list[tuple[str, tuple[str, ...]]]:
    """Each selector of a rule's prelude (tinycss2 tokens, split at its top-level commas) as text, with its
    classes at the selector's own level: a class inside ``:not()``, ``:is()``, ``:where()``, ``:has()`` or an
    attribute selector (a function or bracket block, one token here) never decides anything."""
    groups: list[list] = [[]]
    for token in prelude:
        if token.type == "literal" and token.value == ",":
            groups.append([])
        else:
            groups[-1].append(token)
    out = []
    for tokens in groups:
        classes = tuple(after.value for before, after in zip(tokens, tokens[1:])
                        if before.type == "literal" and before.value == "." and after.type == "ident")
        out.append((tinycss2.serialize(tokens).strip(), classes))
    return out


def _body(rule) -> str:
    """A rule's declarations, without the theme's icon-font glyphs (``--pst-icon-*``: the book ships no icon
    font, and an undefined variable leaves the icon's ``content`` empty)."""
    text = tinycss2.serialize(rule.content)
    if "--pst-icon-" not in text:
        return text
    kept = [node for node in tinycss2.parse_blocks_contents(rule.content, skip_comments=True, skip_whitespace=True)
            if not (node.type == "declaration" and node.lower_name.startswith("--pst-icon-"))]
    return "".join(tinycss2.serialize([node]).strip() for node in kept)


def _parse(rules) -> list[tuple]:
    """The stylesheet as the purge needs it: ("rule", [(selector, classes)], body), ("group", head, items) for
    ``@media`` and the like, ("keep", text) for other at-rules."""
    out: list[tuple] = []
    for rule in rules:
        if rule.type == "qualified-rule":
            out.append(("rule", _selectors(rule.prelude), _body(rule)))
        elif rule.type == "at-rule":
            head = f"@{rule.at_keyword}{tinycss2.serialize(rule.prelude)}".rstrip()
            if rule.content is None:
                out.append(("keep", f"{head};"))
            elif rule.lower_at_keyword in _GROUPING:
                inner = tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True)
                out.append(("group", head, _parse(inner)))
            elif not (rule.lower_at_keyword == "font-face" and "Font Awesome" in tinycss2.serialize(rule.content)):
                out.append(("keep", f"{head}{{{tinycss2.serialize(rule.content)}}}"))
        elif rule.type == "error":
            raise ValueError(f"the stylesheet does not parse at line {rule.source_line}: {rule.message}")
    return out


def parse_css(css: str) -> list[tuple]:
    """A stylesheet read with tinycss2, for :func:`purge_parsed`."""
    return _parse(tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True))


def purge_parsed(items: list[tuple], used: set[str]) -> str:
    out = []
    for item in items:
        if item[0] == "rule":
            keep = [text for text, classes in item[1] if all(c in used or SAFELIST.match(c) for c in classes)]
            if keep:
                out.append(f"{','.join(keep)}{{{item[2]}}}")
        elif item[0] == "group":
            inner = purge_parsed(item[2], used)
            if inner:
                out.append(f"{item[1]}{{{inner}}}")
        else:
            out.append(item[1])
    return "".join(out)


def purge_css(css: str, used: set[str]) -> str:
    """The stylesheet without the rules that cannot match (see the module doc)."""
    return purge_parsed(parse_css(css), used)


class _Parsed:
    """Each pristine stylesheet parsed once, kept between builds by its digest (parsing the theme's 400 KB takes
    half a second; the stylesheets change only when a theme does)."""

    def __init__(self, cache: Path):
        self.cache = cache
        try:
            self.known = pickle.loads(cache.read_bytes()) if cache.is_file() else {}
        except Exception:  # noqa: BLE001 - a damaged cache is rebuilt
            self.known = {}
        self.changed = False

    def get(self, css: str) -> list[tuple]:
        key = hashlib.sha256(css.encode("utf-8")).hexdigest()
        if key not in self.known:
            self.known[key] = parse_css(css)
            self.changed = True
        return self.known[key]

    def save(self, keep: set[str]) -> None:
        if self.changed or set(self.known) - keep:
            self.known = {k: v for k, v in self.known.items() if k in keep}
            self.cache.write_bytes(pickle.dumps(self.known, protocol=pickle.HIGHEST_PROTOCOL))


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
    """Theme CSS rules that nothing in the site matches, dropped (the pipeline's third step)."""
    outdir = Path(app.outdir)
    used = corpus(outdir, words_cache(app))
    parsed = _Parsed(Path(app.doctreedir) / "panda-css.pickle")
    digests = set()
    for pattern in TARGETS:
        for path in (outdir / "_static").glob(pattern):
            css = pristine(app, path)
            digests.add(hashlib.sha256(css.encode("utf-8")).hexdigest())
            purged = purge_parsed(parsed.get(css), used)
            if path.read_text(encoding="utf-8") != purged:
                path.write_text(purged, encoding="utf-8")
                logger.info(f"purged {path.relative_to(outdir)}: {len(css):,} -> {len(purged):,} bytes")
    parsed.save(digests)
