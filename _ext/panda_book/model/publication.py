"""Which issues a build leaves out: drafts and issues scheduled for a day to come, decided once.

When the configuration is read, the front matter of every issue (``newsletter.issue.unpublished_issues``)
gives the issues that are not published today: ``issue: draft: true``, or a date with a day after today
(``date: "2026-12-09"``; today from the clock in UTC, or ``PANDA_TODAY=YYYY-MM-DD``). A month-only date
is never held back. The result is the configuration value ``panda_unpublished`` (rebuild ``env``), and
the build prints one line for each.

A published build (``panda_preview`` false, the default) leaves them out in one place: their files go
into ``exclude_patterns`` and their entries out of the toc that sphinx-external-toc parsed (its warning
"toctree contains reference to excluded document" would otherwise fail the build). Sphinx then never
reads them, so no store of the extension (archive, topics, feeds, data page, cards, recommended
reading, previous/next, search) ever holds them, and the sweep removes what an earlier build wrote of
them. The built date of the book (site/reproducible.py) skips them too.

A preview build (``panda_preview`` true, set by ``python -m newsletter preview``) builds them all; each
such issue carries its banner (site/issuepage.py). Both values are ``env`` settings, so a change of
either (a draft published, a scheduled day arriving, preview switched) makes Sphinx read the book again:
an incremental build then equals a clean one.
"""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ConfigError
from sphinx.util import logging

logger = logging.getLogger(__name__)


def left_out(config) -> dict[str, dict]:
    """The issues this build does not publish, by document name (none in preview)."""
    return {} if config.panda_preview else dict(config.panda_unpublished or {})


def _decide(app: Sphinx, config) -> None:
    """Once, from the front matter: the issues not published today; one line each in the build's output."""
    from newsletter.issue import today, unpublished_issues, unpublished_line

    try:
        day = today()
    except ValueError as error:
        raise ConfigError(str(error)) from None
    if not isinstance(config.panda_preview, bool):
        raise ConfigError(f"panda_preview {config.panda_preview!r} must be true or false (sphinx: config: in "
                          "_config.yml, or python -m newsletter preview)")
    config.panda_unpublished = unpublished_issues(Path(app.srcdir), day)
    for entry in config.panda_unpublished.values():
        logger.info("panda_book: " + unpublished_line(entry, day, config.panda_preview))


def _leave_out(app: Sphinx, config) -> None:
    """After sphinx-external-toc has parsed ``_toc.yml`` (its priority 900): the issues left out are excluded
    and taken out of its site map, so no toctree names them."""
    gone = left_out(config)
    if not gone:
        return
    config.exclude_patterns = [*config.exclude_patterns, *sorted(entry["file"] for entry in gone.values())]
    site_map = getattr(config, "external_site_map", None)
    if site_map is None:
        return
    from sphinx_external_toc.api import FileItem

    def kept(item) -> bool:
        return not (isinstance(item, FileItem) and str(item).removesuffix(".md") in gone)

    for docname in list(site_map):
        for toctree in site_map[docname].subtrees:
            toctree.items = [item for item in toctree.items if kept(item)]
    for docname in list(site_map):
        if docname.removesuffix(".md") in gone:
            del site_map[docname]


def _missing_reference(app: Sphinx, domain, node) -> bool | None:
    """A reference to an issue this build leaves out, which the rules did not see (they read the Markdown links
    and {doc} roles of each page): said so, with the fix, instead of Sphinx's 'unknown document'."""
    if node.get("reftype") != "doc":
        return None
    from sphinx.util import docname_join

    target = docname_join(node.get("refdoc", ""), str(node.get("reftarget", "")).removesuffix(".md"))
    entry = left_out(app.config).get(target.lstrip("/"))
    if entry is None:
        return None
    from newsletter.issue import link_to_unpublished

    logger.error(link_to_unpublished(str(node.get("reftarget", "")), entry), location=node, type="panda",
                 subtype="unpublished")
    return True


def setup_publication(app: Sphinx) -> None:
    app.add_config_value("panda_preview", False, "env", types=[bool])
    # set from the issues when the configuration is read, never by hand
    app.add_config_value("panda_unpublished", {}, "env", types=[dict])
    # after the book's checks (rules/checks.py, priority 50: a draft that is not true or false stops the build
    # there), before the build date (site/reproducible.py, priority 100) which skips these issues
    app.connect("config-inited", _decide, priority=60)
    app.connect("config-inited", _leave_out, priority=950)
    app.connect("warn-missing-reference", _missing_reference)
