"""Navigation that does not grow with the archive, and incremental builds that equal clean ones.

The theme's sidebar lists every page of the book on every page: at 500 issues,
each page carries 500 links, and adding an issue changes every page (Jupyter
Book 1 rewrites only a few, so the others keep an old sidebar until a clean
build). Here the sidebar holds a fixed set of links (home with the archive of
all issues, topics, data) and the page itself; the list of issues lives on the
home page and the topic pages. An issue page then depends on only three other
pages: its neighbours in ``_toc.yml`` (the 上一页 / 下一页 links and
``<link rel="prev|next">``) and the home page (the sidebar's home link title).

So that an incremental build gives what a clean build gives:

- a page whose neighbours changed (an issue added, removed or retitled) is
  written again (``env-get-updated``);
- after the build, output that a clean build would not make is removed: the
  pages, copied sources, images and downloads of removed documents, and social
  cards and widget states that no page refers to any more (``build-finished``,
  before the CSS purge reads the pages).
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import time
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util import logging

from .purge import words_cache, words_in

logger = logging.getLogger(__name__)



def _canonical(obj):
    """The object with sets sorted and dataclasses as dicts, for a digest that does not depend on hash order."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return _canonical(dataclasses.asdict(obj))
    if isinstance(obj, dict):
        return sorted((repr(k), _canonical(v)) for k, v in obj.items())
    if isinstance(obj, (set, frozenset)):
        return sorted(repr(_canonical(v)) for v in obj)
    if isinstance(obj, (list, tuple)):
        return [_canonical(v) for v in obj]
    return obj


def digest(obj) -> str:
    """A digest of what a page shows, to write it again only when that changes."""
    return hashlib.sha256(repr(_canonical(obj)).encode()).hexdigest()


def store_digest(env, store: dict, name: str) -> str:
    """The digest of a per-document store (``{docname: what the page shows of it}``).

    Each document's part is digested once per reading of it (``env.all_docs``
    holds when it was read), so a build that reads one issue digests one.
    """
    cache = getattr(env, "panda_digests", {}).get(name, {})
    fresh = {}
    for docname in sorted(store):
        key = (docname, env.all_docs.get(docname))
        fresh[key] = cache.get(key) or digest(store[docname])
    env.panda_digests = {**getattr(env, "panda_digests", {}), name: fresh}
    return hashlib.sha256(repr([(docname, h) for (docname, _read), h in sorted(fresh.items())]).encode()).hexdigest()


def pages_to_rewrite(env, store: dict, name: str, pages) -> list[str]:
    """``pages`` (those that show the whole store), if the store changed since the last build, else none."""
    now = store_digest(env, store, name)
    digests = getattr(env, "panda_store_digests", {})
    before, digests[name] = digests.get(name), now
    env.panda_store_digests = digests
    return [] if before == now else sorted(d for d in pages if d in env.all_docs)


#: "every document not in the environment": the removed ones when the environment is new
ALL: set[str] = set()
#: pages written after the sweep, by archive.py
LATE_PAGES = ("404.html",)


def _title(env, docname: str | None) -> str | None:
    return env.titles[docname].astext() if docname in env.titles else None


def _relations(env) -> dict[str, tuple]:
    """For each document: its parent and neighbours, with their titles."""
    out = {}
    for docname, (parent, prev, nxt) in env.collect_relations().items():
        out[docname] = (parent, prev, _title(env, prev), nxt, _title(env, nxt), _title(env, env.config.root_doc))
    return out


def _updated(app: Sphinx, env) -> list[str]:
    now = _relations(env)
    before = getattr(env, "panda_relations", None)
    env.panda_relations = now
    if before is None:
        return []
    changed = sorted(d for d, rel in now.items() if before.get(d) != rel and d in env.all_docs)
    if changed:
        logger.info(f"panda_book: {len(changed)} pages written again for their neighbours: {', '.join(changed[:5])}"
                    + (" ..." if len(changed) > 5 else ""))
    return changed


