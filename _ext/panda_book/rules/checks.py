"""Build-time checks of what the reader gets."""

from __future__ import annotations

import logging as _logging
import re
from pathlib import Path
from xml.etree import ElementTree

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.errors import ConfigError, SphinxError
from sphinx.util import logging

from .myst_checks import failing_line, last_error_line, timeout

logger = logging.getLogger(__name__)


class BadInput(SphinxError):
    """The book's files disagree or cannot be read; the message lists each file:line: problem; fix."""

    category = "Bad input (each line names the file, the line and the fix)"


def check_book(app: Sphinx, config) -> None:
    """Before anything is read or run: the toc and the issues agree, each issue is UTF-8 without a
    byte-order mark with readable front matter, and no two issues share a number or a date.

    The validator's book-level checks (``newsletter.rules.book_findings``), in the form a
    template issue (numbered 0, no source yet) passes. The build stops here, fast, with every
    problem listed, instead of at the first warning deep inside the reading.
    """
    from newsletter.rules import book_findings

    findings = [f for f in book_findings(Path(app.srcdir), strict=False)[0] if f.level == "error"]
    if findings:
        raise BadInput("\n".join(str(f) for f in findings) + "\n(python -m newsletter validate checks all of "
                       "this, and the stories, figures and numbers, in a second)")


#: What to do about warnings that Sphinx and MyST word without a fix: (type, subtype) -> hint.
_HINTS = {
    ("myst", "xref_missing"): "; no page, heading or label has this name: link to a file that exists (relative to "
                              "this one, e.g. [text](002-2025-12.md)), to a label written '(name)=' above a heading, "
                              "or to a full https:// address",
    ("ref", "ref"): "; define the label with a line '(name)=' above the heading it names, or correct the name",
    ("ref", "doc"): "; the page does not exist: correct the path (relative to this file, without .md)",
    ("image", "not_readable"): "; add the image file there, or correct the path (relative to the issue's folder)",
    ("myst", "directive_unknown"): "; check the name: an issue uses {story}, {zh}, {en}, {pair}, {figures} and "
                                   "{code-cell} (see templates/issue.md)",
    ("myst", "role_unknown"): "; check the name: an issue uses {bi}`中文 | English` (see templates/issue.md)",
}


_MYST_TAG = re.compile(r"\[myst\.([a-z_]+)\]")


class _Hints(_logging.Filter):
    """Adds the fix to a warning that lacks one, before it is turned into an error."""

    def filter(self, record: _logging.LogRecord) -> bool:
        key = (getattr(record, "type", None), getattr(record, "subtype", None))
        tagged = _MYST_TAG.search(str(record.msg))  # MyST's warnings through docutils carry only their tag
        hint = _HINTS.get(key) or (_HINTS.get(("myst", tagged.group(1))) if tagged else None)
        if hint and not getattr(record, "panda_hint", False):
            record.panda_hint = True
            hint = hint.replace("%", "%%") if record.args else hint
            msg = str(record.msg)
            at = tagged.start() if tagged else len(msg)  # before MyST's [myst.…] tag, if any
            record.msg = msg[:at].rstrip() + hint + (" " + msg[at:] if tagged else "")
        return True


def _install_hints() -> None:
    from sphinx.util.logging import NAMESPACE, WarningStreamHandler

    for handler in _logging.getLogger(NAMESPACE).handlers:
        if isinstance(handler, WarningStreamHandler) and not any(isinstance(f, _Hints) for f in handler.filters):
            handler.filters.insert(0, _Hints())  # before WarningIsErrorFilter raises with the message


_DC = "{http://purl.org/dc/elements/1.1/}"


def check_config(config) -> None:
    """Refuse settings that would load anything from outside the site."""
    urls = list(getattr(config, "nb_ipywidgets_js", {}) or {})
    urls += [f if isinstance(f, str) else f[0] for f in config.html_js_files + config.html_css_files]
    remote = [u for u in urls if re.match(r"^(https?:)?//", u)]
    if remote:
        raise ConfigError(f"_config.yml: these scripts or styles load from outside the site: {remote}. "
                          "Readers offline or in mainland China cannot reach them; vendor them under "
                          "_ext/panda_book/static/_vendor/ and point to the local copy.")
    from .pagecheck import WIDGET_SCRIPTS

    widgets = tuple(f"_static/{u}" for u in getattr(config, "nb_ipywidgets_js", {}) or {})
    if widgets and widgets != WIDGET_SCRIPTS:
        raise ConfigError(f"_config.yml: nb_ipywidgets_js lists {list(widgets)}; the site runs only the scripts "
                          "it lists in _ext/panda_book/rules/pagecheck.py (WIDGET_SCRIPTS: "
                          f"{list(WIDGET_SCRIPTS)}): list the same files in both")
    if not config.nitpicky:
        raise ConfigError("_config.yml: set 'sphinx: config: nitpicky: true'; broken references must fail the build")


