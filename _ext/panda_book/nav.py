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

import os
import time
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

#: Folders of per-page files that only pages refer to (by file name).
_REFERENCED = ("_static/cards", "_static/widgets")


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
    items = [(env.config.root_doc, "首页与往期", "Home and all issues"), ("topics/index", "话题", "Topics")]
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


def _started(app: Sphinx) -> None:
    # a second of slack: a file's mtime can lag the clock by a tick, and no
    # build starts within a second of the last one's end (start-up alone is longer)
    app.panda_build_started = time.time() - 1.0


def sweep(outdir: Path, env, started: float) -> list[str]:
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
        if rel.with_suffix("").as_posix() in env.all_docs or fresh(path):
            pages.append(path)
        else:
            drop(path)
    sources = outdir / "_sources"
    if sources.is_dir():
        for path in [p for p in sources.rglob("*") if p.is_file()]:
            doc = path.relative_to(sources).as_posix()
            doc = doc.rsplit(".", 2)[0] if doc.endswith(".txt") else doc.rsplit(".", 1)[0]
            if doc not in env.all_docs and not fresh(path):
                drop(path)
    images = {dest for _docs, dest in env.images.values()}
    downloads = {dest for _docs, dest in env.dlfiles.values()}
    for folder, keep in (("_images", images), ("_downloads", downloads)):
        base = outdir / folder
        if base.is_dir():
            for path in [p for p in base.rglob("*") if p.is_file()]:
                rel = path.relative_to(base).as_posix()
                if rel not in keep and not fresh(path):
                    drop(path)
    referenced = None
    for folder in _REFERENCED:
        base = outdir / folder
        if not base.is_dir():
            continue
        if referenced is None:
            referenced = "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in pages)
        for path in [p for p in base.rglob("*") if p.is_file()]:
            if path.name not in referenced:
                drop(path)
    for folder in ("_images", "_downloads", "_sources", *_REFERENCED):
        base = outdir / folder
        if base.is_dir():
            for root, dirs, files in os.walk(base, topdown=False):
                if not dirs and not files and Path(root) != base:
                    os.rmdir(root)
    return removed


def _finished(app: Sphinx, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    removed = sweep(Path(app.outdir), app.env, getattr(app, "panda_build_started", 0))
    if removed:
        logger.info(f"panda_book: removed {len(removed)} files a clean build would not make: "
                    + ", ".join(removed[:5]) + (" ..." if len(removed) > 5 else ""))


def setup(app: Sphinx) -> None:
    app.connect("builder-inited", _started)
    app.connect("env-get-updated", _updated)
    app.connect("env-updated", _mystnb_css)
    app.connect("html-page-context", _context)
    # after the pages and archive outputs are written, before the CSS purge reads the pages
    app.connect("build-finished", _finished, priority=790)
