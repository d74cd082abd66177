"""An issue's source text as the build reads it, with the checks the parser lets pass.

- :func:`read_source`: the file as UTF-8 without a byte-order mark, or an error
  at the line of the first byte that is not;
- :func:`unclosed_fences`: a ``:::`` or ````` block never closed (markdown-it
  closes it silently at the end of the file, so the rest of the issue vanishes
  into it);
- :func:`local_images`: the images an issue shows from the book's own files.

The validator (``python -m newsletter validate``) and the book's extension use
the same functions, so both report the same file, line and fix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .errors import LocatedError

_FENCE = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,}|:{3,})(?P<info>.*)$")
_BOMS = {b"\xef\xbb\xbf": "UTF-8", b"\xff\xfe": "UTF-16", b"\xfe\xff": "UTF-16"}

_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")
_MD_IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?(?P<target>[^)\s>]+)")
_IMAGE_DIRECTIVE = re.compile(r"^ {0,3}(`{3,}|~{3,}|:{3,})\{(?:image|figure)\}\s+(?P<target>\S+)")


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


def front_matter_end(lines: list[str]) -> int:
    """The index of the first line after the front matter (0 if there is none)."""
    if lines and lines[0].strip() == "---":
        for i in range(1, len(lines)):
            if lines[i].strip() == "---":
                return i + 1
    return 0


def unclosed_fences(text: str) -> list[FenceProblem]:
    """Fences opened and never closed, and closing lines with nothing open."""
    lines = text.splitlines()
    stack: list[tuple[str, int, str]] = []  # (fence, line, info)
    problems = []
    for i in range(front_matter_end(lines), len(lines)):
        m = _FENCE.match(lines[i])
        if not m:
            continue
        fence, info = m["fence"], m["info"].strip()
        top = stack[-1] if stack else None
        closes = top and fence[0] == top[0][0] and len(fence) >= len(top[0]) and not info
        if top and top[0][0] in "`~":
            if closes:
                stack.pop()
            continue  # inside a code fence nothing else is markup
        if closes:
            stack.pop()
        elif not info and fence[0] == ":":
            problems.append(FenceProblem(i + 1, f"'{fence}' closes nothing: no ':::' block is open here; "
                                                "remove the line or open the block above it"))
        else:
            stack.append((fence, i + 1, info))
    for fence, line, info in stack:
        problems.append(FenceProblem(line, f"'{fence}{info}' opened here is never closed; add a line "
                                           f"'{fence}' where the block ends"))
    return problems


def _markdown_lines(text: str):
    """(line number, line) of the Markdown of an issue: no front matter, no code or YAML fences."""
    lines = text.splitlines()
    code: str | None = None
    for i in range(front_matter_end(lines), len(lines)):
        line = lines[i]
        m = _FENCE.match(line)
        if code is not None:
            if m and m["fence"][0] == code[0] and len(m["fence"]) >= len(code) and not m["info"].strip():
                code = None
            continue
        if m and m["fence"][0] in "`~":
            code = m["fence"]
            yield i + 1, line  # the opening line itself (a {raw} or {image} directive is read from it)
            continue
        yield i + 1, line


def local_images(text: str) -> list[tuple[int, str]]:
    """(line, target) of each image an issue shows from a file (not a web address)."""
    found = []
    for number, line in _markdown_lines(text):
        targets = [m["target"] for m in _MD_IMAGE.finditer(_CODE_SPAN.sub("", line))]
        directive = _IMAGE_DIRECTIVE.match(line)
        if directive:
            targets.append(directive["target"])
        found += [(number, t) for t in targets if not re.match(r"^([a-z][a-z0-9+.-]*:|//|#)", t, re.I)]
    return found
