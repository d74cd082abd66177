"""Run the notebooks Sphinx is about to read, in parallel, in warm kernels.

myst-nb (``execute_notebooks: cache``) runs each notebook that misses the
execution cache as Sphinx reads it: one at a time, each in a new kernel that
imports matplotlib, pandas and the chart code again. That is about 1.8 s of a
2 s notebook here, and it does not use the second core.

Before Sphinx reads, this module builds each outdated issue's notebook exactly
as myst-nb will (the same reader, after the same ``inputs`` stamp), asks the
same jupyter-cache whether it is there, and runs the misses itself in a
background thread while Sphinx reads (when Sphinx comes to a queued document
it waits for that notebook only, and caches it from its own thread): one kernel
per core, each kept for the whole build and reset between notebooks (``%reset
-f``, the notebook's folder as working directory, figures closed, the
kernel's first warning filters and matplotlib settings restored, warning
registries cleared, so a warning shows in every notebook that raises it). The
executed notebooks go into the cache; myst-nb then finds every one of them
there and renders its outputs as it always does.

Nothing is decided here that myst-nb would decide otherwise: a notebook that
fails (an error, a timeout) is not cached, so myst-nb runs it again in its own
kernel and reports it the usual way, with the extension's line numbers (see
checks.py). A notebook this module cannot prepare is left to myst-nb too.

``panda_execution_workers`` (``_config.yml``: ``sphinx: config:``) sets the
number of kernels; 0 turns this off. Default: the number of cores.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util import logging

from . import inputs

logger = logging.getLogger(__name__)

# Run once in a new kernel: remember what a fresh kernel looks like.
_FIRST = """\
import sys as _s, warnings as _w
import matplotlib as _m, matplotlib.pyplot as _p
_s._panda_fresh = (list(_w.filters), dict(_m.rcParams))
del _s, _w, _m, _p
"""
# Run before each notebook: back to that state, in the notebook's folder.
_RESET = """\
%reset -f
import os as _o, sys as _s, warnings as _w
import matplotlib as _m, matplotlib.pyplot as _p
_p.close("all")
_w.filters[:] = _s._panda_fresh[0]
_w._filters_mutated()
with _w.catch_warnings():
    _w.simplefilter("ignore")
    _m.rcParams.update(_s._panda_fresh[1])
