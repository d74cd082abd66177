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

The copy is made cheaply: the tree a swap replaces is kept as
``_build/.html.previous`` (nothing writes to it again), and the next build
renames it to the staging folder and brings it up to date with ``_build/html``,
copying only the files whose size or time differ (the pages and images the last
build wrote) and deleting what ``_build/html`` no longer has. At 500 issues
that is a walk of the tree and a few dozen files instead of a copy of 100 MB.
A staging folder a killed build left is never reused, only deleted.

The environment goes with the tree. Sphinx pickles it after reading, before
writing: a build that fails later would leave an environment that believes the
new pages, neighbours and digests (nav.py) were published while ``_build/html``
still holds the old ones, and the next build would not write them again. So the
environment the last good build left is kept beside it
(``environment.pickle.good``) while a build runs, put back if the build fails,
and dropped when it succeeds; a build killed outright leaves the copy, and the
next build puts it back before Sphinx loads the environment.

One build at a time: a build holds ``_build/.panda-build.lock`` (``flock``) from
the moment its configuration is read until it ends; a second build in the same
folder says so and waits for it, then builds on what the first one left. The lock
goes with the process, so a killed build never leaves it held.

A staging folder left by any failure (a file, a link or a folder that cannot be
deleted) is moved aside or, if even that fails, reported with the command that
removes it; the next build works either way.

"Left as the last good build made it" is said only when it is true: the tree is
fingerprinted (names, sizes, times) when the build starts and compared when it
fails. A code cell can delete or change ``_build/html`` while it runs; then the
build says so, and that a full build is needed, instead.

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

from ..model.store import run_state

logger = logging.getLogger(__name__)

_RENAME_EXCHANGE = 2


def staging_dir(outdir: Path) -> Path:
    return outdir.with_name(f".{outdir.name}.staging")


def previous_dir(outdir: Path) -> Path:
    return outdir.with_name(f".{outdir.name}.previous")


def _env_files(app: Sphinx) -> tuple[Path, Path]:
    from sphinx.application import ENV_PICKLE_FILENAME

    pickled = Path(app.doctreedir) / ENV_PICKLE_FILENAME
    return pickled, pickled.with_name(pickled.name + ".good")


def _put_back_env(app: Sphinx) -> None:
    """The environment the last good build left, in place of one a failed or killed build pickled."""
    pickled, good = _env_files(app)
    if good.is_file():
        if good.stat().st_size:
            os.replace(good, pickled)
        else:  # there was none: the failed build was the first
            good.unlink()
            pickled.unlink(missing_ok=True)


def _keep_env(app: Sphinx) -> None:
    pickled, good = _env_files(app)
    good.parent.mkdir(parents=True, exist_ok=True)
    tmp = good.with_name(good.name + ".tmp")
    if pickled.is_file():
        shutil.copyfile(pickled, tmp)  # a copy, not a link: Sphinx rewrites the pickle in place
    else:
        tmp.write_bytes(b"")
    os.replace(tmp, good)


def _lock(app: Sphinx, config) -> None:
    """Hold the build folder's lock for the whole build (a second build waits for it)."""
    import fcntl

    folder = Path(app.outdir).parent
    folder.mkdir(parents=True, exist_ok=True)
    handle = open(folder / ".panda-build.lock", "a+", encoding="utf-8")  # noqa: SIM115 - held until exit
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "another process"
        logger.info(f"panda_book: another build is running in {folder} ({holder}); waiting for it to finish")
        fcntl.flock(handle, fcntl.LOCK_EX)
    handle.seek(0)
    handle.truncate()
    handle.write(f"pid {os.getpid()}\n")
    handle.flush()
    run_state(app).lock = handle  # released when the process ends, however it ends


def fingerprint(path: Path) -> dict[str, tuple[int, int]] | None:
    """Every file below ``path`` with its size and modification time (ns); None if there is no tree."""
    if not path.is_dir():
        return None
    found = {}
    for folder, _dirs, files in os.walk(path):
        for name in files:
            full = os.path.join(folder, name)
            try:
                st = os.lstat(full)
            except OSError:
                continue
            found[os.path.relpath(full, path)] = (st.st_size, st.st_mtime_ns)
    return found


def clear(path: Path) -> None:
    """Remove what a failed or killed build left at ``path``: a folder, a file or a link, or move it aside.

    Raises ``SphinxError`` with the command that removes it when neither works.
    """
    from sphinx.errors import SphinxError

    if not os.path.lexists(path):
        return
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
        return
    except OSError as exc:
        error = exc
    aside = path.with_name(f"{path.name}.stale-{os.getpid()}")
    try:
        os.rename(path, aside)
        logger.info(f"panda_book: {path.name} could not be removed ({error}); moved aside to {aside.name}")
        return
    except OSError:
        pass
    raise SphinxError(f"{path} is left from an earlier build and cannot be removed or moved ({error}); remove it "
                      f"(rm -rf '{path}') and build again")