def svg_description(path: Path) -> str | None:
    """The ``dc:description`` that :mod:`charts` writes into each SVG."""
    try:
        root = ElementTree.parse(path).getroot()
    except (OSError, ElementTree.ParseError):
        return None
    desc = root.find(f".//{_DC}description")
    return desc.text.strip() if desc is not None and desc.text else None


def _source_read(app: Sphinx, docname: str, source: list[str]) -> None:
    """The rules of the issue format (:mod:`newsletter.rules`, the validator's) on the page's model: errors fail
    the build at their line, notes (a partial translation's unmatched numbers) are printed."""
    from newsletter.book import BookError, read_sources, read_tags
    from newsletter.rules import RULES, Page, page_findings, page_rules

    path = Path(app.env.doc2path(docname))
    is_issue = docname.startswith("issues/")
    try:
        tags = read_tags(Path(app.srcdir))
    except BookError as exc:
        logger.error(exc.message, location=exc.path, type="panda", subtype="tags")
        tags = None
    try:
        sources = read_sources(Path(app.srcdir))
    except BookError:
        sources = None  # (check_book stopped the build on it, with its line)
    from ..model.publication import left_out

    page = Page(source[0], path.relative_to(app.srcdir).as_posix(), file=path, root=Path(app.srcdir), tags=tags,
                sources=sources, is_issue=is_issue, left_out=left_out(app.config))
    errors = 0
    for finding in page_findings(page, RULES if is_issue else page_rules):
        if finding.level == "error":
            errors += 1
            logger.error(finding.message, location=(docname, finding.line), type="panda", subtype="rules")
        else:
            logger.info(f"{page.path}:{finding.line}: note: {finding.message}")
    app.env.temp_data["panda_rule_errors"] = errors  # the directives draw what the rules passed


def _check_execution(app: Sphinx, docname: str) -> None:
    # myst-nb's own failure names only the file (its warning is suppressed in
    # _config.yml); report the failing cell's file line and the exception.
    from myst_nb.sphinx_ import NbMetadataCollector

    data = NbMetadataCollector.get_doc_data(app.env).get(docname, {}).get("exec_data")
    if not data or data.get("succeeded"):
        return
    text = Path(app.env.doc2path(docname)).read_text(encoding="utf-8")
    tb = data.get("traceback") or ""
    timed_out = timeout(text, tb)
    if timed_out:
        seconds, line = timed_out
        where = "the code cell starting here" if line else "a code cell"
        logger.error(f"{where} did not finish within {seconds:g} seconds (execute: timeout: in _config.yml); "
                     "make it faster (does it wait for a network or an input?) or, if it really needs longer, "
                     "raise the timeout", location=(docname, line) if line else docname,
                     type="panda", subtype="exec")
        return
    line = failing_line(text, tb)
    where = "this code cell" if line else "a code cell (the kernel died: no line known)"
    logger.error(f"{where} failed with {data.get('error')}: {last_error_line(tb)}. Fix the cell "
                 "and rebuild; run the issue in Jupyter to see the whole traceback.",
                 location=(docname, line) if line else docname, type="panda", subtype="exec")


def _doctree_read(app: Sphinx, doctree: nodes.document) -> None:
    env = app.env
    docname = env.docname
    srcdir = Path(app.srcdir)
    _check_execution(app, docname)
    for image in doctree.findall(nodes.image):
        uri = image.get("uri", "")
        if not image.get("alt") and uri.endswith(".svg"):
            # myst-nb writes outputs relative to the document's folder or the source dir
            for candidate in (srcdir / Path(docname).parent / uri, srcdir / uri, Path(uri)):
                if candidate.is_file():
                    alt = svg_description(candidate)
                    if alt:
                        image["alt"] = alt
                    break
        alt = image.get("alt", "")
        if not alt or alt == uri or alt.endswith(Path(uri).name):
            logger.error("an image has no alt text; charts from the charts package carry it, other "
                         "images need ':alt:' (or mystnb: image: alt: in the cell metadata)",
                         location=image, type="panda", subtype="alt")


def setup_checks(app: Sphinx) -> None:
    _install_hints()
    # before anything else reads the issues (reproducible.py reads their dates at priority 100)
    app.connect("config-inited", check_book, priority=50)
    app.connect("source-read", _source_read)
    app.connect("doctree-read", _doctree_read)
