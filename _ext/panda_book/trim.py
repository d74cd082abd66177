"""Keep each page to what it uses.

Jupyter Book 1 puts every extension's assets on every page. This module:

- removes sphinx-thebe (loaded even with launch buttons off; it declares
  ``THEBE_JS_URL`` twice, a console error on every page, and writes a Binder
  configuration into pages with code);
- drops the copy-button, toggle-button, sphinx-design and Pygments assets from
  pages that have no code, toggles or design elements;
- takes an interactive view's widget state out of the page into
  ``_static/widgets/<page>.json`` and names it, with the widget scripts, in
  ``<meta name="panda-widgets">``: static/panda.js loads them (3.6 MB) when the
  reader asks for the interactive view, not with the page.
"""

from __future__ import annotations

import re
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx

WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
VENDOR = "_static/_vendor/"

#: asset file name -> what in the page body needs it
_NEEDS = {
    "clipboard.min.js": 'class="highlight',
    "copybutton.js": 'class="highlight',
    "copybutton.css": 'class="highlight',
    "pygments.css": 'class="highlight',
    "togglebutton.js": "toggle",
    "togglebutton.css": "toggle",
    "design-tabs.js": 'class="sd-',
    "sphinx-design.min.css": 'class="sd-',
}


def _file(asset) -> str:
    """The file of a Sphinx asset (a plain string or Sphinx 7's _JavaScript/_CascadingStyleSheet)."""
    return str(getattr(asset, "filename", asset) or "")


def _name(asset) -> str:
    return Path(_file(asset).split("?")[0]).name


def _needed(asset, body: str) -> bool:
    marker = _NEEDS.get(_name(asset))
    return marker is None or marker in body


def _page_assets(app: Sphinx, pagename, templatename, context, doctree) -> None:
    body = context.get("body", "")
    scripts = context.get("script_files", [])
    scripts[:] = [s for s in scripts if "thebe" not in _file(s)
                  and "THEBE" not in str(getattr(s, "attributes", {}).get("body", ""))
                  and _needed(s, body)]
    styles = context.get("css_files", [])
    styles[:] = [s for s in styles if "thebe" not in _file(s) and _needed(s, body)]
    _defer_widgets(app, pagename, context, scripts)


def _defer_widgets(app: Sphinx, pagename: str, context, scripts) -> None:
    state = [s for s in scripts if getattr(s, "attributes", {}).get("type") == WIDGET_STATE]
    if not state:
        return
    vendor = [s for s in scripts if _file(s).startswith(VENDOR)]
    target = f"_static/widgets/{pagename}.json"
    out = Path(app.outdir) / target
    out.parent.mkdir(parents=True, exist_ok=True)
    data = state[0].attributes["body"]
    if not out.is_file() or out.read_text(encoding="utf-8") != data:
        out.write_text(data, encoding="utf-8")
    scripts[:] = [s for s in scripts if s not in state and s not in vendor]
    pathto = context["pathto"]
    urls = [pathto(target, 1)] + [pathto(_file(s), 1) for s in vendor]
    if any(re.search(r"\s", u) for u in urls):
        raise ValueError(f"widget asset paths must not contain spaces: {urls}")
    context["metatags"] = context.get("metatags", "") + f'\n<meta name="panda-widgets" content="{" ".join(urls)}">'


def _drop_thebe_config(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    for raw in list(doctree.findall(nodes.raw)):
        if "text/x-thebe-config" in raw.astext():
            raw.parent.remove(raw)


def setup(app: Sphinx) -> None:
    # after myst-nb adds a page's widget scripts (priority 500)
    app.connect("html-page-context", _page_assets, priority=900)
    # after sphinx-thebe's own doctree-resolved handler (priority 500)
    app.connect("doctree-resolved", _drop_thebe_config, priority=900)
