"""What a page of the built book costs a reader: every response, summed.

Usage:
    python tools/page_weight.py                 # this book's pages, in each reading mode
    python tools/page_weight.py --baseline      # ... and the same issue in a default Jupyter Book 1
    python tools/page_weight.py --top 12        # list each page's biggest responses

Serves ``_build/html`` on 127.0.0.1, opens each page in Debian's Chromium,
scrolls to the end (so lazily loaded charts count) and sums the body of every
response: raw bytes, as a plain static server sends them, and gzip bytes, as a
static host that compresses (GitHub Pages, Netlify) sends them. A request that
leaves 127.0.0.1 is reported and makes the script exit 1.

``--baseline`` builds the same issue text and the same two charts as a default
Jupyter Book 1 book (``jupyter-book create`` settings, plain Markdown) in a
temporary folder and measures its issue page the same way.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import re
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
PAGES = ["issues/001-2025-11.html", "index.html", "search.html", "data.html"]
MODES = ["both", "zh", "en"]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@dataclass
class Weight:
    page: str
    mode: str
    sizes: dict[str, tuple[int, int]] = field(default_factory=dict)  # url -> (raw, gzip)
    outside: list[str] = field(default_factory=list)

    @property
    def raw(self) -> int:
        return sum(r for r, _ in self.sizes.values())

    @property
    def gz(self) -> int:
        return sum(g for _, g in self.sizes.values())


def _gzip_size(body: bytes, url: str) -> int:
    # hosts compress text, not images that are compressed already
    if re.search(r"\.(png|jpe?g|gif|webp|woff2?)(\?|$)", url):
        return len(body)
    return len(gzip.compress(body, 6, mtime=0))


def serve(root: Path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}/"


def load(browser, base: str, page_path: str, mode: str | None, width: int = 1280, height: int = 800) -> Weight:
    """Open one page in one mode, scroll to its end, return every response."""
    weight = Weight(page_path, mode or "default")
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()

    def on_request(request):
        host = urlsplit(request.url).hostname
        if request.url.startswith(("http:", "https:")) and host != "127.0.0.1":
            weight.outside.append(request.url)

    def on_response(response):
        if response.ok and response.url.startswith(base):
            body = response.body()
            weight.sizes[response.url.removeprefix(base)] = (len(body), _gzip_size(body, response.url))

    page.on("request", on_request)
    page.on("response", on_response)
    url = base + page_path + (f"?lang={mode}" if mode else "")
    page.goto(url)
    page.wait_for_load_state("networkidle")
    page.evaluate("""async () => {
        for (let y = 0; y < document.body.scrollHeight; y += innerHeight / 2) {
            window.scrollTo(0, y);
            await new Promise(r => setTimeout(r, 50));
        }
        window.scrollTo(0, document.body.scrollHeight);
    }""")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)
    context.close()
    return weight


def measure(root: Path, pages: list[str], modes: list[str | None]) -> list[Weight]:
    server, base = serve(root)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
            try:
                return [load(browser, base, page, mode) for page in pages for mode in modes]
            finally:
                browser.close()
    finally:
        server.shutdown()
        server.server_close()


_DEFAULT_CONFIG = """\
title: Default Jupyter Book 1
author: baseline
execute:
  execute_notebooks: force
"""


def _plain_issue() -> str:
    """Issue 1's text as plain MyST (no extension), and its two charts as plain cells."""
    text = (ROOT / "issues/001-2025-11.md").read_text(encoding="utf-8")
    front, body = text.split("\n---\n", 1)
    body = re.sub(r"```\{figures\}.*?```\n", "", body, flags=re.S)
    body = re.sub(r"```\{code-cell\}.*?```\n", "", body, flags=re.S)
    body = re.sub(r"\{bi\}`([^|`]*)\|([^`]*)`", r"\1·\2", body)
    lines = []
    for line in body.splitlines():
        if line.startswith(":::"):
            continue
        if line.startswith(":headline:"):
            lines.append("### " + line.removeprefix(":headline:").strip())
        elif line.startswith((":number:", ":gap:", ":class:")):
            continue
        elif line.startswith(":source:"):
            lines.append("Source: " + line.removeprefix(":source:").strip())
        else:
            lines.append(line)
    cells = """
```{code-cell} ipython3
from charts import employment_chart, load_figures, workdays_chart
figures = load_figures("%s")
employment_chart(figures, lang="both")
```

```{code-cell} ipython3
workdays_chart(figures, lang="both")
```
""" % (ROOT / "issues/001-2025-11.md")
    return front + "\n---\n" + "\n".join(lines) + "\n" + cells


def build_baseline(folder: Path) -> Path:
    """A default Jupyter Book 1 book holding issue 1; returns its HTML folder."""
    (folder / "_config.yml").write_text(_DEFAULT_CONFIG, encoding="utf-8")
    (folder / "_toc.yml").write_text("format: jb-book\nroot: intro\nchapters:\n- file: issue\n", encoding="utf-8")
    (folder / "intro.md").write_text("# Default book\n\nA baseline.\n", encoding="utf-8")
    (folder / "issue.md").write_text(_plain_issue(), encoding="utf-8")
    jb = Path(sys.executable).with_name("jupyter-book")
    subprocess.run([str(jb), "build", str(folder)], check=True, capture_output=True)
    return folder / "_build" / "html"


def kib(n: int) -> str:
    return f"{n / 1024:,.0f} KiB"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("root", nargs="?", default=str(ROOT / "_build" / "html"))
    parser.add_argument("--baseline", action="store_true", help="compare with a default Jupyter Book 1 page")
    parser.add_argument("--top", type=int, default=0, help="list each page's N biggest responses")
    args = parser.parse_args(argv)

    weights = measure(Path(args.root), PAGES, MODES)
    base = None
    if args.baseline:
        with tempfile.TemporaryDirectory() as tmp:
            base = measure(build_baseline(Path(tmp)), ["issue.html"], [None])[0]
    print("| page | mode | responses | raw | gzip | raw vs default JB1 | gzip vs default JB1 |")
    print("|---|---|---:|---:|---:|---:|---:|")
    rows = ([base] if base else []) + weights
    for w in rows:
        ratio = (f"{w.raw / base.raw:.2f}", f"{w.gz / base.gz:.2f}") if base else ("", "")
        name = "default Jupyter Book 1: issue 1" if w is base else w.page
        print(f"| {name} | {w.mode} | {len(w.sizes)} | {kib(w.raw)} | {kib(w.gz)} | {ratio[0]} | {ratio[1]} |")
    if args.top:
        for w in rows:
            print(f"\n{w.page} ({w.mode}):")
            for url, (raw, gz) in sorted(w.sizes.items(), key=lambda kv: -kv[1][0])[: args.top]:
                print(f"  {raw:>10,} {gz:>9,}  {url}")
    outside = sorted({u for w in weights for u in w.outside})
    if outside:
        print("\nRequests that left the site:", *outside, sep="\n  ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
