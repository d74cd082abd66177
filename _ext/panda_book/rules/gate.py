"""What content may put on a page, checked on the doctree, where every road meets.

An issue reaches its page only through the doctree: MyST Markdown, ``{eval-rst}``,
``{include}``d files, ``{raw}`` blocks and the outputs of its code cells all
become nodes before anything is written. This transform runs first of the
project's transforms (before the chart figures are made) and fails the build,
at the node's file and line, on:

- in an issue, a raw HTML node (from any road) that is more than text with the few inline
  tags an issue may use (``newsletter.safety``, the validator's rules too: no attributes, no comments);
- a code cell's output other than what the project's own cells produce: images,
  plain text and the interactive view (a widget view); and any traceback (a
  cell tagged ``raises-exception`` included), or more than :data:`MAX_OUTPUT`
  characters of text from one cell;
- ``html_meta`` (front matter ``myst: html_meta:`` or ``.. meta::``): a
  ``<meta http-equiv="refresh">`` would send readers elsewhere;
- a link or image whose address runs script or embeds data (``javascript:``,
  ``vbscript:``, ``data:``, ``file:``);
- a file the page depends on (``{include}``, ``{literalinclude}``,
  ``{download}``, an image) outside the folders an issue may use
  (:data:`ALLOWED_FOLDERS`), or outside the book, through ``..`` or a link.

The written pages are checked again after the build (pagecheck.py): this gate
gives the line, that check is the backstop for what no source line holds.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms import SphinxTransform
from sphinx.util import logging

from newsletter.issue import front_matter_lines
from newsletter.safety import raw_problem, svg_problem, url_problem

logger = logging.getLogger(__name__)

#: the widget view myst-nb writes for an interactive view (a data block, never run)
_WIDGET_VIEW = re.compile(r'<script type="application/vnd\.jupyter\.widget-view\+json">(?P<json>[^<]*)</script>')
#: text one code cell may print or display; more fails the build at the cell (it would go whole into the
#: page and the search index)
MAX_OUTPUT = 200_000
#: folders (relative to the book) whose files an issue may include, download or show
ALLOWED_FOLDERS = ("issues", "sources", "_build/chart-data")
#: and the outputs of an issue's cells, in the build's own folder (_build, or the preview's _build/preview);
#: chart-data stays in _build for both, as Sphinx names a download after its path
BUILD_OUTPUTS = ("jupyter_execute",)
_URL_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
WIDGET_VIEW_MIME = "application/vnd.jupyter.widget-view+json"
#: what the project's own cells display: charts (SVG, PNG), plain text, the interactive view
ALLOWED_MIME = ("image/svg+xml", "image/png", "text/plain", WIDGET_VIEW_MIME)


def _cell_of(node: nodes.Node) -> nodes.Element | None:
    while node is not None:
        if isinstance(node, nodes.container) and node.get("nb_element") == "cell_code":
            return node
        node = node.parent
    return None


def _output_problem(node: nodes.Element) -> str | None:
    """Why one output of a code cell may not be on the page, or None.

    myst-nb keeps every MIME type of a displayed output as a ``container(mime_type=...)`` until it picks one
    per builder: each must be one the project's cells produce. Streams and errors are literal blocks.
    """
    mime = node.get("mime_type")
    if mime is not None:
        if mime not in ALLOWED_MIME:
            return (f"this code cell displays {mime}; a cell may show images (charts), plain text and the "
                    "interactive view (charts.chart_switcher) only: display a chart or print text instead")
        if mime == WIDGET_VIEW_MIME:
            raws = list(node.findall(nodes.raw))
            found = _WIDGET_VIEW.fullmatch(raws[0].astext()) if len(raws) == 1 else None
            try:
                view = json.loads(found["json"]) if found else None
            except ValueError:
                view = None
            if not (isinstance(view, dict) and set(view) == {"model_id", "version_major", "version_minor"}):
                return "this code cell's interactive view is not one ipywidgets writes; display a widget instead"
        return None
    if isinstance(node, nodes.literal_block) and "traceback" in node.get("classes", []):
        return ("this code cell's output is a traceback; a cell that raises is an error even when tagged "
                "raises-exception, and tracebacks are never published: fix the cell or remove the tag")
    return None


def _in_widget_view(node: nodes.Node) -> bool:
    while node is not None:
        if isinstance(node, nodes.Element) and node.get("mime_type") == WIDGET_VIEW_MIME:
            return True
        node = node.parent
    return False


def _inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
        return True
    except ValueError:
        return False


#: what an issue may publish as a download or image of its own (no .html/.htm/.xhtml/.js/.css, and no .svg
#: except the charts the build draws: a file opened directly runs its scripts on the site's address, with no policy)
PUBLISHABLE = frozenset({".csv", ".txt", ".pdf", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".json", ".md"})


def build_folder(app) -> str:
    """The build's folder relative to the book (``_build``; the preview's is ``_build/preview``)."""
    return Path(os.path.relpath(Path(app.doctreedir).parent, app.srcdir)).as_posix()


def file_problem(target: str, docdir: Path, srcdir: Path, filesystem: bool = False, build: str = "_build"
                 ) -> str | None:
    """Why a file an issue names (include, download, image) may not be published, or None.

    ``target`` is relative to the issue's folder, or to the book when it starts with ``/`` (Sphinx's rule);
    with ``filesystem`` an absolute path is a path of the machine ({literalinclude} keeps the file it read).
    """
    if _URL_SCHEME.match(target) or target.startswith("//"):
        return url_problem(target)
    if filesystem and Path(target).is_absolute():
        path = Path(target)
    elif target.startswith("/"):
        path = srcdir / target.lstrip("/")
    else:
        path = docdir / target
    root = srcdir.resolve()
    resolved = path.resolve()  # through '..' and symbolic links
    fix = (f"an issue may include, download or show files in {' and '.join(f + '/' for f in ALLOWED_FOLDERS[:2])} "
           "only: copy the file there and name it relative to the issue")
    if not _inside(resolved, root):
        return f"{target!r} is outside the book; {fix}"
    rel = resolved.relative_to(root).as_posix()
    allowed = (*ALLOWED_FOLDERS, *(f"{build}/{output}" for output in BUILD_OUTPUTS))
    if not any(rel == f or rel.startswith(f + "/") for f in allowed):
        return f"{target!r} ({rel}) is not a file an issue may use; {fix}"
    if not rel.startswith(f"{build}/") and resolved.suffix.lower() not in PUBLISHABLE:
        return (f"{target!r}: an issue may publish {', '.join(sorted(PUBLISHABLE))} files only (a {resolved.suffix} "
                "file opened on the site could run scripts); charts come from code cells")
    return None


class ContentGate(SphinxTransform):
    """Fail the build at the line of anything an issue may not put on a page (see the module's text)."""

    #: first of the project's transforms: before the chart figures (chartfig.py, 800) rework the outputs
    default_priority = 10

    def apply(self) -> None:
        srcdir = Path(self.env.srcdir)
        docdir = Path(self.env.doc2path(self.env.docname)).parent
        self._build = build_folder(self.app)
        # the book's own pages (home, data, archive) may hold the HTML the project wrote; every page, theirs
        # included, passes the check of the written HTML (pagecheck.py)
        self._issue = self.env.docname.startswith("issues/")
        # a notebook that failed to run is reported by checks.py at the failing line (and fails the build):
        # its traceback output is not a second finding here
        from myst_nb.sphinx_ import NbMetadataCollector

        exec_data = NbMetadataCollector.get_doc_data(self.env).get(self.env.docname, {}).get("exec_data") or {}
        self._run_failed = exec_data.get("succeeded") is False
        for node in list(self.document.findall(nodes.Element)):
            problem = self._problem(node, docdir, srcdir)
            if problem:
                cell = _cell_of(node)
                # a cell's problem is reported at its '```{code-cell}' line (myst-nb numbers a cell two lines on)
                where = (self.env.docname, cell.line - 2) if cell is not None and cell.line else node
                if not getattr(where, "line", None) and isinstance(node, nodes.pending):
                    text = Path(self.env.doc2path(self.env.docname)).read_text(encoding="utf-8")
                    where = (self.env.docname, front_matter_lines(text).get("myst"))  # html_meta has no line
                logger.error(problem, location=where, type="panda", subtype="content")
        # what {include}, {literalinclude} and raw :file: read (Sphinx copies this list to env.dependencies
        # after the transforms)
        for dep in sorted(self.document.settings.record_dependencies.list):
            problem = file_problem(str(dep), srcdir, srcdir, filesystem=True, build=self._build)
            if problem:
                logger.error(f"this page depends on a file it may not use: {problem}",
                             location=(self.env.docname, None), type="panda", subtype="content")

    def _problem(self, node: nodes.Element, docdir: Path, srcdir: Path) -> str | None:
        if isinstance(node, nodes.container) and node.get("nb_element") == "cell_code":
            tags = node.get("cell_metadata", {}).get("tags", [])
            if "raises-exception" in tags or "raises_exception" in tags:
                return ("this code cell is tagged raises-exception; a cell that raises is always an error and "
                        "tracebacks are never published: remove the tag and fix the cell")
            return self._output_size(node)
        if _cell_of(node) is not None and not (self._run_failed and "traceback" in node.get("classes", [])):
            problem = _output_problem(node)
            if problem or node.get("mime_type") == WIDGET_VIEW_MIME:
                return problem
        if isinstance(node, (nodes.math, nodes.math_block)):
            # Sphinx would add MathJax from a CDN to the page (the fourth attack review): the page check refused
            # it later, at the HTML's line and naming the wrong page
            return ("math ({math} role or directive) is not part of the issue format: it would load MathJax from "
                    "another site; write the formula as text (e.g. 2.03 million = 203万)")
        if isinstance(node, nodes.raw):
            if "html" not in node.get("format", "").split() or _in_widget_view(node) or not self._issue:
                return None
            return raw_problem(node.astext())
        if isinstance(node, nodes.meta) or (isinstance(node, nodes.pending)
                                             and any(isinstance(n, nodes.meta) for n in node.details.get("nodes", []))):
            return ("html_meta (front matter 'myst: html_meta:' or '.. meta::') is not allowed: the book writes "
                    "each page's meta tags itself; remove it")
        if isinstance(node, nodes.reference) and node.get("refuri"):
            return url_problem(node["refuri"])
        if isinstance(node, nodes.image):
            uri = node.get("uri", "")
            return file_problem(uri, docdir, srcdir, build=self._build) or self._svg(uri, docdir, srcdir)
        if isinstance(node, addnodes.download_reference):
            return file_problem(node.get("reftarget", ""), docdir, srcdir, build=self._build)
        if isinstance(node, nodes.literal_block) and node.get("source") and node["source"] != node.source:
            return file_problem(node["source"], docdir, srcdir, filesystem=True, build=self._build)  # {literalinclude}
        return None

    def _svg(self, uri: str, docdir: Path, srcdir: Path) -> str | None:
        """An SVG the page shows (a cell's chart, most often) is published as a file of its own: it must hold
        nothing that runs when it is opened (newsletter.safety.svg_problem)."""
        if not uri.lower().endswith(".svg") or _URL_SCHEME.match(uri):
            return None
        path = srcdir / uri.lstrip("/") if uri.startswith("/") else docdir / uri
        try:
            problem = svg_problem(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            return None  # a missing image is Sphinx's error, with its line
        return (f"{problem}: an SVG is published as a file that runs its scripts when opened; charts come from "
                "the charts package, which draws none of this") if problem else None

    def _output_size(self, cell: nodes.Element) -> str | None:
        size = sum(len(n.astext()) for n in cell.findall(nodes.Element)
                   if isinstance(n.parent, nodes.container) and n.parent.get("nb_element") == "cell_code_output")
        if size > MAX_OUTPUT:
            return (f"this code cell outputs {size:,} characters of text (at most {MAX_OUTPUT:,}): it would go whole "
                    "into the page and the search index; print a summary, or draw a chart")
        return None


def _resolved(app, doctree: nodes.document, docname: str) -> None:
    """Raw HTML made after reading (myst-nb's glue of another document's output is resolved by a post-transform,
    after the gate ran): the same rule, on the final doctree of an issue."""
    if not docname.startswith("issues/"):
        return
    for node in doctree.findall(nodes.raw):
        if "html" in node.get("format", "").split() and not _WIDGET_VIEW.fullmatch(node.astext()):
            problem = raw_problem(node.astext())
            if problem:
                logger.error(f"{problem} (it came from a {{glue}} reference or another step after reading)",
                             location=node if node.line else (docname, None), type="panda", subtype="content")


def setup_gate(app) -> None:
    app.add_transform(ContentGate)
    # after every other handler (sphinx-thebe's kernel name is taken off at 900, csp.py)
    app.connect("doctree-resolved", _resolved, priority=990)
