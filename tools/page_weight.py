"""Print what a built page loads in Chromium: every response, its bytes, the total.

Usage: python tools/page_weight.py [_build/html] [issues/001-2025-11.html ...]
Serves the folder on 127.0.0.1, loads each page in Debian's Chromium and sums the
bodies of every response (uncompressed, as served by a plain static server).
"""

from __future__ import annotations

import functools
import http.server
import sys
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def measure(root: Path, pages: list[str]) -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}/"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
            for page_path in pages:
                page = browser.new_page()
                sizes: dict[str, int] = {}
                page.on("response", lambda r: sizes.__setitem__(r.url, len(r.body())) if r.ok else None)
                page.goto(base + page_path)
                page.wait_for_load_state("networkidle")
                page.close()
                total = sum(sizes.values())
                print(f"\n{page_path}: {len(sizes)} responses, {total:,} bytes ({total / 1024:.0f} KiB)")
                for url, size in sorted(sizes.items(), key=lambda kv: -kv[1])[:12]:
                    print(f"  {size:>10,}  {url.removeprefix(base)}")
            browser.close()
    finally:
        server.shutdown()
        server.server_close()


if __name__ == "__main__":
    args = sys.argv[1:]
    root = Path(args[0]) if args else Path("_build/html")
    measure(root, args[1:] or ["issues/001-2025-11.html", "index.html"])
