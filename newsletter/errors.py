"""The one error type of the newsletter's files: it names the file, the line and the fix."""

from __future__ import annotations

from pathlib import Path


class LocatedError(ValueError):
    def __init__(self, path: str | Path, line: int, message: str):
        self.path, self.line, self.message = str(path), line, message
        super().__init__(f"{path}:{line}: {message}")
