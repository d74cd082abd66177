"""``python -m newsletter preview`` (newsletter/preview.py): the published book, rebuilt on save, pages reloading.

The fast tests hold the server to its word with a real HTTP client: the preview's script is added to the pages
it serves, never to a file; the events say what each build did. The slow test starts a preview of a copy of the
book, compares what it built with what ``jupyter-book build .`` publishes (``built_book``), file by file, and
follows an editor in Chromium: a save shows the new text, a bad save shows the error with its file and line
over the last good page, the fix takes the banner away, and the page's Content-Security-Policy is never violated.
"""

from __future__ import annotations

import filecmp
import http.server
import json
import shutil
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from newsletter import preview
from newsletter.preview import LIVE, Preview, State, handler_class, needs_new_server, relevant

from .browsing import DESKTOP, ISSUE
from .conftest import BOOK_FILES, ISSUE1, copy_items

PAGE = ('<!DOCTYPE html><html><head><meta charset="utf-8">\n<meta http-equiv="Content-Security-Policy" '
        'content="default-src \'self\'; script-src \'self\'; connect-src \'self\'">\n<title>t</title></head>'
        '<body><p>issue text</p></body></html>')


def test_a_save_that_can_change_the_book_rebuilds_and_nothing_else_does(tmp_path):
    root = tmp_path.resolve()
    for path in ("issues/002-2025-12.md", "_toc.yml", "tags.yml", "sources/002.txt", "charts/style.mplstyle",
                 "_ext/panda_book/static/panda.css", "issues/chart.png"):
        assert relevant(root / path, root), path
    for path in ("_build/html/index.html", "_build/preview/html/x.html", ".git/index", "issues/.002.md.swp",
                 "issues/002-2025-12.md~", "charts/__pycache__/x.py", ".venv/lib/x.py", "issues/#002.md#",
                 "issues/notes.docx"):
        assert not relevant(root / path, root), path
    assert not relevant(tmp_path.parent / "elsewhere.md", root)


def test_python_code_of_the_book_needs_a_new_build_server_and_text_does_not(tmp_path):
    root = tmp_path.resolve()
    assert needs_new_server([root / "charts" / "panda.py"], root)
    assert needs_new_server([root / "issues" / "a.md", root / "_ext" / "panda_book" / "site" / "nav.py"], root)
    assert not needs_new_server([root / "issues" / "a.md", root / "tags.yml"], root)
    assert not needs_new_server([root / "_ext" / "panda_book" / "static" / "panda.js"], root)


@pytest.fixture
def server(tmp_path):
    (tmp_path / "issues").mkdir()
    (tmp_path / "index.html").write_text(PAGE, encoding="utf-8")
    (tmp_path / "issues" / "a.html").write_text(PAGE, encoding="utf-8")
    (tmp_path / "style.css").write_text("p{}", encoding="utf-8")
    state = State()
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler_class(tmp_path, state))
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}", state, tmp_path
    httpd.shutdown()
    httpd.server_close()


def _get(url: str) -> tuple[str, str]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.headers["Content-Type"], response.read().decode("utf-8")


def test_served_pages_carry_the_preview_script_and_the_files_do_not(server):
    address, state, folder = server
    state.update(built=3)
    for path in ("/", "/index.html", "/issues/a.html"):
        kind, body = _get(address + path)
        assert kind.startswith("text/html")
        tag = f'<script src="{LIVE}live.js" data-built="3" defer></script>'
        assert body.count(tag) == 1 and body.index(tag) < body.index("</head>"), body
        assert body.replace(tag, "") == PAGE  # the page as written, the script aside
    assert "__panda_preview__" not in (folder / "index.html").read_text(encoding="utf-8")
    kind, body = _get(address + "/style.css")
    assert kind.startswith("text/css") and body == "p{}"
    kind, script = _get(address + f"{LIVE}live.js")
    assert kind.startswith("text/javascript") and "EventSource" in script
    assert script == preview.LIVE_SCRIPT.read_text(encoding="utf-8")


def test_the_events_tell_every_open_page_what_each_build_did(server):
    address, state, _folder = server
    stream = urllib.request.urlopen(address + f"{LIVE}events", timeout=10)
    assert stream.headers["Content-Type"].startswith("text/event-stream")

    def next_state() -> dict:
        lines = []
        while True:
            line = stream.readline().decode("utf-8")
            if line == "\n" and lines:
                break
            if line.strip() and not line.startswith(":"):
                lines.append(line.strip())
        assert lines[0] == "event: state", lines
        return json.loads(lines[1].removeprefix("data: "))

    assert next_state() == {"built": 0, "error": "", "building": False}
    state.update(building=True)
    assert next_state() == {"built": 0, "error": "", "building": True}
    state.update(building=False, error="issues/002-2025-12.md:14: unknown tag 'x'; add it to tags.yml")
    assert next_state()["error"].startswith("issues/002-2025-12.md:14:")
    state.update(error="", built=1)
    assert next_state() == {"built": 1, "error": "", "building": False}
    stream.close()


def _same_tree(a: Path, b: Path) -> list[str]:
    """Files that differ between two trees, or are in one only."""
    found = []

    def walk(cmp: filecmp.dircmp, prefix: str) -> None:
        found.extend(f"only in one: {prefix}{name}" for name in cmp.left_only + cmp.right_only)
        found.extend(f"differs: {prefix}{name}" for name in cmp.diff_files + cmp.funny_files)
        for name, sub in cmp.subdirs.items():
            walk(sub, f"{prefix}{name}/")

    walk(filecmp.dircmp(a, b, ignore=[]), "")
    return found


