"""``python -m newsletter preview``: the book as it will be published, rebuilt on every save, the page reloading itself.

Three parts, in two processes:

- **A build server** (a process of its own, started with ``spawn`` so it holds no thread of
  this one): it imports Sphinx, Jupyter Book, myst-nb, the themes and the book's extension
  once, loads jieba's dictionary once, and keeps the Sphinx environment of the last build
  unpickled in memory. For each build it forks a child that runs exactly what
  ``jupyter-book build .`` runs (``jupyter_book.sphinx.build_sphinx`` with the book's
  ``_config.yml`` and ``_toc.yml``), handing it that environment instead of reading the
  pickle again. So a save costs what the edit touches: the page read again, the pages
  written again, the steps after the pages, not the start-up. The child is thrown away after
  each build, so nothing one build leaves in memory reaches the next. A change to the
  Python code of the book (``charts/``, ``newsletter/``, ``_ext/``) starts a new build
  server, since a running process keeps the modules it imported.
- **The output** goes to ``_build/preview/html`` (its own environment, lock and staging copy):
  the published ``_build/html`` is never touched, and a preview may show draft and scheduled
  issues (``panda_preview``), which a published build leaves out.
- **A server on 127.0.0.1** serves that folder. Into each HTML page it serves it adds one
  script of its own, ``/__panda_preview__/live.js``, which listens to the server's events
  (server-sent events): a good build reloads the open page, a failed one shows its error (file,
  line, fix) as a banner over the last good page, which stays. The script is never written into
  a page: a published build does not have it, and a page's Content-Security-Policy
  (``script-src 'self'``, ``connect-src 'self'``) admits it only because the preview serves it
  from the page's own origin.
"""

from __future__ import annotations

import http.server
import json
import multiprocessing
import os
import re
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

#: the preview's own build folder: output, environment, lock and staging copy, apart from _build/html
PREVIEW_BUILD = Path("_build") / "preview"
#: what the preview sets on top of _config.yml: draft and scheduled issues are built (site/drafts)
PREVIEW_CONFIG = {"panda_preview": True}
#: where the server's own files are served; nothing of the book can be there (Sphinx writes no such folder)
LIVE = "/__panda_preview__/"
LIVE_SCRIPT = Path(__file__).with_name("preview_live.js")
#: one event stream shared by every open page (a browser opens six connections to a host at most)
LIVE_WORKER = Path(__file__).with_name("preview_live_worker.js")
#: a save of one of these (below the book's folder) rebuilds
WATCHED_SUFFIXES = frozenset({".md", ".yml", ".yaml", ".py", ".txt", ".css", ".js", ".html", ".mplstyle", ".json",
                              ".svg", ".csv", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".pdf"})
#: code a running build server has imported: a change to it needs a new server
CODE_FOLDERS = ("charts", "newsletter", "_ext")
WORD_LIST = ("search", "zh-terms.txt")
IGNORED_PARTS = frozenset({"_build", "__pycache__", ".git", ".venv", "node_modules", ".pytest_cache"})


# --- the build server (its own process) ---------------------------------------------------------------


class _Environment:
    """The last build's Sphinx environment, unpickled once in the build server and handed to each build's child."""

    def __init__(self, doctrees: Path):
        from sphinx.application import ENV_PICKLE_FILENAME

        self.path = doctrees / ENV_PICKLE_FILENAME
        self.env = None
        self.stamp = None

    def _stat(self):
        try:
            st = self.path.stat()
        except OSError:
            return None
        return (st.st_ino, st.st_size, st.st_mtime_ns)

    def load(self) -> None:
        """Unpickle the environment the last build left, unless the one in memory is it."""
        import gc
        import pickle

        stamp = self._stat()
        if stamp is None:
            self.env, self.stamp = None, None
        elif stamp != self.stamp:
            self.env = None
            gc.collect()
            try:
                with open(self.path, "rb") as handle:
                    self.env = pickle.load(handle)
                self.stamp = stamp
            except Exception:  # Sphinx reads it itself then, and says what is wrong
                self.env, self.stamp = None, None
            # what the server holds now is never garbage: a child's collector need not walk it
            gc.collect()
            gc.freeze()

    def hand_over(self) -> None:
        """In the build's child: Sphinx takes the environment in memory when the pickle is still the one loaded."""
        from sphinx.application import Sphinx

        original = Sphinx._load_existing_env
        memory = self

        def load_existing_env(app, filename):
            if memory.env is not None and Path(filename) == memory.path and memory._stat() == memory.stamp:
                env, memory.env = memory.env, None
                env.setup(app)
                app._fresh_env_used = False
                return env
            return original(app, filename)

        Sphinx._load_existing_env = load_existing_env


