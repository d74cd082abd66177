"""The one error type of the newsletter's files: it names the file, the line and the fix."""

from __future__ import annotations

import re
from pathlib import Path


class LocatedError(ValueError):
    def __init__(self, path: str | Path, line: int, message: str):
        self.path, self.line, self.message = str(path), line, message
        super().__init__(f"{path}:{line}: {message}")


def yaml_problem(exc: Exception) -> tuple[int, str]:
    """The 0-based line and the words of a YAML error.

    An unclosed ``[``, ``{`` or quote is reported where it opens (PyYAML notices it
    a line or more later, at the next key); anything else where the parser failed.
    """
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None) or ""
    mark, opened = getattr(exc, "problem_mark", None), getattr(exc, "context_mark", None)
    if opened is not None and re.match(r"while (parsing a flow|scanning a (quoted|double-quoted|single-quoted))",
                                       context):
        return opened.line, f"{problem}, {context} that starts on this line"
    return (mark.line if mark else 0), problem
