"""An issue's source text as the build reads it, with the checks the parser lets pass.

- :func:`read_source`: the file as UTF-8 without a byte-order mark, or an error
  at the line of the first byte that is not;
- :func:`unclosed_fences`: a ``:::`` or ````` block never closed (markdown-it
  closes it silently at the end of the file, so the rest of the issue vanishes
  into it), found in the issue's model;
- :func:`local_images`: the images an issue shows from the book's own files.

The validator (``python -m newsletter validate``) and the book's extension use
the same functions, so both report the same file, line and fix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .errors import LocatedError

#: what ``python -m newsletter new`` writes into a new issue's source file, until the editor pastes the source
SOURCE_PLACEHOLDER = "(Paste the source newsletter of this issue here, verbatim.)\n"

_BOMS = {b"\xef\xbb\xbf": "UTF-8", b"\xff\xfe": "UTF-16", b"\xfe\xff": "UTF-16"}



class SourceError(LocatedError):
    """The file cannot be read as an issue; names the file, the line and the fix."""


def read_source(path: str | Path, shown: str | Path | None = None) -> str:
    """The text of ``path``, which must be UTF-8 without a byte-order mark.

    ``shown`` is the name the error gives (default: ``path``). Line endings are
    folded to ``\\n`` (a file saved with Windows line endings reads the same).
    """
    data = Path(path).read_bytes()
    shown = path if shown is None else shown
    for bom, encoding in _BOMS.items():
        if data.startswith(bom):
            raise SourceError(shown, 1, f"the file starts with a {encoding} byte-order mark (BOM); save it as UTF-8 "
                              "without BOM (in VS Code: 'Save with Encoding' > 'UTF-8'; Notepad: 'UTF-8', "
                              "not 'UTF-8 with BOM')")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise SourceError(shown, line, f"the file is not UTF-8 (byte 0x{data[exc.start]:02x} cannot be read; was "
                          "it saved as GBK/GB18030 or UTF-16?); save it as UTF-8 without BOM") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


@dataclass
class FenceProblem:
    line: int
    message: str


def unclosed_fences(text: str) -> list[FenceProblem]:
    """Fences opened and never closed, and closing lines with nothing open (from the issue's model)."""
    from .model import parse_issue

    problems = []
    consequences: list[tuple[int, int]] = []  # what a fence that swallowed the rest of the file holds
    for fence in parse_issue(text).fences:
        if any(start < fence.line <= end for start, end in consequences):
            continue
        if fence.swallows:
            consequences.append((fence.line, fence.end))
            problems.append(FenceProblem(fence.line, f"'{fence.markup}{fence.info}' opened here is never closed; "
                                                     f"add a line '{fence.markup}' where the block ends"))
            continue
        if fence.closed:
            continue
        if not fence.info and fence.markup.startswith(":"):
            problems.append(FenceProblem(fence.line, f"'{fence.markup}' closes nothing: no ':::' block is open here; "
                                                     "remove the line or open the block above it"))
        else:
            problems.append(FenceProblem(fence.line, f"'{fence.markup}{fence.info}' opened here is never closed; "
                                                     f"add a line '{fence.markup}' where the block ends"))
    return problems


def local_images(text: str) -> list[tuple[int, str]]:
    """(line, target) of each image an issue shows from a file (not a web address), from the issue's model."""
    from .model import parse_issue

    return [(line, target) for line, target in parse_issue(text).images
            if not re.match(r"^([a-z][a-z0-9+.-]*:|//|#)", target, re.I)]