@pytest.mark.slow
@pytest.mark.browser
def test_preview_equals_the_published_build_and_follows_every_save(built_book, browser, tmp_path):
    copy_items((*BOOK_FILES, "issues", "sources"), tmp_path)
    # the published build's execution cache, as a contributor's folder has it after `jupyter-book build .`
    (tmp_path / "_build").mkdir()
    shutil.copytree(built_book.root / "_build" / ".jupyter_cache", tmp_path / "_build" / ".jupyter_cache")
    live = Preview(tmp_path, 0)
    stop = threading.Event()
    try:
        address = live.start()
        assert live.state.built == 1, live.state.error
        # what preview shows is what is published: the same files, byte for byte (the served script aside)
        filecmp.clear_cache()
        differences = _same_tree(tmp_path / "_build" / "preview" / "html", built_book.html)
        assert differences == [], [(name, (tmp_path / "_build" / "preview" / "html" / name.split(": ")[1]).read_text(
            errors="replace")[:400], (built_book.html / name.split(": ")[1]).read_text(errors="replace")[:400])
            for name in differences if name.startswith("differs")]
        assert not (tmp_path / "_build" / "html").exists()  # the published tree is never touched
        watcher = threading.Thread(target=live.watch, kwargs={"stop_event": stop}, daemon=True)
        watcher.start()
        time.sleep(1)  # the watcher is watching

        context = browser.new_context(viewport=DESKTOP)
        page = context.new_page()
        errors = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.add_init_script("document.addEventListener('securitypolicyviolation', e => "
                             "console.error('CSP ' + e.effectiveDirective + ' ' + e.blockedURI))")
        page.goto(address + ISSUE)
        page.wait_for_load_state("load")
        assert page.locator(f'script[src="{LIVE}live.js"]').count() == 1
        page.wait_for_function("() => document.documentElement.dataset.pandaPreview === 'following'")

        issue = tmp_path / ISSUE1
        text = issue.read_text(encoding="utf-8")
        sentence = "Recently, the mini series Ni Guang Zhi Ai officially started filming in Nanning."
        assert sentence in text
        edited = text.replace(sentence, sentence[:-1] + " (edited in preview).")
        issue.write_text(edited, encoding="utf-8")
        page.wait_for_function("() => document.body && document.body.innerText.includes('(edited in preview)')", timeout=180_000)

        # a bad save: the error, with the file and the line, over the last good page
        bad = edited.replace(":tags: employment\n", ":tags: employment, no-such-topic\n", 1)
        issue.write_text(bad, encoding="utf-8")
        banner = page.locator("#panda-preview-error")
        banner.wait_for(state="visible", timeout=180_000)
        line = bad[:bad.index("no-such-topic")].count("\n") + 1
        message = banner.inner_text()
        assert "预览构建失败" in message and "Preview build failed" in message
        assert f"issues/001-2025-11.md:{line}:" in message and str(tmp_path) not in message and "no-such-topic" in message and "tags.yml" in message, message
        assert banner.get_attribute("role") == "alert"
        assert "(edited in preview)" in page.locator("main").inner_text()  # the last good page stays
        # a page opened while the build is broken shows the banner too
        page.reload()
        page.locator("#panda-preview-error").wait_for(state="visible", timeout=30_000)

        issue.write_text(text, encoding="utf-8")  # fixed: the banner goes, the page is the new build
        page.wait_for_function("() => document.body && document.documentElement.dataset.pandaPreview === 'following' && "
                               "!document.querySelector('#panda-preview-error') && "
                               "!document.body.innerText.includes('(edited in preview)')", timeout=180_000)
        # a draft: in preview, with its banner; never in the published tree (tests/test_drafts.py)
        draft = (text.replace("  number: 1\n", "  number: 2\n  draft: true\n").replace("  date: 2025-11\n", "  date: 2025-12\n")
                 .replace("第1期 | Issue 1", "第2期 | Issue 2").replace('load_figures("001-2025-11.md")',
                                                                     'load_figures("002-2025-12.md")'))
        (tmp_path / "issues" / "002-2025-12.md").write_text(draft, encoding="utf-8")
        toc = tmp_path / "_toc.yml"
        toc.write_text(toc.read_text(encoding="utf-8").replace("  - file: issues/001-2025-11\n",
                                                               "  - file: issues/001-2025-11\n"
                                                               "  - file: issues/002-2025-12\n"), encoding="utf-8")
        page.wait_for_function("() => document.body && document.documentElement.dataset.pandaPreview === "
                               "'following' && document.querySelector('a[href$=\"002-2025-12.html\"]')",
                               timeout=180_000)
        page.goto(address + "issues/002-2025-12.html")
        page.wait_for_load_state("load")
        assert "草稿" in page.locator(".bl-release-draft").inner_text()
        assert not (tmp_path / "_build" / "html").exists()
        assert [e for e in errors if "CSP" in e or "Content Security Policy" in e] == []
        context.close()
    finally:
        stop.set()
        live.stop()
    # nothing of the preview in what a published build writes
    for path in built_book.html.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".js", ".css", ".xml", ".txt", ".json"):
            assert b"__panda_preview__" not in path.read_bytes(), path
