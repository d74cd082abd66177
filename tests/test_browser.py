"""The built book in a real browser: Debian's Chromium driven by Playwright."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
ISSUE = "issues/001-2025-11.html"


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


@pytest.fixture(scope="module")
def site(built_book):
    handler = functools.partial(_Quiet, directory=str(built_book.html))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture(scope="module")
def browser():
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, site):
    """A page that records every request, failed response and console error."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    pg = context.new_page()
    pg.outside, pg.errors = [], []
    pg.on("request", lambda r: None if r.url.startswith((site, "data:", "blob:")) else pg.outside.append(r.url))
    pg.on("console", lambda m: pg.errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    pg.on("response", lambda r: pg.errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    yield pg
    context.close()


def test_issue1_in_chromium(page, site, tmp_path):
    page.goto(f"{site}/{ISSUE}")
    page.wait_for_load_state("networkidle")
    zh = page.locator('.story .bl-block[lang="zh-CN"]').first
    en = page.locator('.story .bl-block[lang="en"]').first
    assert zh.is_visible() and "近日，2025年中国微短剧产业格局" in zh.inner_text()
    assert en.is_visible() and "Recently, the 2025 Seminar" in en.inner_text()
    # side by side at desktop width
    zbox, ebox = zh.bounding_box(), en.bounding_box()
    assert ebox["x"] > zbox["x"] + zbox["width"] - 1

    toggle = page.get_by_role("button", name="工日 Workdays")
    toggle.wait_for(timeout=20000)
    images = page.locator("article img")
    assert images.count() >= 3  # two figures and the widget view on show
    widths = images.evaluate_all("imgs => imgs.map(i => i.complete ? i.naturalWidth : 0)")
    assert all(w > 0 for w in widths), widths

    def visible_widget_alt():
        return page.locator(".widget-stack img, .jupyter-widgets img").evaluate_all(
            "imgs => imgs.filter(i => i.offsetParent !== null).map(i => i.alt)")

    before = visible_widget_alt()
    assert len(before) == 1 and "Bar chart" in before[0]
    toggle.click()
    page.wait_for_timeout(300)
    after = visible_widget_alt()
    assert len(after) == 1 and "Calendar chart" in after[0]

    shot = tmp_path / "issue1.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 50_000
    keep = os.environ.get("PANDA_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(keep) / shot.name)
    assert page.outside == []
    assert page.errors == []


def test_home_page_in_chromium(page, site):
    page.goto(f"{site}/index.html")
    page.wait_for_load_state("networkidle")
    assert "网罗行业热点不迷路" in page.locator("article").inner_text()
    link = page.locator("article a[href*='001-2025-11']").first
    link.click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(ISSUE)
    assert page.outside == [] and page.errors == []
