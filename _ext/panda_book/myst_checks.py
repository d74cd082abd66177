"""Checks on the MyST source that the parser itself lets pass.

markdown-it closes an unclosed ``:::`` or ````` fence silently at the end of the
file, so a forgotten closing line swallows the rest of an issue; and myst-nb
names only the file of a failing cell. These helpers give the file line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_FENCE = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,}|:{3,})(?P<info>.*)$")
_CODE_CELL = re.compile(r"^ {0,3}(`{3,}|~{3,})\{code-cell\}")
_CELL_IN = re.compile(r"Cell In\[(\d+)\], line (\d+)")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclass
class FenceProblem:
    line: int
    message: str


def _front_matter_end(lines: list[str]) -> int:
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
    for i in range(_front_matter_end(lines), len(lines)):
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


def code_cell_lines(text: str) -> list[int]:
    """File line of the first source line of each ``{code-cell}``, in order."""
    lines = text.splitlines()
    starts = []
    i = 0
    while i < len(lines):
        if _CODE_CELL.match(lines[i]):
            j = i + 1
            if j < len(lines) and lines[j].strip() == "---":
                j += 1
                while j < len(lines) and lines[j].strip() != "---":
                    j += 1
                j += 1
            while j < len(lines) and re.match(r"^:[\w-]+:", lines[j]):
                j += 1
            if j < len(lines) and not lines[j].strip():
                j += 1
            starts.append(j + 1)
            i = j
        i += 1
    return starts


def failing_line(text: str, traceback: str) -> int | None:
    """The file line of the failure, from IPython's ``Cell In[n], line k``."""
    found = _CELL_IN.findall(_ANSI.sub("", traceback or ""))
    if not found:
        return None
    count, line = (int(x) for x in found[-1])
    starts = code_cell_lines(text)
    if not 1 <= count <= len(starts):
        return None
    return starts[count - 1] + line - 1


def last_error_line(traceback: str) -> str:
    lines = [ln for ln in _ANSI.sub("", traceback or "").splitlines() if ln.strip()]
    return lines[-1].strip() if lines else "no traceback"
