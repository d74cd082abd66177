"""Build-time checks of what the reader gets."""

from __future__ import annotations

import re
from pathlib import Path
from xml.etree import ElementTree

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.errors import ConfigError
from sphinx.util import logging

from .figures import figures_table
from .myst_checks import failing_line, last_error_line, unclosed_fences

logger = logging.getLogger(__name__)

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
    for problem in unclosed_fences(source[0]):
        logger.error(problem.message, location=(docname, problem.line), type="panda", subtype="myst")
    if "{story}" in source[0]:
        # the number checker (python -m newsletter check): errors fail the build,
        # notes (a partial translation's unmatched numbers) are printed
        from newsletter import check_text

        for finding in check_text(source[0], app.env.doc2path(docname), records=False):
            if finding.level == "error":
                logger.error(finding.message, location=(docname, finding.line), type="panda", subtype="numbers")
            else:
                logger.info(f"{app.env.doc2path(docname, False)}:{finding.line}: note: {finding.message}")


def _check_execution(app: Sphinx, docname: str) -> None:
    # myst-nb's own failure names only the file (its warning is suppressed in
    # _config.yml); report the failing cell's file line and the exception.
    from myst_nb.sphinx_ import NbMetadataCollector

    data = NbMetadataCollector.get_doc_data(app.env).get(docname, {}).get("exec_data")
    if not data or data.get("succeeded"):
        return
    text = Path(app.env.doc2path(docname)).read_text(encoding="utf-8")
    tb = data.get("traceback") or ""
    line = failing_line(text, tb)
    where = "this code cell" if line else "a code cell (timeout or kernel death: no line known)"
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
    stories = {i.removeprefix("story-") for s in doctree.findall(nodes.section)
               if "story" in s["classes"] for i in s["ids"]}
    for table in doctree.findall(figures_table):
        for fig_id, (story, line) in table["records"].items():
            if story not in stories:
                logger.error(f"figure {fig_id!r} belongs to story {story!r}, which is not a story on this page; "
                             f"stories here: {', '.join(sorted(stories)) or 'none'}",
                             location=(docname, line), type="panda", subtype="figures")


def setup(app: Sphinx) -> None:
    app.connect("source-read", _source_read)
    app.connect("doctree-read", _doctree_read)