def _warm() -> None:
    """What every build loads before it writes a page: jieba's dictionary, once for all builds to come. (The
    server's first build, run in the server itself, imports and compiles the rest.)"""
    import jieba

    jieba.setLogLevel(30)
    jieba.initialize()


def _fresh_configuration() -> None:
    """Each build gets a configuration of its own, as each ``jupyter-book build`` process does.

    Jupyter Book keeps its default configuration in memory (``lru_cache``) and hands out its lists, and Sphinx
    hands out its default values, which the themes extend in place (sphinx-book-theme adds its folder to
    ``templates_path`` on every build): a second build in one process would see a configuration the first did
    not, and rewrite every page.
    """
    import copy

    import jupyter_book.sphinx as jb_sphinx
    from sphinx.config import Config

    # Sphinx's own defaults too: a theme appends to the default list itself when the book sets none
    defaults = getattr(Config, "panda_defaults", None)
    if defaults is None:
        Config.panda_defaults = defaults = copy.deepcopy(Config.config_values)
    Config.config_values = copy.deepcopy(defaults)
    original = getattr(jb_sphinx.get_final_config, "panda_original", jb_sphinx.get_final_config)

    def get_final_config(*args, **kwargs):
        return copy.deepcopy(original(*args, **kwargs))

    get_final_config.panda_original = original
    jb_sphinx.get_final_config = get_final_config


def _toctree_switch() -> None:
    """sphinx-external-toc finds Sphinx's toctree collector among every object of the process
    (``gc.get_objects()``), which in the server includes the environment held in memory: it is found among the
    app's event listeners instead, the same collector."""
    import sphinx_external_toc.collectors as collectors
    from sphinx.environment.collectors.toctree import TocTreeCollector

    def disable_builtin_toctree_collector(app):
        found = []
        for listeners in app.events.listeners.values():
            for listener in listeners:
                owner = getattr(listener.handler, "__self__", None)
                if isinstance(owner, TocTreeCollector) and owner.listener_ids is not None and owner not in found:
                    found.append(owner)
        for collector in found:
            collector.disable(app)

    collectors.disable_builtin_toctree_collector = disable_builtin_toctree_collector


def _compiled_templates(folder: Path) -> None:
    """The theme's Jinja templates compiled once, kept for every build to come (jinja2's own bytecode cache)."""
    from jinja2 import FileSystemBytecodeCache
    from sphinx.jinja2glue import BuiltinTemplateLoader

    folder.mkdir(parents=True, exist_ok=True)
    original = BuiltinTemplateLoader.init

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self.environment.bytecode_cache = FileSystemBytecodeCache(str(folder))

    BuiltinTemplateLoader.init = init


def build_options(root: Path, output: Path) -> dict:
    """The arguments of ``build_sphinx`` that ``jupyter-book build .`` gives it, with the preview's output."""
    return {
        "sourcedir": root,
        "outputdir": output,
        "use_external_toc": True,
        "noconfig": True,
        "path_config": root / "_config.yml",
        "confoverrides": {"external_toc_path": (root / "_toc.yml").as_posix(), "latex_individualpages": False,
                          # the published build's execution cache: a notebook it ran is not run again here
                          "nb_execution_cache_path": str(root / "_build" / ".jupyter_cache"),
                          **PREVIEW_CONFIG},
        "builder": "html",
    }


