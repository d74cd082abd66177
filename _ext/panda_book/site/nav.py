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
- after the build, output that a clean build would not make is removed
  (``postbuild/sweep.py``).
"""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util import logging

from ..model.store import book_state

logger = logging.getLogger(__name__)


def _title(env, docname: str | None) -> str | None:
    return env.titles[docname].astext() if docname in env.titles else None


def _relations(env) -> dict[str, tuple]:
    """For each document: its parent and neighbours, with their titles (an issue's neighbours are the issues
    before and after it, issuepage.py)."""
    from .issuepage import issue_link_title, issue_neighbours

    issues = issue_neighbours(env)
    out = {}
    for docname, (parent, prev, nxt) in env.collect_relations().items():
        if docname in issues:
            prev, nxt = issues[docname]
            out[docname] = (parent, prev, prev and issue_link_title(env, prev), nxt,
                            nxt and issue_link_title(env, nxt), _title(env, env.config.root_doc))
            continue
        out[docname] = (parent, prev, _title(env, prev), nxt, _title(env, nxt), _title(env, env.config.root_doc))
    return out


def _updated(app: Sphinx, env) -> list[str]:
    now = _relations(env)
    state = book_state(env)
    before, state.relations = state.relations, now
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


def setup_nav(app: Sphinx) -> None:
    app.connect("env-get-updated", _updated)
    app.connect("env-updated", _mystnb_css)
    app.connect("html-page-context", _context)
