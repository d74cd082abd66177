"""Remove what Jupyter Book 1 always adds but this static, offline book never uses.

sphinx-thebe is loaded whether or not launch buttons are on. With them off it
still puts its script on every page, declares ``THEBE_JS_URL`` twice (a console
error on every page) and writes a Binder configuration into pages with code.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.application import Sphinx


def _drop_thebe_assets(app: Sphinx, pagename, templatename, context, doctree) -> None:
    scripts = context.get("script_files", [])
    scripts[:] = [s for s in scripts if "thebe" not in str(s) and "THEBE" not in str(getattr(s, "attributes", {}).get("body", ""))]
    styles = context.get("css_files", [])
    styles[:] = [s for s in styles if "thebe" not in str(s)]


def _drop_thebe_config(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    for raw in list(doctree.findall(nodes.raw)):
        if "text/x-thebe-config" in raw.astext():
            raw.parent.remove(raw)


def setup(app: Sphinx) -> None:
    app.connect("html-page-context", _drop_thebe_assets)
    # after sphinx-thebe's own doctree-resolved handler (priority 500)
    app.connect("doctree-resolved", _drop_thebe_config, priority=900)
