"""Run the notebooks Sphinx is about to read, in parallel, each in a fresh kernel forked from a warm one.

myst-nb (``execute_notebooks: cache``) runs each notebook that misses the
execution cache as Sphinx reads it: one at a time, each in a new kernel that
imports matplotlib, pandas and the chart code again. That is about 1.8 s of a
2 s notebook here, and it does not use the second core.

Before Sphinx reads, this module builds each outdated issue's notebook exactly
as myst-nb will (the same reader, after the same ``inputs`` stamp), asks the
same jupyter-cache whether it is there, and runs the misses itself in a
background thread while Sphinx reads (when Sphinx comes to a queued document
it waits for that notebook only, and caches it from its own thread): one worker
per core, each notebook in a new kernel of its own, in the notebook's folder, so
no state passes from one issue to another (``np.set_printoptions``, rcParams,
globals, warning registries). A new kernel would cost about 2 s of CPU (start-up
and the imports); forked from a template that has done the imports
(forkserver.py), it costs about 0.1 s, and it is started while the previous
notebook runs. The executed notebooks go into the cache; myst-nb then finds every one of them
there and renders its outputs as it always does.

Nothing is decided here that myst-nb would decide otherwise: a notebook that
fails (an error, a timeout) is not cached, so myst-nb runs it again in its own
kernel and reports it the usual way, with the extension's line numbers (see
checks.py). A notebook this module cannot prepare is left to myst-nb too.

``panda_execution_workers`` (``_config.yml``: ``sphinx: config:``) sets the
number of kernels, and of page writers (writers.py); 0 turns both off. Default: the number of cores.
"""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util import logging

from ..model import inputs
from ..model.store import run_state
from .writers import workers

logger = logging.getLogger(__name__)

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
    """One fresh kernel for one notebook: forked from the build's warm template (forkserver.py), started
    while the previous notebook still runs, shut down after its notebook."""

    def __init__(self, name: str, cwd: str, timeout: int, forks):
        self.name, self.cwd, self.timeout, self.forks = name, cwd, timeout, forks
        self.km = self.kc = None

    async def start(self) -> "_Kernel":
        from jupyter_client.manager import AsyncKernelManager

        from .forkserver import manager_class

        if self.forks is not None and self.name == "python3":
            self.km = manager_class()(kernel_name=self.name)
            self.km.panda_forks, self.km.panda_cwd = self.forks, self.cwd
        else:  # another kernel than the template's: a new process, started the usual way
            self.km = AsyncKernelManager(kernel_name=self.name)
        await self.km.start_kernel(cwd=self.cwd)
        self.kc = self.km.client()
        self.kc.start_channels()
        await self.kc.wait_for_ready(timeout=60)
        return self

    async def stop(self) -> None:
        if self.kc is not None:
            self.kc.stop_channels()
        if self.km is not None and self.km.has_kernel:
            await self.km.shutdown_kernel(now=True)
        self.km = self.kc = None

    async def execute(self, nb, allow_errors: bool) -> None:
        from nbclient import NotebookClient

        # record_timing=False as jupyter-cache does: timings in cell metadata would change the cache key
        client = NotebookClient(nb, km=self.km, timeout=self.timeout, allow_errors=allow_errors,
                                record_timing=False, resources={"metadata": {"path": self.cwd}},
                                kernel_name=self.name)
        client.kc = self.kc
        await client.async_execute()


class _Run:
    """The notebooks of one build, run in a background thread while Sphinx reads, each in a fresh kernel.

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
        from .forkserver import ForkServer

        queue: asyncio.Queue = asyncio.Queue()
        for job in self.queue:
            queue.put_nowait(job)
        self.queue = []
        try:
            self.forks = ForkServer()
        except Exception as exc:  # noqa: BLE001 - each kernel is then started the usual way
            logger.info(f"panda_book: no kernel template ({exc.__class__.__name__}: {exc}); fresh kernels instead")
            self.forks = None
        try:
            await asyncio.gather(*(self._worker(queue) for _ in range(self.workers)))
        finally:
            if self.forks is not None:
                self.forks.stop()

    def _start(self, job):
        docname, path, nb, name = job
        return asyncio.ensure_future(_Kernel(name, str(path.parent), self.timeout, self.forks).start())

    async def _worker(self, queue: asyncio.Queue) -> None:
        """Each notebook in a fresh kernel; the next one's kernel starts while this one runs."""
        job = None if queue.empty() else queue.get_nowait()
        starting = self._start(job) if job else None
        while job is not None and not self.cancelled.is_set():
            docname, path, nb, name = job
            job = None if queue.empty() else queue.get_nowait()
            following = self._start(job) if job else None
            kernel = None
            started = time.perf_counter()
            try:
                kernel = await starting
                await kernel.execute(nb, self.allow_errors)
                self.results[docname] = time.perf_counter() - started
            except Exception as exc:  # noqa: BLE001 - myst-nb runs it again and reports it
                logger.info(f"{path.name}: left to myst-nb ({exc.__class__.__name__})")
                self.results[docname] = None
            finally:
                if kernel is not None:
                    await kernel.stop()
                self.ready[docname].set()
            starting = following
        if starting is not None:  # cancelled: a kernel started for nothing
            try:
                await (await starting).stop()
            except Exception:  # noqa: BLE001
                pass

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
        logger.info(f"panda_book: ran {self.done} of {self.count} notebooks, each in a fresh kernel, {self.workers} "
                    f"at a time, beside the reading, in {time.perf_counter() - self.started:.1f} s")


def _before_read(app: Sphinx, env, docnames: list[str]) -> None:
    config = env.mystnb_config
    count = workers(app)
    if count < 1 or config.execution_mode != "cache":
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
        run_state(app).kernels = _Run(jobs, min(count, len(jobs)), config.execution_timeout,
                             config.execution_allow_errors, cache)


def _source_read(app: Sphinx, docname: str, source: list[str]) -> None:
    run = run_state(app).kernels
    if run is not None:
        run.collect(docname)


def _after_read(app: Sphinx, env) -> None:
    run = run_state(app).kernels
    if run is not None:
        run_state(app).kernels = None
        run.finish()


def stop_kernels(app: Sphinx) -> None:
    run = run_state(app).kernels
    if run is not None:  # the build stopped while reading: stop the kernels too
        run.cancelled.set()
        run.thread.join(timeout=30)


def setup_execute(app: Sphinx) -> None:
    app.connect("env-before-read-docs", _before_read)
    app.connect("source-read", _source_read, priority=100)
    app.connect("env-updated", _after_read, priority=100)
