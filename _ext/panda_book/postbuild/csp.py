"""A Content-Security-Policy on every page, made from what the project ships, never from the page.

GitHub Pages sends no headers of the site's choosing, so the policy is a
``<meta http-equiv="Content-Security-Policy">``, written right after
``<meta charset>``, before anything it governs. It allows the site's own
files only (scripts, styles, images, fonts, fetches) and no inline script at
all: the themes' inline scripts are replaced by files of the site's
(static/panda-lang-init.js sets the colour mode and the page options,
static/panda-togglebutton.js holds sphinx-togglebutton's settings) and their
``onclick`` buttons by ``data-panda-click`` (templates/article-header-buttons.html).
The only inline code a page may hold is a ``<style>`` the project itself writes
(the self-contained 404 page's, archive.PAGE_404_STYLE), allowed by the hash of
that constant.

Before a page gets its policy, pagecheck.py reads it with an HTML parser and
fails the build on any script, handler, style or address the site did not ship
(with the page, and the source file and line where the page has one).

A page with an interactive view (and only such a page) allows more, for the
widget bundle it loads when the reader asks: 'unsafe-eval', inline ``<style>``
elements, and the exact style attributes of the view's HTML (see WIDGETS).
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.errors import SphinxError
from sphinx.util import logging

from ..model.store import run_state
from ..rules.pagecheck import Reading, check_widget_state, html_strings, read_page, widget_html

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



def sha256(text: str) -> str:
    """The CSP source for an inline script or style: its UTF-8 text, hashed."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def own_styles() -> frozenset[str]:
    """The text of every ``<style>`` element the project writes (only these may stand in a page)."""
    from ..site.archive import PAGE_404_STYLE

    return frozenset({PAGE_404_STYLE})


def widget_styles(state: str) -> list[str]:
    """The style attributes (as the browser reads them) of the HTML held in a widget state's strings."""
    return [style for text in html_strings(json.loads(state)) for style in widget_html(text).styles]


def policy(styles: frozenset[str] | set[str] = frozenset(), widget_state: str | None = None) -> str:
    """POLICY, the hashes of the project's own inline ``styles`` the page holds, and for a page with an
    interactive view (``widget_state``) what the widget bundle needs."""
    sources = {name: list(values) for name, values in POLICY.items()}
    sources["style-src"] += sorted({sha256(s) for s in styles})
    if widget_state is not None:
        for name, values in WIDGETS.items():
            sources[name] = sources.get(name, []) + values
        attrs = sorted({sha256(s) for s in widget_styles(widget_state)})
        if attrs:
            sources["style-src-attr"] = ["'unsafe-hashes'", *attrs]
    return "; ".join(f"{name} {' '.join(values)}" for name, values in sources.items())


def _splice(html: str, reading: Reading, meta: str = "", at_offset: int = 0) -> str:
    """The page without the policies an earlier pass wrote (each with the newline after it), and ``meta``
    put at ``at_offset``."""
    cuts = sorted((start, end + (html[end:end + 1] == "\n")) for start, end in reading.policies)
    pieces, at, placed = [], 0, not meta
    for start, end in [*cuts, (len(html), len(html))]:
        if not placed and at_offset <= start:
            pieces += [html[at:at_offset], meta]
            at, placed = at_offset, True
        pieces.append(html[at:start])
        at = max(at, end)
    return "".join(pieces)


def without_policy(html: str, reading: Reading | None = None) -> str:
    """The page without the policies an earlier pass wrote (found by the parser, :func:`pagecheck.read_page`)."""
    return _splice(html, reading or read_page("", html))


def secure(html: str, styles: frozenset[str] | set[str] = frozenset(), widget_state: str | None = None,
           reading: Reading | None = None) -> str:
    """The page with its policy (re)written after <meta charset>, every earlier one gone; ``reading``: the page
    as the check read it (one parse per page), else it is read here."""
    reading = reading or read_page("", html)
    if reading.charset_end is None:
        raise ValueError("no <meta charset> to put the Content-Security-Policy after")
    charset = reading.charset_end + (html[reading.charset_end:reading.charset_end + 1] == "\n")
    meta = f'<meta http-equiv="Content-Security-Policy" content="{policy(styles, widget_state)}">\n'
    return _splice(html, reading, meta, charset)


