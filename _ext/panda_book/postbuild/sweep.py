"""After the pages: remove from the output what a clean build would not make.

The pages, copied sources, images and downloads of removed documents, and
social cards and widget states that no page refers to any more. It runs first
in the post-build pipeline (``pipeline.py``), before the site files are written
and the CSS purge reads the pages.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util import logging

from ..model.store import run_state
from .purge import words_cache, words_in

logger = logging.getLogger(__name__)

#: "every document not in the environment": the removed ones when the environment is new
ALL: set[str] = set()
#: pages written after the sweep, by archive.py
LATE_PAGES = ("404.html",)


def _removed(app: Sphinx, env, added, changed, removed) -> list[str]:
    run = run_state(app)
    run.removed_docs = set(removed)
    # a new environment (new config, or the last build failed) knows nothing of
    # removed documents: then any page that is not a document is suspect
    run.fresh_env = bool(env.found_docs) and set(added) >= set(env.found_docs)
    return []


def _started(app: Sphinx) -> None:
    # a second of slack: a file's mtime can lag the clock by a tick, and no
    # build starts within a second of the last one's end (start-up alone is longer)
    run_state(app).build_started = time.time() - 1.0


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
        if not fresh(path) and rel.as_posix() == "genindex.html" and not env.config.html_use_index:
            drop(path)  # the general index, turned off since the last build (the setting does not renew the env)
        elif not fresh(path) and (doc in removed_docs or (removed_docs is ALL and doc not in env.all_docs
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
    """Remove from the output what a clean build would not make (the pipeline's first step)."""
    run = run_state(app)
    removed_docs = ALL if run.fresh_env else run.removed_docs
    removed = sweep(Path(app.outdir), app.env, run.build_started, removed_docs,
                    words_cache(app))
    if removed:
        logger.info(f"panda_book: removed {len(removed)} files a clean build would not make: "
                    + ", ".join(removed[:5]) + (" ..." if len(removed) > 5 else ""))


def setup_sweep(app: Sphinx) -> None:
    app.connect("builder-inited", _started)
    app.connect("env-get-outdated", _removed)
