"""The file line of a failing or timed-out code cell.

myst-nb names only the file of a failing cell, and of a cell that timed out not
even the cell. These helpers find the cell in the issue's model.
"""

from __future__ import annotations

import ast
import re

_CELL_IN = re.compile(r"Cell In\[(\d+)\], line (\d+)")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_TIMEOUT = re.compile(r"timed out while it was being executed, after (?P<seconds>[\d.]+) seconds.*?"
                      r"preview of the cell contents:\n-+\n(?P<preview>.*?)\n-+", re.S)

def code_cell_lines(text: str) -> list[int]:
    """File line of the first source line of each ``{code-cell}``, in order (from the issue's model)."""
    from newsletter.model import parse_issue

    return [cell.code_line for cell in parse_issue(text).code_cells]


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


def timeout(text: str, traceback: str) -> tuple[float, int | None] | None:
    """(seconds, file line of the cell's first code line) when the traceback is a cell timeout.

    nbclient quotes the cell (its first and last five lines when it is longer
    than ten); the cell is the one whose code holds the first quoted line.
    """
    found = _TIMEOUT.search(_ANSI.sub("", traceback or ""))
    if not found:
        return None
    preview = found["preview"].strip().splitlines()
    first = preview[0].strip() if preview else ""
    if first.startswith("[") and first.endswith("]"):  # ['line 1', 'line 2', ...] of a long cell
        try:
            first = str((ast.literal_eval(first) or [""])[0]).strip()
        except (ValueError, SyntaxError):
            pass
    from newsletter.model import parse_issue

    for cell in parse_issue(text).code_cells:
        if first and any(line.strip() == first for line in cell.code.splitlines()):
            return float(found["seconds"]), cell.code_line
    return float(found["seconds"]), None
