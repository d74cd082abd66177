"""Re-run an issue's notebook when what its charts draw from changes.

myst-nb's execution cache (jupyter-cache) keys a notebook on its code cells
only. An issue's chart cells read the ``{figures}`` block of the same file and
call the ``charts`` package, neither of which is code-cell text: after a fixed
figure or a changed chart function, the cache would serve the old charts.

So, as Sphinx reads an issue, the line that loads the figures gets a comment
holding a digest of the figures block and of the ``charts`` and ``newsletter``
sources: ``figures = load_figures("...")  # inputs: 1a2b...``. Only the text
Sphinx parses changes (not the file, not its line numbers); when an input
changes, the digest does, and the notebook runs again. And since Sphinx only
reads again the files that changed, a change to the chart code marks every
issue that loads figures as outdated (``env-get-outdated``).
"""

from __future__ import annotations

import ast
import hashlib
import importlib.util
from functools import cache
from pathlib import Path

from sphinx.application import Sphinx

from .store import book_state


@cache
def code_digest() -> str:
    """The digest of the chart and record code (read once per build process).

    Found, not imported: importing ``charts`` would import matplotlib (0.8 s)
    in a build that may run no notebook at all.
    """
    h = hashlib.sha256()
    for package in ("charts", "newsletter"):
        spec = importlib.util.find_spec(package)
        root = Path(spec.origin).parent
        for path in sorted(root.rglob("*")):
            if path.suffix in (".py", ".mplstyle", ".json") and "__pycache__" not in path.parts:
                h.update(path.relative_to(root.parent).as_posix().encode())
                h.update(path.read_bytes())
    return h.hexdigest()


def load_lines(text: str) -> list[int]:
    """The file lines where a code cell's ``load_figures(...)`` call ends (from the issue's model, the code read
    with ``ast``; a cell that does not parse is the execution's error, not this)."""
    from newsletter.model import parse_issue

    lines = []
    for cell in parse_issue(text).code_cells:
        try:
            tree = ast.parse(cell.code)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            name = getattr(node, "func", None)
            if isinstance(node, ast.Call) and getattr(name, "id", getattr(name, "attr", "")) == "load_figures":
                lines.append(cell.code_line + node.end_lineno - 1)
    return sorted(set(lines))


def stamp(text: str) -> str:
    """The text with each line that loads the figures carrying the inputs' digest (as a comment)."""
    if "load_figures" not in text:
        return text
    at = load_lines(text)
    if not at:
        return text
    from newsletter.model import parse_issue

    figures = parse_issue(text).figures
    digest = hashlib.sha256((code_digest() + (figures.content if figures else "")).encode()).hexdigest()[:16]
    lines = text.split("\n")
    for line in at:
        lines[line - 1] += f"  # inputs: {digest}"
    return "\n".join(lines)


def _source_read(app: Sphinx, docname: str, source: list[str]) -> None:
    source[0] = stamp(source[0])


#: files of the book that every page draws from, beside its own source: the topic names (each story's tag
#: links), the sources (each story's source line, the figure tables and chart captions, the data page) and the
#: search word list (how every page's words are indexed). Sphinx watches none of them.
BOOK_INPUTS = ("tags.yml", "sources.yml", "search/zh-terms.txt")


def book_inputs_digest(srcdir: Path) -> str:
    h = hashlib.sha256()
    for name in BOOK_INPUTS:
        h.update(name.encode() + b"\0" + _input(srcdir, name) + b"\0")
    return h.hexdigest()


def _input(srcdir: Path, name: str) -> bytes:
    """What the pages take from a book input: for tags.yml the topics' names only (their ``keywords`` are for
    ``python -m newsletter import``: editing them reads no page again); the file's bytes otherwise."""
    from newsletter.book import BookError, read_tags

    path = srcdir / name
    if not path.is_file():
        return b"(none)"
    if name == "tags.yml":
        try:
            return repr(list(read_tags(srcdir).items())).encode()
        except BookError:
            pass  # (the build stops on it, with its line)
    return path.read_bytes()


def _book_inputs_outdated(app: Sphinx, env, added, changed, removed) -> list[str]:
    """Every page, when a file of BOOK_INPUTS changed (an incremental build must equal a clean one)."""
    digest = book_inputs_digest(Path(app.srcdir))
    state = book_state(env)
    before, state.inputs_digest = state.inputs_digest, digest
    if before is None or before == digest:
        return []
    return sorted(env.found_docs - set(removed))


def _outdated(app: Sphinx, env, added, changed, removed) -> list[str]:
    digest = code_digest()
    state = book_state(env)
    before, state.code_digest = state.code_digest, digest
    if before is None or before == digest:
        return []
    uses = []
    for docname in sorted(env.found_docs - set(removed)):
        path = Path(env.doc2path(docname))
        text = path.read_text(encoding="utf-8") if path.suffix == ".md" else ""
        if "load_figures" in text and load_lines(text):
            uses.append(docname)
    return uses


def setup_inputs(app: Sphinx) -> None:
    app.connect("source-read", _source_read)
    app.connect("env-get-outdated", _outdated)
    app.connect("env-get-outdated", _book_inputs_outdated)
