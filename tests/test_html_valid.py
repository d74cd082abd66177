"""Every page of the built book is valid HTML: the Nu Html Checker (vnu.jar) reports no error.

vnu comes from the npm registry, pinned in tools/vnu/package-lock.json:
`npm ci --prefix tools/vnu --ignore-scripts` (the package's own install script
would download a Java runtime; Debian's is used instead). Without Java or vnu.jar
the test skips and says how to install them; in CI (`CI` set) it fails instead.

Errors fail the test unless tests/vnu-allowlist.txt explains them (theme output
our templates cannot change); an allowlist entry that matches nothing fails too.
Warnings are printed, not failed on: they are advice (heading outline, redundant
ARIA roles) or, for the Content-Security-Policy, artefacts of checking files from
disk (vnu compares resources with the `file:` origin, which `'self'` never matches).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from .conftest import ROOT

sys.path.insert(0, str(ROOT / "tools"))
from check_links import is_template  # noqa: E402

VNU = ROOT / "tools" / "vnu" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
ALLOWLIST = ROOT / "tests" / "vnu-allowlist.txt"
INSTALL = ("sudo apt-get install default-jre-headless (Java 11 or later) and "
           "npm ci --prefix tools/vnu --ignore-scripts")
#: a page with three errors, checked in the same run: the test can see an error
CANARY = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>canary</title></head>
<body><p id="twice">a</p><p id="twice">b</p><div><span>c</div><img src="x.png"></body></html>
"""


def _require_vnu() -> str:
    java = shutil.which("java")
    missing = [name for name, ok in (("java", java), (str(VNU.relative_to(ROOT)), VNU.is_file())) if not ok]
    if not missing:
        return java
    hint = f"no {' and no '.join(missing)}: install with {INSTALL}"
    if os.environ.get("CI"):
        pytest.fail(f"the HTML check is required in CI; {hint}")
    pytest.skip(hint)


@dataclass(frozen=True)
class Allowed:
    line: int
    pattern: re.Pattern
    reason: str


def read_allowlist(text: str) -> list[Allowed]:
    """`regex :: reason` lines; `#` comments and blank lines are skipped."""
    entries = []
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        pattern, sep, reason = line.partition(" :: ")
        if not sep or not reason.strip() or not pattern.strip():
            raise ValueError(f"{ALLOWLIST.name}:{n}: write 'message pattern :: reason', got {raw!r}")
        entries.append(Allowed(n, re.compile(pattern.strip()), reason.strip()))
    return entries


def is_error(message: dict) -> bool:
    return message.get("type") in ("error", "non-document-error") or message.get("subType") == "fatal"


def unexplained(messages: list[dict], allowed: list[Allowed]) -> tuple[list[dict], list[Allowed]]:
    """The errors no entry explains, and the entries that explain no error (stale)."""
    used, remaining = set(), []
    for message in filter(is_error, messages):
        hits = [a for a in allowed if a.pattern.search(message.get("message", ""))]
        used.update(hits)
        if not hits:
            remaining.append(message)
    return remaining, [a for a in allowed if a not in used]


def _where(message: dict, html: Path) -> str:
    url = message.get("url", "").removeprefix("file:")
    try:
        page = Path(url).resolve().relative_to(html.resolve()).as_posix()
    except ValueError:
        page = url
    return f"{page}:{message.get('lastLine', 0)}:{message.get('firstColumn', 0)}: {message.get('message')}"


def run_vnu(java: str, pages: list[Path]) -> list[dict]:
    """One java run over all the pages (starting the checker takes seconds)."""
    proc = subprocess.run([java, "-jar", str(VNU), "--format", "json", "--stdout", *map(str, pages)],
                          capture_output=True, text=True, timeout=300)
    assert proc.stdout.strip(), f"vnu printed nothing (exit {proc.returncode}): {proc.stderr[-2000:]}"
    return json.loads(proc.stdout)["messages"]


@pytest.mark.slow
def test_every_page_is_valid_html(built_book, tmp_path, capsys):
    java = _require_vnu()
    allowed = read_allowlist(ALLOWLIST.read_text(encoding="utf-8"))
    html = built_book.html
    pages = sorted(p for p in html.rglob("*.html") if not is_template(p.read_text(encoding="utf-8")))
    assert len(pages) >= 15, pages
    # the email and WeChat editions, written beside the site
    editions = sorted((html.parent / "email").rglob("*.html")) + sorted((html.parent / "wechat").glob("*.html"))
    assert len(editions) >= 6, editions
    pages += editions
    canary = tmp_path / "canary.html"
    canary.write_text(CANARY, encoding="utf-8")
    messages = run_vnu(java, [*pages, canary])

    # the checker ran and sees errors: the canary's three
    canary_errors = [m["message"] for m in messages if is_error(m) and m.get("url", "").endswith("canary.html")]
    assert any("Duplicate ID “twice”" in m for m in canary_errors), canary_errors
    assert any("alt" in m for m in canary_errors), canary_errors
    book = [m for m in messages if not m.get("url", "").endswith("canary.html")]

    remaining, stale = unexplained(book, allowed)
    warnings = Counter(m.get("message", "") for m in book if not is_error(m) and m.get("subType") == "warning")
    with capsys.disabled():
        print(f"\nvnu: {len(pages)} pages, {sum(map(is_error, book))} errors "
              f"({len(remaining)} not in the allowlist), {sum(warnings.values())} warnings (not failed on)")
        for text, count in warnings.most_common(8):
            print(f"  warning {count}x: {text[:140]}")
    assert [_where(m, html) for m in remaining] == []
    assert [f"{ALLOWLIST.name}:{a.line}: {a.pattern.pattern} (matches no error any more: delete it)"
            for a in stale] == []


def test_allowlist_subtracts_known_errors_and_reports_stale_entries():
    allowed = read_allowlist("# comment\n\nBad value “[^”]*” for attribute “role” :: the theme's nav\n"
                             "Stray end tag “div” :: an old theme bug\n")
    messages = [
        {"type": "error", "message": "Bad value “main” for attribute “role” on element “div”."},
        {"type": "error", "message": "Duplicate ID “x”."},
        {"type": "info", "subType": "warning", "message": "Stray end tag “div”."},  # a warning: not an error
        {"type": "non-document-error", "subType": "io", "message": "File not found: x.html"},
    ]
    remaining, stale = unexplained(messages, allowed)
    assert [m["message"] for m in remaining] == ["Duplicate ID “x”.", "File not found: x.html"]
    assert [a.line for a in stale] == [4]
    with pytest.raises(ValueError, match=r"vnu-allowlist.txt:1: write 'message pattern :: reason'"):
        read_allowlist("Duplicate ID\n")
    assert read_allowlist(ALLOWLIST.read_text(encoding="utf-8")) is not None  # the file parses
