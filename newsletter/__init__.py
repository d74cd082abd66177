"""The newsletter's data and checks, without Sphinx.

- :mod:`newsletter.figures`: an issue's figure records (JSON Schema validated);
- :mod:`newsletter.numbers`: numbers as Chinese and English text writes them;
- :mod:`newsletter.issue`: an issue's stories read from its source;
- :mod:`newsletter.source`: an issue's text as the build reads it (UTF-8, no BOM), unclosed
  blocks, raw HTML, images;
- :mod:`newsletter.check`: the number checker;
- :mod:`newsletter.digest`: the week's digest (the WeChat article's text) read into stories, for
  ``python -m newsletter import`` (:mod:`newsletter.importer`).

Command line: ``python -m newsletter check [ISSUE.md ...]`` (every issue by default).
"""

from .check import Finding, check_file, check_text
from .figures import UNITS, Figure, FiguresError, format_en, format_zh, load_figures, parse_figures
from .numbers import Number, parse_en, parse_zh

__all__ = [
    "UNITS", "Figure", "FiguresError", "Finding", "Number", "check_file", "check_text", "format_en", "format_zh",
    "load_figures", "parse_en", "parse_figures", "parse_zh",
]
