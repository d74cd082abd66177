"""``python -m newsletter preview``: build, serve on 127.0.0.1, rebuild on every save.

The same ``jupyter-book build .`` as always (so the preview is what will be
published), served from ``_build/html``; a change to an issue, a page, the toc,
the charts, the checks or the extension triggers a rebuild. Reload the browser
to see it. Stop with Ctrl+C.
"""

from __future__ import annotations

import functools
import http.server
import subprocess
import sys
import threading
import time
from pathlib import Path

WATCHED = ("issues", "charts", "newsletter", "_ext", "search", "templates")
WATCHED_FILES = (".md", ".yml", ".yaml", ".py", ".txt", ".css", ".js", ".html", ".mplstyle", ".json")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def build(root: Path) -> bool:
    jb = Path(sys.executable).with_name("jupyter-book")
    started = time.monotonic()
    proc = subprocess.run([str(jb), "build", "."], cwd=root, capture_output=True, text=True)
    took = time.monotonic() - started
    if proc.returncode == 0:
        print(f"built in {took:.1f} s", flush=True)
        return True
    errors = [line for line in (proc.stdout + proc.stderr).splitlines() if "Warning, treated as error" in line
              or ".md:" in line or "Error" in line]
    print(f"build FAILED in {took:.1f} s:\n" + "\n".join(errors[-8:]), flush=True)
    return False


def _relevant(change_path: str, root: Path) -> bool:
    path = Path(change_path)
    if "_build" in path.parts or "__pycache__" in path.parts or path.name.startswith("."):
        return False
    return path.suffix in WATCHED_FILES


def serve(root: Path, port: int = 8000) -> None:
    from watchfiles import watch

    root = root.resolve()
    build(root)
    html = root / "_build" / "html"
    html.mkdir(parents=True, exist_ok=True)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), functools.partial(_Quiet, directory=str(html)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"Serving the book at http://127.0.0.1:{server.server_port}/ (Ctrl+C to stop)", flush=True)
    paths = [root / p for p in WATCHED if (root / p).exists()]
    paths += [p for p in root.glob("*") if p.suffix in (".md", ".yml")]
    try:
        for changes in watch(*paths, watch_filter=lambda _change, p: _relevant(p, root)):
            print("changed: " + ", ".join(sorted({Path(p).relative_to(root).as_posix() for _, p in changes})),
                  flush=True)
            build(root)
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
