"""``python -m newsletter check [ISSUE.md ...]``: run the number checker.

Prints one line per finding (``file:line: message``; information is marked
``info:``) and exits 1 if any is an error. Without files it checks every issue
in ``issues/``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .check import check_file


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m newsletter", description="PANDA微短剧 tools")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="check that each issue's Chinese and English report the same numbers")
    check.add_argument("files", nargs="*", type=Path, help="issue files (default: issues/*.md)")
    args = parser.parse_args(argv)
    files = args.files or sorted(Path("issues").glob("*.md"))
    if not files:
        print("no issues found: run from the book's folder or name the files", file=sys.stderr)
        return 2
    errors = infos = 0
    for path in files:
        for finding in check_file(path):
            print(finding)
            errors += finding.level == "error"
            infos += finding.level == "info"
    print(f"{len(files)} issue(s) checked: {errors} error(s), {infos} note(s)", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
