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
  reader asks for the interactive view, not with the page. The widget models
  get ids made from the page's structure instead of the kernel's random ones
  (uuid4), so two builds write the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx

from ..rules.pagecheck import read_page

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
    body = state[0].attributes["body"]
    if body.startswith(SIDECAR):
        body = (Path(app.doctreedir) / SIDECAR_DIR / f"{pagename}.json").read_text(encoding="utf-8")
    data, context["body"] = renumber_widgets(pagename, body, context.get("body", ""))
    if not out.is_file() or out.read_text(encoding="utf-8") != data:
        out.write_text(data, encoding="utf-8")
    scripts[:] = [s for s in scripts if s not in state and s not in vendor]
    pathto = context["pathto"]
    urls = [pathto(target, 1)] + [pathto(_file(s), 1) for s in vendor]
    if any(re.search(r"\s", u) for u in urls):
        raise ValueError(f"widget asset paths must not contain spaces: {urls}")
    context["metatags"] = context.get("metatags", "") + f'\n<meta name="panda-widgets" content="{" ".join(urls)}">'


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
MODEL_REF = "IPY_MODEL_"


def _refs(value):
    """The model ids a widget's state refers to, in a fixed order."""
    if isinstance(value, str) and value.startswith(MODEL_REF):
        yield value[len(MODEL_REF):]
    elif isinstance(value, list):
        for item in value:
            yield from _refs(item)
    elif isinstance(value, dict):
        for key in sorted(value):
            yield from _refs(value[key])


def _model_order(models: dict, roots: list[str]) -> list[str]:
    """Every model once: depth first from the views in page order, then models nothing
    shown refers to (a ``jslink``'s LinkModel), smallest by content first."""
    order: list[str] = []
    seen: set[str] = set()

    def visit(start: str) -> None:
        stack = [start]
        while stack:
            mid = stack.pop()
            if mid in seen or mid not in models:
                continue
            seen.add(mid)
            order.append(mid)
            stack.extend(reversed(list(_refs(models[mid]))))

    def content(mid: str, path: frozenset = frozenset()):
        # a model with each reference replaced by its number, or by the content it refers to
        def expand(value):
            if isinstance(value, str) and value.startswith(MODEL_REF):
                ref = value[len(MODEL_REF):]
                if ref in seen:
                    return f"#{order.index(ref)}"
                return content(ref, path | {mid}) if ref in models and ref not in path else "#?"
            if isinstance(value, list):
                return [expand(v) for v in value]
            if isinstance(value, dict):
                return {k: expand(v) for k, v in value.items()}
            return value
        return expand(models[mid])

    for root in roots:
        visit(root)
    while len(seen) < len(models):
        rest = [m for m in models if m not in seen]
        visit(min(rest, key=lambda m: json.dumps(content(m), sort_keys=True)))
    return order


def renumber_widgets(pagename: str, state: str, body: str) -> tuple[str, str]:
    """The widget state (JSON) and page body with model ids made from the page's name and
    structure. The kernel names models with random uuid4s, so each build would differ."""
    data = json.loads(state)
    models = data.get("state") or {}
    # the views of the page, in order: the text of each <script type="...widget-view+json">, found by the parser
    views = [(start, end) for kind, start, end in read_page("", body).data_blocks if kind == WIDGET_VIEW]
    roots = [json.loads(body[start:end]).get("model_id") for start, end in views]
    new = {old: hashlib.sha256(f"{pagename}#{n}".encode()).hexdigest()[:32]
           for n, old in enumerate(_model_order(models, roots))}

    def swap(value):
        if isinstance(value, str) and value.startswith(MODEL_REF) and value[len(MODEL_REF):] in new:
            return MODEL_REF + new[value[len(MODEL_REF):]]
        if isinstance(value, list):
            return [swap(v) for v in value]
        if isinstance(value, dict):
            return {k: swap(v) for k, v in value.items()}
        return value

    data["state"] = {new[old]: swap(model) for old, model in sorted(models.items(), key=lambda kv: new[kv[0]])}

    for start, end in reversed(views):
        view = json.loads(body[start:end])
        view["model_id"] = new.get(view.get("model_id"), view.get("model_id"))
        body = body[:start] + json.dumps(view, sort_keys=True) + body[end:]
    # keys sorted: a notebook read back from the execution cache has them sorted, one myst-nb has just run (with
    # panda_execution_workers: 0) has them in the kernel's order, and the pages must not differ
    return json.dumps(data, sort_keys=True).replace("</script>", r"<\/script>"), body


SIDECAR = "panda-sidecar:"
SIDECAR_DIR = "panda-widgets"


def _stash_widget_state(app: Sphinx, env) -> None:
    """Keep each page's widget state beside the doctrees, not in the environment.

    myst-nb keeps it in the environment (113 KB an issue), which Sphinx loads
    and saves whole on every build: 11 of 13 MB at 100 issues. In its place
    the environment keeps a marker; the page reads the file when it is written.
    """
    folder = Path(app.doctreedir) / SIDECAR_DIR
    for docname, meta in getattr(env, "nb_metadata", {}).items():
        for _uri, kwargs in meta.get("js_files", {}).values():
            body = kwargs.get("body")
            if kwargs.get("type") != WIDGET_STATE or not isinstance(body, str) or body.startswith(SIDECAR):
                continue
            path = folder / f"{docname}.json"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(body, encoding="utf-8")
            kwargs["body"] = SIDECAR + hashlib.sha256(body.encode()).hexdigest()


def _drop_thebe_config(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    for raw in list(doctree.findall(nodes.raw)):
        if "text/x-thebe-config" in raw.astext():
            raw.parent.remove(raw)


def setup_trim(app: Sphinx) -> None:
    app.connect("env-updated", _stash_widget_state)
    # after myst-nb adds a page's widget scripts (priority 500)
    app.connect("html-page-context", _page_assets, priority=900)
    # after sphinx-thebe's own doctree-resolved handler (priority 500)
    app.connect("doctree-resolved", _drop_thebe_config, priority=900)
