"""Pages written by several processes: the second core works while Sphinx writes, as it does while Sphinx reads.

Sphinx can write pages in forked processes (``-j``) while its own process
resolves each doctree and indexes it for search; ``jupyter-book build`` has no
way to ask for it. Reading must stay in one process (the kernels run beside it,
in a thread, and the execution cache is only touched by that process), so the
extension asks for parallel writing only once reading is over: Sphinx decides
between serial and parallel writing after it reads.

``panda_execution_workers`` sets the number of writer processes too (the
default: one per core; 0 writes in Sphinx's own process). A book whose
configuration loads an extension that does not say it is safe for parallel
writing is written in Sphinx's own process, without a warning. What a writer
does to a page (its HTML, its widget state, its social card) is the same in a
child as in Sphinx's process: the pages are the same bytes either way
(``tests/test_incremental.py``).
"""

from __future__ import annotations

import os

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)


def workers(app: Sphinx) -> int:
    """How many processes run notebooks while Sphinx reads, and write pages while it writes."""
    chosen = app.config.panda_execution_workers
    return (os.cpu_count() or 1) if chosen is None else chosen


def _write_in_parallel(app: Sphinx, env) -> None:
    count = workers(app)
    if count < 1:
        return
    unsafe = sorted(name for name, ext in app.extensions.items() if not getattr(ext, "parallel_write_safe", None))
    if unsafe:
        logger.info(f"panda_book: pages written by Sphinx's own process ({', '.join(unsafe)} does not say it is "
                    "safe for parallel writing)")
        return
    app.parallel = max(app.parallel, count + 1)  # Sphinx's own process, and ``count`` writers


#: fewer pages than this are written by Sphinx's own process: starting the writers costs more than they save
#: (``panda_parallel_pages`` sets it)
PARALLEL_FROM = 8


def _serial_for_few_pages(app: Sphinx) -> None:
    """An edit that rewrites a few pages (the preview's usual case) is written without forking writers."""
    builder = app.builder
    original = getattr(builder, "write", None)
    if original is None or getattr(original, "panda_writers", False):
        return

    def write(build_docnames, updated_docnames, method="update"):
        if build_docnames is None or build_docnames == ["__all__"]:
            pages = set(builder.env.found_docs)
        else:
            pages = set(build_docnames) | (set(updated_docnames) if method == "update" else set())
        if len(pages) < app.config.panda_parallel_pages:
            builder.parallel_ok = False
        return original(build_docnames, updated_docnames, method)

    write.panda_writers = True
    builder.write = write


def _report(app: Sphinx, exception) -> None:
    if exception is None and getattr(app.builder, "parallel_ok", False):
        logger.info(f"panda_book: pages written by {app.parallel - 1} processes beside Sphinx's own")


def setup_writers(app: Sphinx) -> None:
    app.add_config_value("panda_execution_workers", None, "env", types=[int, type(None)])
    app.connect("env-updated", _write_in_parallel, priority=900)
    app.add_config_value("panda_parallel_pages", PARALLEL_FROM, "", types=[int])
    app.connect("builder-inited", _serial_for_few_pages)
    app.connect("build-finished", _report, priority=10)
