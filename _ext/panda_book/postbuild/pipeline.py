"""The steps after the pages are written: one list, in order, read top to bottom, then the swap.

Each step takes the app and works on the staging copy of ``_build/html``
(staging.py). A step that raises fails the build: the staging copy is discarded
and the published tree stays as the last good build left it.
"""

from __future__ import annotations

from sphinx.application import Sphinx

from ..run import execute
from ..site import archive, editions, feeds, pdf
from . import csp, purge, staging, sweep

#: (what it does, the step) in the order they run
STEPS = (
    ("sweep what a clean build would not make", sweep.sweep_removed_output),
    ("write the site files: topics swept, feeds, sitemap, robots.txt, 404", archive.write_site_files),
    ("write the email and WeChat editions beside the site, swapped in with it", editions.write_editions),
    ("write the full-text feeds, in each language and per topic", feeds.write_full_feeds),
    ("typeset the print editions (PDF) of the issues that changed", pdf.write_pdfs),
    ("purge theme CSS rules nothing in the site uses", purge.purge_unused_css),
    ("check every written page, then write its Content-Security-Policy", csp.check_and_secure),
)


def run_post_build_steps(app: Sphinx, exception) -> None:
    """Sphinx's ``build-finished``: the steps in order; on failure, stop the kernels and discard the copy."""
    if exception is not None or app.builder.format != "html":
        execute.stop_kernels(app)
        staging.finish(app, exception)
        return
    try:
        for _what, step in STEPS:
            step(app)
    except BaseException as failure:
        staging.finish(app, failure)
        raise


def swap_in(app: Sphinx, exception) -> None:
    """The last thing a build does: the staging copy becomes ``_build/html`` (or is discarded)."""
    staging.finish(app, exception)


def setup_post_build(app: Sphinx) -> None:
    # the steps after the themes' own build-finished handlers (priority 500); the swap after every handler
    # of any extension, so nothing writes into the published tree after it
    app.connect("build-finished", run_post_build_steps, priority=700)
    app.connect("build-finished", swap_in, priority=100_000)