def _delete(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink()


def sync(src: Path, dst: Path) -> int:
    """Make ``dst`` a copy of ``src`` (files with their times, links as links); returns the files copied.

    A file of ``dst`` with the size and modification time (ns) of its counterpart is kept as it is.
    """
    copied = 0
    if dst.is_symlink() or (dst.exists() and not dst.is_dir()):
        dst.unlink()
    dst.mkdir(exist_ok=True)
    theirs = {entry.name: entry for entry in os.scandir(dst)}
    for entry in os.scandir(src):
        target = dst / entry.name
        mine = theirs.pop(entry.name, None)
        if entry.is_symlink():
            if mine is not None:
                _delete(target)
            os.symlink(os.readlink(entry.path), target)
        elif entry.is_dir():
            copied += sync(Path(entry.path), target)
        else:
            if mine is not None and mine.is_file(follow_symlinks=False):
                a, b = entry.stat(), mine.stat(follow_symlinks=False)
                if a.st_size == b.st_size and a.st_mtime_ns == b.st_mtime_ns:
                    continue
            if mine is not None:
                _delete(target)  # never write into it: a new file
            shutil.copy2(entry.path, target)
            copied += 1
    for name in theirs:
        _delete(dst / name)
    return copied


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
        _keep_env(app)
        clear(self.path)  # what a killed or failed build left
        clear(self.final.with_name(f".{final.name}.old"))
        previous = previous_dir(final)
        if os.path.lexists(previous) and (previous.is_symlink() or not previous.is_dir()):
            clear(previous)
        self.before = fingerprint(final)
        if final.is_dir():
            if previous.is_dir():
                os.rename(previous, self.path)
                copied = sync(final, self.path)
                logger.info(f"panda_book: staging folder brought up to date ({copied} files copied)")
            else:
                # copy2 keeps each file's times; symlinks stay links
                shutil.copytree(final, self.path, symlinks=True, copy_function=shutil.copy2)
        else:
            _remove(previous)
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
            # a first build: the next one starts from this copy instead of copying the whole tree then
            shutil.copytree(self.final, previous_dir(self.final), symlinks=True, copy_function=shutil.copy2)
        elif _exchange(self.path, self.final):
            os.rename(self.path, previous_dir(self.final))  # the old tree: the next build's staging copy
        else:
            old = self.final.with_name(f".{self.final.name}.old")
            os.rename(self.final, old)
            os.rename(self.path, self.final)
            os.rename(old, previous_dir(self.final))
        _env_files(self.app)[1].unlink(missing_ok=True)

    def discard(self) -> None:
        if not self.done:
            self.done = True
            self._point(self.final)
            _remove(self.path)
            _put_back_env(self.app)


def _killed_before(app: Sphinx, config) -> None:
    # before Sphinx loads the environment (config-inited comes first)
    _put_back_env(app)


def _begin(app: Sphinx) -> None:
    if app.builder.format != "html":
        return
    run_state(app).staging = _Staging(app, Path(app.outdir))


def finish(app: Sphinx, exception) -> None:
    """Swap the staging copy in (no exception) or discard it (postbuild.py, last)."""
    staging = run_state(app).staging
    if staging is None or staging.done:
        return
    run_state(app).staging = None
    if exception is None:
        staging.swap()
    else:
        staging.discard()
        try:
            shown = staging.final.relative_to(Path(app.srcdir)).as_posix()
        except ValueError:
            shown = str(staging.final)
        if fingerprint(staging.final) == staging.before:
            logger.info(f"panda_book: the build failed; {shown}/ is left as the last good build made it")
        elif staging.before is None:
            logger.info(f"panda_book: the build failed; there was no {shown}/ before it, and there is none now")
        else:
            # the claim would be false: something in the build (a code cell?) removed or changed the published tree
            logger.info(f"panda_book: the build failed, and {shown}/ was removed or changed while it ran (by a code "
                        f"cell?); it is NOT the last good build: fix the error, then build again "
                        f"(rm -rf _build && jupyter-book build . for a full build)")


def setup_staging(app: Sphinx) -> None:
    # first: every other handler, and the builder, must see the staging folder
    app.connect("config-inited", _lock, priority=1)  # before the environment is loaded or put back
    app.connect("config-inited", _killed_before)
    app.connect("builder-inited", _begin, priority=1)