_o.chdir({cwd!r})
del _o, _s, _w, _m, _p
"""


def _notebook(app: Sphinx, docname: str):
    """The notebook myst-nb will build from this document, or None if it is not one."""
    from myst_nb.core.read import create_nb_reader

    path = Path(app.env.doc2path(docname))
    if path.suffix != ".md":
        return None
    text = path.read_text(encoding="utf-8")
    if "{code-cell}" not in text:
        return None
    reader = create_nb_reader(str(path), app.env.myst_config, app.env.mystnb_config, inputs.stamp(text))
    if reader is None:
        return None
    return path, reader.read(inputs.stamp(text))


class _Kernel:
    """One warm kernel: started once, reset between notebooks."""

    def __init__(self, name: str, cwd: str, timeout: int):
        self.name, self.cwd, self.timeout = name, cwd, timeout
        self.km = self.kc = None

    async def start(self) -> None:
        from jupyter_client.manager import AsyncKernelManager

        self.km = AsyncKernelManager(kernel_name=self.name)
        await self.km.start_kernel(cwd=self.cwd)
        self.kc = self.km.client()
        self.kc.start_channels()
        await self.kc.wait_for_ready(timeout=60)
        await self._run(_FIRST)

    async def stop(self) -> None:
        if self.kc is not None:
            self.kc.stop_channels()
        if self.km is not None and self.km.has_kernel:
            await self.km.shutdown_kernel(now=True)
        self.km = self.kc = None

    async def _run(self, code: str) -> None:
        msg_id = self.kc.execute(code, silent=True, store_history=False, allow_stdin=False)
        while True:
            reply = await self.kc.get_shell_msg(timeout=60)
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"kernel reset failed: {reply['content'].get('ename')}")

    async def execute(self, nb, cwd: str, allow_errors: bool) -> None:
        from nbclient import NotebookClient

        if self.km is None:
            await self.start()
        await self._run(_RESET.format(cwd=cwd))
        # record_timing=False as jupyter-cache does: timings in cell metadata would change the cache key
        client = NotebookClient(nb, km=self.km, timeout=self.timeout, allow_errors=allow_errors,
                                record_timing=False, resources={"metadata": {"path": cwd}},
                                kernel_name=self.name)
        client.kc = self.kc
        await client.async_execute()


class _Run:
    """The notebooks of one build, run in a background thread while Sphinx reads.

    Kernels run ahead of the reading: Sphinx reads the documents in order, and
    when it comes to one whose notebook is queued, it waits for that one only
    (``collect``) and stores it in the cache itself, so the cache's database is
    only ever touched by Sphinx's thread.
    """

    def __init__(self, jobs, workers: int, timeout: int, allow_errors: bool, cache):
        self.workers, self.timeout, self.allow_errors = workers, timeout, allow_errors
        self.count = len(jobs)
        # docname -> (path, notebook); an executed notebook (its outputs, charts and widget state) is
        # dropped as soon as it is cached: 500 of them held to the end took 0.8 GB
        self.jobs = {docname: (path, nb) for docname, path, nb, _name in jobs}
        self.queue = list(jobs)
        self.cache = cache
        # never popped: the kernels' thread sets these while Sphinx's thread collects them
        self.ready = {docname: threading.Event() for docname, *_ in jobs}
        self.collected: set[str] = set()
        self.results: dict[str, float | None] = {}
        self.cancelled = threading.Event()
        self.done = 0
        self.started = time.perf_counter()
        self.thread = threading.Thread(target=self._main, name="panda-kernels", daemon=True)
        self.thread.start()

    def _main(self) -> None:
        try:
            asyncio.run(self._run())
        except Exception as exc:  # noqa: BLE001 - whatever did not run, myst-nb runs
            logger.info(f"panda_book: warm kernels stopped ({exc.__class__.__name__}: {exc})")
        finally:
            for event in self.ready.values():
                event.set()

    async def _run(self) -> None:
        queue: asyncio.Queue = asyncio.Queue()
        for job in self.queue:
            queue.put_nowait(job)
        self.queue = []
        await asyncio.gather(*(self._worker(queue) for _ in range(self.workers)))

    async def _worker(self, queue: asyncio.Queue) -> None:
        kernel = None
        try:
            while not queue.empty() and not self.cancelled.is_set():
                docname, path, nb, name = queue.get_nowait()
                if kernel is None or kernel.name != name:
                    if kernel is not None:
                        await kernel.stop()
                    kernel = _Kernel(name, str(path.parent), self.timeout)
                started = time.perf_counter()
                try:
                    await kernel.execute(nb, str(path.parent), self.allow_errors)
                    self.results[docname] = time.perf_counter() - started
                except Exception as exc:  # noqa: BLE001 - myst-nb runs it again and reports it
                    logger.info(f"{path.name}: left to myst-nb ({exc.__class__.__name__})")
                    self.results[docname] = None
                    await kernel.stop()
                finally:
                    self.ready[docname].set()
        finally:
            if kernel is not None:
                await kernel.stop()

    def collect(self, docname: str) -> None:
        """Wait for this document's notebook, and put it in the cache if it ran."""
        from jupyter_cache.base import CacheBundleIn

        event = self.ready.get(docname)
        if event is None or docname in self.collected:
            return
        self.collected.add(docname)
        event.wait()
        seconds = self.results.pop(docname, None)
        path, nb = self.jobs.pop(docname)
        if seconds is None:
            return
        self.cache.cache_notebook_bundle(CacheBundleIn(nb, str(path), data={"execution_seconds": seconds}),
                                         check_validity=False, overwrite=True)
        self.done += 1

    def finish(self) -> None:
        self.cancelled.set()
        for docname in self.ready:
            self.collect(docname)
        self.thread.join()
        logger.info(f"panda_book: ran {self.done} of {self.count} notebooks in {self.workers} warm kernels, "
                    f"beside the reading, in {time.perf_counter() - self.started:.1f} s")


def _before_read(app: Sphinx, env, docnames: list[str]) -> None:
    config = env.mystnb_config
    workers = app.config.panda_execution_workers
    if workers is None:
        workers = os.cpu_count() or 1
    if workers < 1 or config.execution_mode != "cache":
        return
    from jupyter_cache import get_cache

    cache = get_cache(config.execution_cache_path or ".jupyter_cache")
    jobs = []
    for docname in sorted(docnames):  # the order Sphinx reads them in
        try:
            made = _notebook(app, docname)
        except Exception:  # noqa: BLE001 - myst-nb reads it again and reports what is wrong
            continue
        if made is None:
            continue
        path, nb = made
        try:
            cache.match_cache_notebook(nb)
            continue
        except KeyError:
            pass
        name = nb.metadata.get("kernelspec", {}).get("name")
        if name:
            jobs.append((docname, path, nb, name))
    if jobs:
        app.panda_run = _Run(jobs, min(workers, len(jobs)), config.execution_timeout,
                             config.execution_allow_errors, cache)


def _source_read(app: Sphinx, docname: str, source: list[str]) -> None:
    run = getattr(app, "panda_run", None)
    if run is not None:
        run.collect(docname)


def _after_read(app: Sphinx, env) -> None:
    run = getattr(app, "panda_run", None)
    if run is not None:
        app.panda_run = None
        run.finish()


def stop_kernels(app: Sphinx) -> None:
    run = getattr(app, "panda_run", None)
    if run is not None:  # the build stopped while reading: stop the kernels too
        run.cancelled.set()
        run.thread.join(timeout=30)


def setup(app: Sphinx) -> None:
    app.add_config_value("panda_execution_workers", None, "env", types=[int, type(None)])
    app.connect("env-before-read-docs", _before_read)
    app.connect("source-read", _source_read, priority=100)
    app.connect("env-updated", _after_read, priority=100)
