"""What the browser tests share: Debian's Chromium, the page sizes and modes, and helpers.

The fixtures (`site`, `browser`, `open_page`) are in conftest.py, so every test file can use them.
Desktop is 1280x800, phone 390x844. Every page opened records each request, failed
response and console error; none may leave 127.0.0.1 or fail (`clean`).
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
AXE = ROOT / "tests" / "vendor" / "axe-core-4.14.1" / "axe.min.js"
ISSUE = "issues/001-2025-11.html"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}
MODES = ("both", "zh", "en")
SCROLL_THROUGH = """async () => {
  for (let y = 0; y < document.body.scrollHeight; y += innerHeight / 2) {
    window.scrollTo(0, y);
    await new Promise(r => setTimeout(r, 40));
  }
  window.scrollTo(0, 0);
}"""


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    hint = "install Debian's Chromium and CJK fonts: sudo apt-get install chromium fonts-noto-cjk"
    if os.environ.get("CI"):
        pytest.fail(f"browser tests are required in CI but {CHROMIUM} is missing; {hint}")
    pytest.skip(f"no {CHROMIUM}: {hint}")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(directory: Path):
    """Serve `directory` on 127.0.0.1 as a static host would; yields the site's address."""
    handler = functools.partial(_Quiet, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="module")
def site(built_book):
    yield from serve(built_book.html)


@pytest.fixture(scope="module")
def browser():
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield b
        b.close()


@pytest.fixture
def open_page(browser, site):
    """Open pages in fresh contexts that record requests, failures and console errors."""
    contexts = []

    def opener(viewport=DESKTOP, javascript=True, bypass_csp=False):
        # bypass_csp: for axe only, whose script and <style> the pages' policy blocks (tests/test_csp.py tests it)
        context = browser.new_context(viewport=viewport, java_script_enabled=javascript, bypass_csp=bypass_csp)
        contexts.append(context)
        pg = context.new_page()
        pg.outside, pg.errors, pg.fonts = [], [], []
        pg.on("request", lambda r: None if r.url.startswith((site, "data:", "blob:")) else pg.outside.append(r.url))
        pg.on("request", lambda r: pg.fonts.append(r.url) if r.resource_type == "font" else None)
        pg.on("console", lambda m: pg.errors.append(m.text) if m.type == "error" else None)
        pg.on("pageerror", lambda e: pg.errors.append(str(e)))
        pg.on("response", lambda r: pg.errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        pg.site = site
        return pg

    yield opener
    for context in contexts:
        context.close()


def visit(pg, path: str):
    pg.goto(f"{pg.site}/{path}")
    pg.wait_for_load_state("networkidle")
    return pg


def clean(pg) -> None:
    assert pg.outside == [], pg.outside
    assert pg.errors == [], pg.errors


def visible_texts(pg, selector: str) -> list[str]:
    return pg.locator(selector).evaluate_all(
        "els => els.filter(e => e.getClientRects().length > 0).map(e => e.innerText.trim())")


def save_screenshot(pg, tmp_path: Path, name: str) -> Path:
    shot = tmp_path / name
    pg.screenshot(path=str(shot))
    assert shot.stat().st_size > 20_000
    keep = os.environ.get("PANDA_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(keep) / name)
    return shot




def site_pages(html_root: Path, one_topic: bool = False) -> list[str]:
    """Every page of a built book (the themes copy two Jinja macro files into _static: not pages); with
    `one_topic`, of the topic pages (all drawn by one template) the index and the first only."""
    pages = sorted(p.relative_to(html_root).as_posix() for p in html_root.rglob("*.html")
                   if not p.relative_to(html_root).as_posix().startswith("_static/"))
    if one_topic:
        topics = [p for p in pages if p.startswith("topics/") and p != "topics/index.html"]
        pages = [p for p in pages if p not in topics[1:]]
    return pages
