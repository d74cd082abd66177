"""Nothing lost: a build writes into a staging copy of ``_build/html`` and swaps it in only if it succeeds.

When the builder starts (``builder-inited``, before any other handler), the
last good ``_build/html`` is copied to ``_build/.html.staging`` (files with
their times, so an incremental build stays incremental: Sphinx and nav.py
compare them with the sources' times) and the build's output folder
(``app.outdir`` and ``builder.outdir``) becomes the copy. Pages, static files,
images, the pages of ``html-collect-pages`` and everything the
``build-finished`` handlers do (the sweep, feeds and sitemap, the CSS purge,
the CSP) go there.

- The build finished without an exception: after every other ``build-finished``
  handler, the copy and ``_build/html`` are exchanged in one ``renameat2
  (RENAME_EXCHANGE)`` call, so a reader or a host serving ``_build/html`` sees
  either the whole old tree or the whole new one, never a half-written one (two
  renames where the file system cannot exchange); the old tree is then
  deleted.
- It failed (a bad issue, a failing cell, a broken reference, a step after the
  pages failing): the copy is deleted and ``_build/html`` is byte for byte what
  it was. A build killed outright leaves only the copy, which the next build
  deletes first.

Hard links would be cheaper than a copy, but Sphinx rewrites files in place
(``open(path, "w")``), which would write through a link into the last good tree.
"""

from __future__ import annotations

import atexit
import ctypes
import errno
import os
import shutil
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

#: after every other handler: csp.py (950), purge.py (900), archive.py (800), nav.py (790), themes (500)
SWAP_PRIORITY = 100_000
_RENAME_EXCHANGE = 2


def staging_dir(outdir: Path) -> Path:
    return outdir.with_name(f".{outdir.name}.staging")


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders atomically (Linux ``renameat2``); False where the system cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd = -100
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False  # a file system without RENAME_EXCHANGE
    raise OSError(code, os.strerror(code), str(a), None, str(b))


def _remove(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


class _Staging:
    def __init__(self, app: Sphinx, final: Path):
        self.app, self.final, self.path = app, final, staging_dir(final)
        self.done = False
        _remove(self.path)  # what a killed build left
        _remove(self.final.with_name(f".{final.name}.old"))
        if final.is_dir():
            # copy2 keeps each file's times; symlinks stay links
            shutil.copytree(final, self.path, symlinks=True, copy_function=shutil.copy2)
        else:
            self.path.mkdir(parents=True)
        atexit.register(self.discard)  # an exception before build-finished, or Ctrl+C
        self._point(self.path)

    def _point(self, folder: Path) -> None:
        path = type(self.app.outdir)(folder)
        self.app.outdir = path
        self.app.builder.outdir = path

    def swap(self) -> None:
        # (Sphinx resolves the output folder, so it is a real folder here, never a link)
        self.done = True
        self._point(self.final)
        if not self.final.is_dir():
            os.rename(self.path, self.final)
        elif _exchange(self.path, self.final):
            _remove(self.path)  # now the old tree
        else:
            old = self.final.with_name(f".{self.final.name}.old")
            os.rename(self.final, old)
            os.rename(self.path, self.final)
            _remove(old)

    def discard(self) -> None:
        if not self.done:
            self.done = True
            self._point(self.final)
            _remove(self.path)


def _begin(app: Sphinx) -> None:
    if app.builder.format != "html":
        return
    app.panda_staging = _Staging(app, Path(app.outdir))


def _end(app: Sphinx, exception) -> None:
    staging = getattr(app, "panda_staging", None)
    if staging is None or staging.done:
        return
    app.panda_staging = None
    if exception is None:
        staging.swap()
    else:
        staging.discard()
        try:
            shown = staging.final.relative_to(Path(app.srcdir)).as_posix()
        except ValueError:
            shown = str(staging.final)
        logger.info(f"panda_book: the build failed; {shown}/ is left as the last good build made it")


def setup(app: Sphinx) -> dict:
    # first: every other handler, and the builder, must see the staging folder
    app.connect("builder-inited", _begin, priority=1)
    app.connect("build-finished", _end, priority=SWAP_PRIORITY)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