def _build(root: Path, output: Path, environment: _Environment, log: Path) -> dict:
    """One build: exactly the published build's code (``build_sphinx`` as ``jupyter-book build .`` calls it).

    Its output goes to ``log``; what it returns says whether it succeeded and, if not, the error.
    """
    from jupyter_book.sphinx import build_sphinx
    from sphinx.application import Sphinx

    _fresh_configuration()
    apps = []
    original_init = Sphinx.__init__

    def init(app, *args, **kwargs):  # the app, even when its configuration fails before it is returned
        apps.append(app)
        original_init(app, *args, **kwargs)

    Sphinx.__init__ = init
    saved = os.dup(1), os.dup(2)
    try:
        with open(log, "w", encoding="utf-8") as stream:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(stream.fileno(), 1)
            os.dup2(stream.fileno(), 2)
            if os.environ.get("PANDA_PREVIEW_PROFILE"):  # where a build's time goes (benchmarks/README.md)
                import cProfile

                profile = cProfile.Profile()
                result = profile.runcall(build_sphinx, **build_options(root, output))
                profile.dump_stats(os.environ["PANDA_PREVIEW_PROFILE"])
            else:
                try:
                    result = build_sphinx(**build_options(root, output))
                except Exception as exc:  # noqa: BLE001 - before Sphinx starts (a _config.yml that does not parse)
                    result = exc
            sys.stdout.flush()
            sys.stderr.flush()
    finally:
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        os.close(saved[0])
        os.close(saved[1])
        Sphinx.__init__ = original_init
        for app in apps:
            # the build's lock (postbuild/staging.py) goes with its process; a build run in the server must
            # let go of it, or the next build would wait for it for ever
            lock = getattr(getattr(app, "panda_run_state", None), "lock", None)
            if lock is not None:
                lock.close()
    if isinstance(result, BaseException) or result:
        # the book's files named as the contributor sees them, relative to the book
        message = _message(result if isinstance(result, BaseException) else None, log)
        message = message.replace(f"{root.resolve()}/", "")
        if not _LOCATED.search(message):
            message = _located(root, message)
        return {"ok": False, "message": message}
    return {"ok": True, "message": ""}


#: a message that names a file of the book and its line
_LOCATED = re.compile(r"^[\w./-]+\.(md|yml|yaml|txt|ipynb|json):\d+", re.M)


def _located(root: Path, message: str) -> str:
    """A failure the build did not place (a _config.yml that does not parse fails before Sphinx starts): the
    validator's checks of the book's files, which name the file, the line and the fix, else the message."""
    from .rules import book_findings

    try:
        errors = [str(f) for f in book_findings(root)[0] if f.level == "error"]
    except Exception:  # noqa: BLE001 - the build's own message stands
        return message
    return "\n".join(errors) if errors else message


def _message(error: BaseException | None, log: Path) -> str:
    """What failed, as the build said it: the error's own words (they name the file, the line and the fix)."""
    text = str(error).strip() if error is not None else ""
    if text.startswith("Warning, treated as error:"):
        text = text.split("\n", 1)[-1].strip()
    if not text:
        lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
        text = "\n".join(line for line in lines[-12:] if line.strip())
    return text or "the build failed; see _build/preview/build.log"