def _context(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    env = app.env
    # topics/ pages are made by archive.py on every build
    items = [(env.config.root_doc, "首页", "Home")]
    if "archive" in env.all_docs:
        items.append(("archive", "往期", "All issues"))
    items.append(("topics/index", "话题", "Topics"))
    if "data" in env.all_docs:
        items.append(("data", "数据", "Data"))
    context["panda_nav"] = [
        {"href": context["pathto"](name) if name in env.all_docs else context["pathto"](name + ".html", 1),
         "zh": zh, "en": en, "current": pagename == name}
        for name, zh, en in items
    ]
    context["panda_nav_issue"] = pagename.startswith("issues/") and pagename in env.all_docs


def _mystnb_css(app: Sphinx, env) -> None:
    """Put myst-nb's stylesheet in place before any page is written.

    myst-nb copies it only when the build has finished, so the pages of a
    clean build link it without Sphinx's ``?v=`` checksum and those of an
    incremental build with the checksum of the copy (purged) the last build
    left. Copied first, from its pristine source, every page gets the same.
    """
    from myst_nb import static
    from myst_nb.sphinx_ext import _get_file_hash, _import_resources_path

    if app.builder.format != "html":
        return
    with _import_resources_path(static, "mystnb.css") as source:
        target = Path(app.outdir) / "_static" / f"mystnb.{_get_file_hash(source)}.css"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(source.read_bytes())


def _removed(app: Sphinx, env, added, changed, removed) -> list[str]:
    app.panda_removed_docs = set(removed)
    # a new environment (new config, or the last build failed) knows nothing of
    # removed documents: then any page that is not a document is suspect
    app.panda_fresh_env = bool(env.found_docs) and set(added) >= set(env.found_docs)
    return []


def _started(app: Sphinx) -> None:
    # a second of slack: a file's mtime can lag the clock by a tick, and no
    # build starts within a second of the last one's end (start-up alone is longer)
    app.panda_build_started = time.time() - 1.0


def sweep(outdir: Path, env, started: float, removed_docs: set[str],
          words_cache: Path | None = None) -> list[str]:
    """Remove what a clean build would not make; returns the removed paths (relative)."""
    removed = []

    def fresh(path: Path) -> bool:
        return path.stat().st_mtime >= started

    def drop(path: Path) -> None:
        removed.append(path.relative_to(outdir).as_posix())
        path.unlink()

    special = ("_static", "_images", "_downloads", "_sources")
    pages = []
    for path in outdir.rglob("*.html"):
        rel = path.relative_to(outdir)
        if rel.parts[0] in special:
            continue
        doc = rel.with_suffix("").as_posix()
        if not fresh(path) and (doc in removed_docs or (removed_docs is ALL and doc not in env.all_docs
                                                        and rel.as_posix() not in LATE_PAGES)):
            drop(path)
        else:
            pages.append(path)
    sources = outdir / "_sources"
    if sources.is_dir():
        for path in [p for p in sources.rglob("*") if p.is_file()]:
            doc = path.relative_to(sources).as_posix()
            doc = doc.rsplit(".", 2)[0] if doc.endswith(".txt") else doc.rsplit(".", 1)[0]
            if not fresh(path) and (doc in removed_docs or (removed_docs is ALL and doc not in env.all_docs)):
                drop(path)
    # what the remaining pages name (a file's name without its suffix is a word of the page)
    kept = {p.relative_to(outdir).as_posix() for p in pages}
    referenced = words_in(outdir, words_cache, keep=kept.__contains__)
    images = {dest for _docs, dest in env.images.values()}
    downloads = {dest for _docs, dest in env.dlfiles.values()}
    rules = {
        # a document's images, and files the extension writes there (trend charts)
        "_images": lambda rel, path: rel in images or path.stem in referenced,
        "_downloads": lambda rel, path: rel in downloads,
        "_static/cards": lambda rel, path: path.stem in referenced,
        # a page's widget state is named after the page
        "_static/widgets": lambda rel, path: str(Path(rel).with_suffix(".html")) in kept,
    }
    for folder, keep in rules.items():
        base = outdir / folder
        if base.is_dir():
            for path in [p for p in base.rglob("*") if p.is_file()]:
                if not (fresh(path) or keep(path.relative_to(base).as_posix(), path)):
                    drop(path)
    for folder in ("_images", "_downloads", "_sources", "_static/cards", "_static/widgets"):
        base = outdir / folder
        if base.is_dir():
            for root, dirs, files in os.walk(base, topdown=False):
                if not dirs and not files and Path(root) != base:
                    os.rmdir(root)
    return removed


def sweep_removed_output(app: Sphinx) -> None:
    """Remove from the output what a clean build would not make (postbuild.py, first step)."""
    removed_docs = ALL if getattr(app, "panda_fresh_env", False) else getattr(app, "panda_removed_docs", set())
    removed = sweep(Path(app.outdir), app.env, getattr(app, "panda_build_started", 0), removed_docs,
                    words_cache(app))
    if removed:
        logger.info(f"panda_book: removed {len(removed)} files a clean build would not make: "
                    + ", ".join(removed[:5]) + (" ..." if len(removed) > 5 else ""))


def setup(app: Sphinx) -> None:
    app.connect("builder-inited", _started)
    app.connect("env-get-outdated", _removed)
    app.connect("env-get-updated", _updated)
    app.connect("env-updated", _mystnb_css)
    app.connect("html-page-context", _context)
    # after the pages are written, before the sitemap (archive.py) and the CSS purge read them
