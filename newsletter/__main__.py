"""The contributors' commands (run from the book's folder):

    python -m newsletter new [--date YYYY-MM] [--slug SLUG]   the next issue, from the template, in the toc
    python -m newsletter import DIGEST.txt [--date YYYY-MM[-DD]]  the next issue, from the week's digest
    python -m newsletter validate                             what a reviewer checks, in seconds, no build
    python -m newsletter check [ISSUE.md ...]                 the number checker alone
    python -m newsletter notebooks [ISSUE.md ...]             each issue is a valid MyST notebook
    python -m newsletter preview [--port 8000]                build, serve on 127.0.0.1, rebuild on save
    python -m newsletter send ISSUE --list FILE.csv [--send]  the email edition to a list (a dry run without --send)

``check`` and ``validate`` print one line per finding (``file:line: message``;
information is marked ``info:``) and exit 1 if any is an error.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .check import check_file
from .errors import LocatedError


def _report(findings) -> int:
    errors = infos = 0
    for finding in findings:
        print(finding)
        errors += finding.level == "error"
        infos += finding.level == "info"
    print(f"{errors} error(s), {infos} note(s)", file=sys.stderr)
    return 1 if errors else 0


def _imported(done) -> int:
    for note in done.notes:
        print(f"note: {note}", file=sys.stderr)
    kept = f" (its bytes as given: {done.kept.as_posix()})" if done.kept else ""
    print(f"created {done.issue.as_posix()} ({done.stories} stories) and {done.source.as_posix()}{kept}, listed in "
          "_toc.yml. Review before 'python -m newsletter validate':")
    print(f"- not placed ({len(done.unplaced)}): " + ("; ".join(done.unplaced) if done.unplaced else "none"))
    print("- topics suggested (confirm or edit :tags:): " + ("; ".join(done.suggested) or "none"))
    if done.from_contents:
        print("- headlines from the contents list: " + "; ".join(done.from_contents))
    print(f"- figure records proposed (commented out in the {{figures}} block): {done.proposals}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m newsletter", description="PANDA微短剧: contributors' tools")
    commands = parser.add_subparsers(dest="command", required=True)
    new = commands.add_parser("new", help="create the next issue from templates/issue.md and list it in _toc.yml")
    new.add_argument("--date", help="year and month of the issue, e.g. 2025-12 (default: this month)")
    new.add_argument("--slug", help="a short name in lower-case words, e.g. nanning-filming")
    digest = commands.add_parser("import", help="write the next issue from the week's digest (the WeChat article's "
                                 "text), list it in _toc.yml and keep the digest in sources/")
    digest.add_argument("digest", type=Path, help="the digest, as saved (UTF-8, or GBK)")
    digest.add_argument("--date", help="the issue's month or day, e.g. 2025-12 or 2025-12-05 (default: this month)")
    commands.add_parser("validate", help="check files, front matter, toc, stories, topics, figures and numbers")
    check = commands.add_parser("check", help="check that each issue's Chinese and English report the same numbers")
    check.add_argument("files", nargs="*", type=Path, help="issue files (default: issues/*.md)")
    notebooks = commands.add_parser("notebooks", help="check that issues are valid MyST notebooks (jupytext)")
    notebooks.add_argument("files", nargs="*", type=Path, help="issue files (default: issues/*.md)")
    preview = commands.add_parser("preview", help="build, serve on 127.0.0.1 and rebuild on every save")
    preview.add_argument("--port", type=int, default=8000)
    send = commands.add_parser("send", help="email the issue's built edition to a subscriber list over SMTP (the "
                               "PANDA_SMTP_* environment variables); without --send, a dry run")
    send.add_argument("issue", metavar="ISSUE",
                      help="the issue: its number (1), stem (001-2025-11) or file (issues/001-2025-11.md)")
    send.add_argument("--list", required=True, type=Path, dest="list_path", metavar="FILE.csv",
                      help="the subscribers: a UTF-8 CSV file with the columns email,lang (lang: zh, en or both)")
    send.add_argument("--send", action="store_true", dest="really",
                      help="send (without it: print who would get which edition, send nothing)")
    args = parser.parse_args(argv)
    root = Path(".")
    try:
        if args.command == "new":
            from .new import create_issue

            path = create_issue(root, args.date, args.slug)
            print(f"created {path.as_posix()} and sources/{path.stem}.txt, listed in _toc.yml; next: paste the "
                  "source, write the stories and figures, run 'python -m newsletter validate'")
            return 0
        if args.command == "import":
            from .importer import import_digest

            return _imported(import_digest(root, args.digest, args.date))
        if args.command == "validate":
            from .validate import validate

            return _report(validate(root))
        if args.command == "preview":
            from .preview import serve

            serve(root, args.port)
            return 0
        if args.command == "send":
            from .send import command

            return command(root, args.issue, args.list_path, args.really)
    except LocatedError as exc:  # (BookError, the import's DigestError, send's list and edition errors)
        print(exc, file=sys.stderr)
        return 1
    files = args.files or sorted(Path("issues").glob("*.md"))
    if args.command == "notebooks":
        from .rules import check_notebook

        return _report([f for path in files for f in check_notebook(path)])
    if not files:
        print("no issues found: run from the book's folder or name the files", file=sys.stderr)
        return 2
    findings = [f for path in files for f in check_file(path)]
    return _report(findings)


if __name__ == "__main__":
    sys.exit(main())