def _forked_build(root: Path, output: Path, environment: _Environment, log: Path) -> dict:
    """A build in a forked child of the warm server: nothing it leaves in memory reaches the next one."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: build, say how it went, leave without running the server's clean-ups
        os.close(read_end)
        try:
            environment.hand_over()
            _toctree_switch()
            _compiled_templates(output.parent / ".templates")
            outcome = _build(root, output, environment, log)
        except BaseException as exc:  # noqa: BLE001 - reported to the preview, never lost
            outcome = {"ok": False, "message": f"{type(exc).__name__}: {exc}"}
        os.write(write_end, json.dumps(outcome).encode("utf-8"))
        os.close(write_end)
        os._exit(0)
    os.close(write_end)
    chunks = []
    while chunk := os.read(read_end, 65536):
        chunks.append(chunk)
    os.close(read_end)
    _pid, status = os.waitpid(pid, 0)
    try:
        return json.loads(b"".join(chunks).decode("utf-8"))
    except ValueError:
        return {"ok": False, "message": f"the build process ended without a result (status {status}); "
                                        f"see {PREVIEW_BUILD.as_posix()}/build.log"}


def build_server(connection, root: str) -> None:
    """The build server's loop: a request to build, a build, the result back; then the environment.

    The first build runs in the server itself, which so imports, compiles and loads everything a build needs
    (modules, regular expressions, jieba's dictionary, the JSON schema of notebooks); every later build runs in
    a child forked from it, which finds all that done.
    """
    root_path = Path(root)
    output = root_path / PREVIEW_BUILD / "html"
    log = root_path / PREVIEW_BUILD / "build.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    os.chdir(root_path)
    # this book's extension, never another's: a spawned process starts with its parent's import path, which may
    # name another checkout's _ext (a test runner's does)
    sys.path[:] = [entry for entry in sys.path
                   if Path(entry or ".").name != "_ext" or Path(entry).resolve() == (root_path / "_ext").resolve()]
    _warm()
    environment = _Environment(output.parent / ".doctrees")
    connection.send({"ready": True})
    first = True
    while True:
        try:
            request = connection.recv()
        except EOFError:
            return
        if request != "build":
            return
        started = time.monotonic()
        if first:
            outcome = _build(root_path, output, environment, log)
            first = False
        else:
            outcome = _forked_build(root_path, output, environment, log)
        outcome["seconds"] = round(time.monotonic() - started, 3)
        connection.send(outcome)
        environment.load()  # the next build's environment, read while the reader looks at this one


class BuildServer:
    """The build server, seen from the preview: start it, ask it to build, start a new one after a code change."""

    def __init__(self, root: Path):
        self.root = root
        self.process = None
        self.connection = None

    def start(self) -> None:
        context = multiprocessing.get_context("spawn")
        mine, theirs = context.Pipe()
        # not a daemon: Sphinx's parallel writers are its grandchildren, which a daemon may not have; it ends
        # when this process does (its end of the pipe closes)
        self.process = context.Process(target=build_server, args=(theirs, str(self.root)), daemon=False,
                                       name="panda-preview-builds")
        self.process.start()
        theirs.close()
        self.connection = mine
        self.connection.recv()  # ready: imports done

    def build(self) -> dict:
        try:
            self.connection.send("build")
            return self.connection.recv()
        except (EOFError, OSError) as exc:
            self.restart()
            return {"ok": False, "message": f"the build server stopped ({exc}); a new one was started: save again"}

    def restart(self) -> None:
        self.stop()
        self.start()

    def stop(self) -> None:
        if self.process is not None:
            try:
                self.connection.send("stop")
            except (OSError, ValueError):
                pass
            self.process.join(5)
            if self.process.is_alive():
                self.process.kill()
                self.process.join()
            self.process = None


# --- what the open pages are told ---------------------------------------------------------------------


class State:
    """The preview's state, which every open page follows: how many good builds, and the last failure."""

    def __init__(self):
        self.changed = threading.Condition()
        self.built = 0  # good builds so far: a page served after build k carries k
        self.error = ""  # the last build's error, "" after a good build
        self.building = False

    def snapshot(self) -> dict:
        return {"built": self.built, "error": self.error, "building": self.building}

    def update(self, **values) -> None:
        with self.changed:
            for key, value in values.items():
                setattr(self, key, value)
            self.changed.notify_all()


def _inject(html: bytes, built: int) -> bytes:
    """The page as written, with the preview's script before ``</head>`` (a file from the page's own origin)."""
    tag = f'<script src="{LIVE}live.js" data-built="{built}" defer></script>'.encode()
    at = html.find(b"</head>")  # the head's own: a later one can only be inside a script's text
    return html[:at] + tag + html[at:] if at >= 0 else html + tag


def handler_class(folder: Path, state: State):
    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(folder), **kwargs)

        def log_message(self, *args):
            pass

        def end_headers(self):
            self.send_header("Cache-Control", "no-store")  # every reload gets the newest build
            super().end_headers()

        def _allowed_host(self) -> bool:
            """Only the preview's own address: a page of another site that resolves its name to 127.0.0.1 (DNS
            rebinding) must not read the preview's pages, drafts among them."""
            port = self.server.server_port
            return self.headers.get("Host", "") in (f"127.0.0.1:{port}", f"localhost:{port}")

        def do_HEAD(self):
            if not self._allowed_host():
                return self.send_error(421, "this preview answers http://127.0.0.1 only")
            return super().do_HEAD()

        def do_GET(self):
            if not self._allowed_host():
                return self.send_error(421, "this preview answers http://127.0.0.1 only")
            path = urlsplit(self.path).path
            if path == f"{LIVE}events":
                return self._events()
            if path == f"{LIVE}live.js":
                return self._send(LIVE_SCRIPT.read_bytes(), "text/javascript; charset=utf-8")
            if path == f"{LIVE}live-worker.js":
                return self._send(LIVE_WORKER.read_bytes(), "text/javascript; charset=utf-8")
            file = Path(self.translate_path(self.path))
            if file.is_dir():
                if not path.endswith("/"):
                    return super().do_GET()  # the folder's redirect to "path/"
                file = file / "index.html"
            if file.suffix == ".html" and file.is_file():
                return self._send(_inject(file.read_bytes(), state.built), "text/html; charset=utf-8")
            return super().do_GET()

        def _send(self, body: bytes, kind: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _events(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream; charset=utf-8")
            self.end_headers()
            seen = None
            try:
                while True:
                    with state.changed:
                        now = state.snapshot()
                        if now == seen:
                            state.changed.wait(15)
                            now = state.snapshot()
                    if now != seen:
                        self.wfile.write(f"event: state\ndata: {json.dumps(now)}\n\n".encode())
                        seen = now
                    else:
                        self.wfile.write(b": still here\n\n")
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError, ValueError):
                return

    return Handler


# --- the preview ------------------------------------------------------------------------------------------


def relevant(path: Path, root: Path) -> bool:
    """A saved file that can change the book: below the book's folder, not a build's own output or a cache."""
    try:
        parts = path.resolve().relative_to(root).parts
    except ValueError:
        return False
    if any(part in IGNORED_PARTS or part.startswith(".") for part in parts):
        return False
    name = parts[-1] if parts else ""
    if name.endswith("~") or name.startswith("#"):
        return False
    return path.suffix in WATCHED_SUFFIXES


def needs_new_server(paths: list[Path], root: Path) -> bool:
    """A change to Python code the build server has imported (the charts, the issue model, the extension), or to
    the search's word list, which jieba keeps in the server once the first build has added it."""
    for path in paths:
        parts = path.resolve().relative_to(root).parts
        if path.suffix == ".py" and parts and parts[0] in CODE_FOLDERS:
            return True
        if parts == WORD_LIST:
            return True
    return False


class Preview:
    def __init__(self, root: Path, port: int = 8000):
        self.root = root.resolve()
        self.port = port
        self.state = State()
        self.builds = BuildServer(self.root)
        self.output = self.root / PREVIEW_BUILD / "html"
        self.server = None

    def build(self) -> dict:
        self.state.update(building=True)
        outcome = self.builds.build()
        if outcome["ok"]:
            self.state.update(building=False, error="", built=self.state.built + 1)
            print(f"built in {outcome['seconds']:.2f} s: the open pages reload", flush=True)
        else:
            self.state.update(building=False, error=outcome["message"])
            print(f"build FAILED in {outcome.get('seconds', 0):.2f} s; the last good pages stay, with this banner:\n"
                  f"{outcome['message']}", flush=True)
        return outcome

    def start(self) -> str:
        self.builds.start()
        self.output.mkdir(parents=True, exist_ok=True)
        self.build()
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), handler_class(self.output, self.state))
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True, name="panda-preview-http").start()
        address = f"http://127.0.0.1:{self.server.server_port}/"
        print(f"Previewing the book at {address} (Ctrl+C to stop); pages reload on every save", flush=True)
        return address

    def watch(self, stop_event: threading.Event | None = None) -> None:
        from watchfiles import watch

        for changes in watch(self.root, watch_filter=lambda _change, p: relevant(Path(p), self.root),
                             stop_event=stop_event, debounce=400, step=30):
            paths = sorted({Path(p) for _, p in changes})
            print("changed: " + ", ".join(p.relative_to(self.root).as_posix() for p in paths), flush=True)
            if needs_new_server(paths, self.root):
                print("Python code changed: starting a new build server", flush=True)
                self.builds.restart()
            self.build()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
        self.builds.stop()


def serve(root: Path, port: int = 8000) -> None:
    preview = Preview(root, port)
    preview.start()
    try:
        preview.watch()
    except KeyboardInterrupt:
        pass
    finally:
        preview.stop()