def pages(outdir: Path) -> list[Path]:
    """Every HTML page (the themes copy Jinja macro files into _static: not pages)."""
    return sorted(p for p in outdir.rglob("*.html") if p.relative_to(outdir).parts[0] != "_static")


def _started(app: Sphinx) -> None:
    run_state(app).csp_since = time.time() - 2  # mtimes may be coarser than the clock: redo a little more, never less


def _source_of(app: Sphinx, name: str, snippet: str) -> tuple[str, int | None] | None:
    """The source file of a page, and the line holding ``snippet`` where it is found there."""
    docname = name.removesuffix(".html")
    if docname not in app.env.all_docs:
        return None
    path = Path(app.env.doc2path(docname))
    line = None
    try:
        text = path.read_text(encoding="utf-8")
        at = text.find(snippet) if snippet else -1
        line = text.count("\n", 0, at) + 1 if at >= 0 else None
    except OSError:
        pass
    return str(path.relative_to(app.srcdir)), line


def check_and_secure(app: Sphinx) -> None:
    """Check every page this build wrote (pagecheck.py) and write its policy; a finding fails the build."""
    outdir = Path(app.outdir)
    since = run_state(app).csp_since
    styles = own_styles()
    problems = []
    for path in pages(outdir):
        # a page no step of this build touched was checked and secured when it was written: its head shows it
        if path.stat().st_mtime < since:
            with path.open(encoding="utf-8", errors="replace") as page:
                if read_page("", page.read(4096)).policies:
                    continue
        html = path.read_text(encoding="utf-8")
        name = path.relative_to(outdir).as_posix()
        reading = read_page(name, html, styles)  # one parse: the check, and where the policy goes
        findings = reading.findings
        for finding in findings:
            source = _source_of(app, name, finding.snippet)
            where = f" (from {source[0]}{':' + str(source[1]) if source[1] else ''})" if source else ""
            problems.append(f"{name}:{finding.line}: {finding.message}{where}")
        if findings:
            continue
        try:
            state = _widget_state(path, reading.widgets)
            if state is not None:
                problems += [f"{name}: the interactive view: {p}" for p in check_widget_state(json.loads(state))]
            new = secure(html, {s for s in styles if f">{s}</style>" in html}, state, reading)
        except (OSError, ValueError) as err:
            problems.append(f"{name}: {err}")
            continue
        path.write_text(new, encoding="utf-8")
    if problems:
        raise PageCheckError("\n".join(problems))


class PageCheckError(SphinxError):
    category = "A page holds what the site does not allow (page:line: what; from source:line)"


def _widget_state(page: Path, widgets: str | None) -> str | None:
    """The state of the page's interactive view: the first file <meta name="panda-widgets"> names (trim.py)."""
    return (page.parent / widgets.split()[0]).read_text(encoding="utf-8") if widgets else None


_THEME_INLINE = ("DOCUMENTATION_OPTIONS.pagename = ", "DOCUMENTATION_OPTIONS.search_as_you_type = ",
                 "let toggleHintShow = ", "let toggleHintHide = ", "let toggleOpenOnPrint = ",
                 "var togglebuttonSelector = ")


def _files_for_inline(app: Sphinx, pagename, templatename, context, doctree) -> None:
    """The themes' inline settings off the page: panda-lang-init.js sets the page options, and
    panda-togglebutton.js (a file the site ships) holds sphinx-togglebutton's settings where its script is."""
    scripts = context.get("script_files", [])
    kept = []
    for script in scripts:
        body = str(getattr(script, "attributes", {}).get("body", "") or "")
        if body.lstrip().startswith(_THEME_INLINE):
            continue
        if str(getattr(script, "filename", script) or "").split("?")[0] == "togglebutton.js":
            kept.append("panda-togglebutton.js")
        kept.append(script)
    scripts[:] = kept


def _drop_thebe_kernel(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    for raw in list(doctree.findall(nodes.raw)):
        if raw.astext().startswith("<script>kernelName = "):
            raw.parent.remove(raw)


def setup_csp(app: Sphinx) -> None:
    # after trim.py decides which scripts a page keeps (priority 900)
    app.connect("html-page-context", _files_for_inline, priority=950)
    # after sphinx-thebe adds its kernel name (priority 500)
    app.connect("doctree-resolved", _drop_thebe_kernel, priority=900)
    app.connect("builder-inited", _started)
