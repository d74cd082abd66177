"""A Content-Security-Policy on every page.

GitHub Pages sends no headers of the site's choosing, so the policy is a
``<meta http-equiv="Content-Security-Policy">``, written right after
``<meta charset>``, before anything it governs. It allows the site's own
files only (scripts, styles, images, fonts, fetches) and no inline code,
except the few inline scripts and ``<style>`` elements the themes write into
every page, each allowed by the sha256 of its text as it stands in that page
(computed after the build, from the written file):

- pydata-sphinx-theme's light/dark script at the top of ``<head>`` (it must run
  before the page is drawn);
- ``DOCUMENTATION_OPTIONS.pagename = ...`` and ``... .search_as_you_type = ...``
  (pydata-sphinx-theme's, read by its script);
- the theme's ``<noscript><style>`` (hides script-only buttons when scripting
  is off) and the ``<style>`` of the self-contained 404 page.

What the project itself runs before paint (the reading mode) is a file,
``_static/panda-lang-init.js``. Inline code that is not needed is taken off the
pages: sphinx-togglebutton's settings where its script is not loaded and
sphinx-thebe's ``kernelName`` (thebe is not loaded at all, see trim.py). The
theme's two header buttons with ``onclick`` (print, full screen) get a
``data-panda-click`` instead, which static/panda.js handles; any other inline
event handler, ``javascript:`` link or ``style`` attribute, which the policy
would block, fails the build with the page.

A page with an interactive view (and only such a page) allows more, for the
widget bundle it loads when the reader asks: 'unsafe-eval', inline ``<style>``
elements, and the exact style attributes of the view's HTML (see WIDGETS).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import time
from html import unescape
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

#: the policy without the per-page hashes; no 'unsafe-inline', no 'unsafe-eval'
POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],  # panda.css draws the icons as data: SVG
    "font-src": ["'self'"],
    "connect-src": ["'self'"],  # the widget state
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
}

#: added on a page that holds an interactive view (``<meta name="panda-widgets">``, trim.py) and only
#: there: the widget bundle (html-manager 1.0.15) compiles its two JSON schemas with Ajv, that is with
#: ``new Function``, when it loads, and injects its stylesheets as ``<style>`` elements, some holding
#: URLs made at run time (its fonts), so no hash made at build time can name them. 'unsafe-inline' in
#: style-src-elem only (browsers ignore 'unsafe-inline' next to a hash, so that directive has none).
#: Style attributes stay blocked except the exact ones in the view's own HTML (the widget state), which
#: get style-src-attr 'unsafe-hashes' and their hashes (see widget_styles).
WIDGETS = {"script-src": ["'unsafe-eval'"], "style-src-elem": ["'self'", "'unsafe-inline'"]}

#: inline handlers the themes write -> what panda.js does on click instead
HANDLERS = {"window.print()": "print", "toggleFullScreen()": "fullscreen"}

_META = re.compile(r'<meta http-equiv="Content-Security-Policy" content="[^"]*">\n?')
_WIDGET_META = re.compile(r'<meta name="panda-widgets" content="([^"]+)">')
_CHARSET = re.compile(r"<meta charset=[^>]*>\n?", re.I)
_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.S | re.I)
_STYLE = re.compile(r"<style\b[^>]*>(.*?)</style\s*>", re.S | re.I)
_TYPE = re.compile(r"""\btype\s*=\s*["']?([^"'\s>]+)""", re.I)
_TAG = re.compile(r"<[a-zA-Z][^\s/>]*((?:\s+[^\s\"'=<>/]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\"'=<>`]+))?)*)\s*/?>")
_ATTR = re.compile(r"""([^\s"'=<>/]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")
_JS_TYPES = {"", "text/javascript", "application/javascript", "module", "text/ecmascript"}
_UNUSED = ("let toggleHint", "let toggleOpenOnPrint", "var togglebuttonSelector")


def sha256(text: str) -> str:
    """The CSP source for an inline script or style: its UTF-8 text, hashed."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def inline_scripts(html: str) -> list[str]:
    """The text of every inline script a browser would run (data blocks such as JSON are not run)."""
    found = []
    for attrs, body in _SCRIPT.findall(html):
        kind = _TYPE.search(attrs)
        if re.search(r"\bsrc\s*=", attrs, re.I) or (kind and kind.group(1).lower() not in _JS_TYPES):
            continue
        found.append(body)
    return found


def inline_styles(html: str) -> list[str]:
    return _STYLE.findall(html)


def _attributes(html: str):
    for attrs in _TAG.findall(html):
        for name, *values in _ATTR.findall(attrs):
            yield name.lower(), "".join(values)


def widget_styles(state: str) -> list[str]:
    """The style attributes (as the browser reads them) of the HTML held in a widget state's strings."""
    found = []

    def walk(value) -> None:
        if isinstance(value, str) and "<" in value:
            found.extend(unescape(v) for name, v in _attributes(value) if name == "style")
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(json.loads(state))
    return found


def policy(html: str, widget_state: str | None = None) -> str:
    """The page's policy: POLICY plus the hashes of its inline scripts and styles.

    ``widget_state`` is the state of the page's interactive view, if it has one.
    """
    sources = {name: list(values) for name, values in POLICY.items()}
    sources["script-src"] += sorted({sha256(s) for s in inline_scripts(html)})
    sources["style-src"] += sorted({sha256(s) for s in inline_styles(html)})
    if widget_state is not None:
        for name, values in WIDGETS.items():
            sources[name] = sources.get(name, []) + values
        styles = sorted({sha256(s) for s in widget_styles(widget_state)})
        if styles:
            sources["style-src-attr"] = ["'unsafe-hashes'", *styles]
    return "; ".join(f"{name} {' '.join(values)}" for name, values in sources.items())


def blocked(html: str) -> list[str]:
    """What in the page the policy would block: inline handlers, javascript: links, style attributes."""
    problems = []
    for name, value in _attributes(html):
        if name.startswith("on"):
            problems.append(f"inline event handler {name}={value!r}")
        elif name == "style":
            problems.append(f"style attribute style={value!r}")
        elif value.strip().lower().startswith("javascript:"):
            problems.append(f"javascript: URL {name}={value!r}")
    return problems


def secure(html: str, widget_state: str | None = None) -> str:
    """The page with its handlers replaced and its policy (re)written after <meta charset>."""
    for code, action in HANDLERS.items():
        html = html.replace(f' onclick="{code}"', f' data-panda-click="{action}"')
    html = _META.sub("", html)
    charset = _CHARSET.search(html)
    if not charset:
        raise ValueError("no <meta charset> to put the Content-Security-Policy after")
    meta = f'<meta http-equiv="Content-Security-Policy" content="{policy(html, widget_state)}">\n'
    return html[:charset.end()] + meta + html[charset.end():]


def pages(outdir: Path) -> list[Path]:
    """Every HTML page (the themes copy Jinja macro files into _static: not pages)."""
    return sorted(p for p in outdir.rglob("*.html") if p.relative_to(outdir).parts[0] != "_static")


def _started(app: Sphinx) -> None:
    app.panda_csp_since = time.time() - 2  # mtimes may be coarser than the clock: redo a little more, never less


def _finished(app: Sphinx, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    since = getattr(app, "panda_csp_since", 0)
    for path in pages(outdir):
        # a page no step of this build touched keeps its policy (the policy is made from the page alone):
        # its head is enough to see that it has one
        if path.stat().st_mtime < since:
            with path.open(encoding="utf-8", errors="replace") as page:
                if _META.search(page.read(4096)):
                    continue
        html = path.read_text(encoding="utf-8")
        name = path.relative_to(outdir).as_posix()
        try:
            new = secure(html, _widget_state(path, html))
        except (OSError, ValueError) as err:
            logger.warning(f"{name}: {err}", type="panda", subtype="csp")
            continue
        for problem in blocked(new):
            logger.warning(f"{name}: the Content-Security-Policy blocks this {problem}; "
                           "use a script in _static or a class in panda.css", type="panda", subtype="csp")
        if new != html:
            path.write_text(new, encoding="utf-8")


def _widget_state(page: Path, html: str) -> str | None:
    """The state of the page's interactive view: the first file <meta name="panda-widgets"> names (trim.py)."""
    meta = _WIDGET_META.search(html)
    return (page.parent / meta.group(1).split()[0]).read_text(encoding="utf-8") if meta else None


def _drop_unused_inline(app: Sphinx, pagename, templatename, context, doctree) -> None:
    # sphinx-togglebutton's settings, on pages where trim.py took its script off
    scripts = context.get("script_files", [])
    if any(Path(str(getattr(s, "filename", s) or "")).name.startswith("togglebutton") for s in scripts):
        return
    scripts[:] = [s for s in scripts
                  if not str(getattr(s, "attributes", {}).get("body", "")).lstrip().startswith(_UNUSED)]


def _drop_thebe_kernel(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    for raw in list(doctree.findall(nodes.raw)):
        if raw.astext().startswith("<script>kernelName = "):
            raw.parent.remove(raw)


def setup(app: Sphinx) -> dict:
    # after trim.py decides which scripts a page keeps (priority 900)
    app.connect("html-page-context", _drop_unused_inline, priority=950)
    # after sphinx-thebe adds its kernel name (priority 500)
    app.connect("doctree-resolved", _drop_thebe_kernel, priority=900)
    app.connect("builder-inited", _started)
    # last: after the pages, the 404 page (archive.py) and the CSS purge are written
    app.connect("build-finished", _finished, priority=950)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
