"""Reproducible builds: the same commit gives the same ``_build/html``, byte for byte.

The one build date of the book, wherever the site shows it (the feeds'
``lastBuildDate`` / ``<updated>``, the sitemap), comes from, in this order:

1. ``SOURCE_DATE_EPOCH`` when it is set (the reproducible-builds.org convention);
2. the time of the last commit (``git log -1 --format=%ct``) when the book is in
   a git work tree;
3. the newest published issue's date (front matter ``issue: date:``), midnight UTC;
4. 1970-01-01 when there is no issue either.

Never the clock. The result is put into ``SOURCE_DATE_EPOCH`` when the
configuration is read, before any notebook kernel starts, so Sphinx
(``format_date``), matplotlib and every kernel use the same date.

The rest of what used to differ between two builds is fixed where it is made:
chart SVGs get fixed ids and no date (``charts/panda.mplstyle``:
``svg.hashsalt``, ``charts._render``), widget model ids are renumbered from the
page's structure (trim.py), and the extension's own folders are named relative
to the book below (so ``.buildinfo``, which hashes the configuration, does not
depend on where the book is checked out).
"""

from __future__ import annotations

import os
import subprocess
from datetime import datetime, timezone
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util import logging

from ..model.publication import left_out

logger = logging.getLogger(__name__)

ENV = "SOURCE_DATE_EPOCH"
#: the value this module put into the environment (so a second build in the
#: same process computes its own date instead of taking it for the user's)
_ours: str | None = None


def _git_epoch(folder: Path) -> int | None:
    try:
        proc = subprocess.run(["git", "-C", str(folder), "log", "-1", "--format=%ct"],
                              capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    out = proc.stdout.strip()
    return int(out) if proc.returncode == 0 and out.isdigit() else None


def _issues_epoch(srcdir: Path, skip=()) -> int | None:
    from newsletter.issue import issue_datetime, issue_metas

    dates = []
    for path, meta in issue_metas(srcdir):
        if path.relative_to(srcdir).with_suffix("").as_posix() in skip:
            continue  # a draft or an issue held back (model/publication.py) gives no date to the book
        if meta.get("date"):
            try:
                dates.append(issue_datetime(meta))
            except ValueError:
                continue  # the validator reports a bad date; it does not pick the build date
    return int(max(dates).timestamp()) if dates else None


def build_epoch(srcdir: Path, environ=None, skip=()) -> tuple[int, str]:
    """The book's build date in seconds since 1970 (UTC), and where it comes from (``skip``: the issues the
    build leaves out)."""
    environ = os.environ if environ is None else environ
    given = environ.get(ENV, "")
    if given and given != _ours:
        if not given.strip().isdigit():
            raise ValueError(f"{ENV}={given!r} is not a whole number of seconds since 1970-01-01 UTC")
        return int(given), ENV
    epoch = _git_epoch(srcdir)
    if epoch is not None:
        return epoch, "last commit"
    epoch = _issues_epoch(srcdir, skip)
    if epoch is not None:
        return epoch, "newest issue"
    return 0, "no commit and no issue"


def build_datetime() -> datetime:
    """The build date of the current build (set when the configuration was read), UTC."""
    return datetime.fromtimestamp(int(os.environ.get(ENV) or 0), tz=timezone.utc)


def _relative(paths: list, base: Path) -> list:
    """Folders inside the book named relative to it, as Sphinx resolves them (against confdir)."""
    out = []
    for entry in paths:
        path = Path(str(entry))
        if path.is_absolute() and path.resolve().is_relative_to(base):
            entry = path.resolve().relative_to(base).as_posix()
        out.append(entry)
    return out


#: what SOURCE_DATE_EPOCH was before this module set it (None: unset), put back when the build ends
_found: str | None = None


def _set_date(app: Sphinx, config) -> None:
    global _ours, _found
    from sphinx.errors import ConfigError

    given = os.environ.get(ENV)
    _found = given if given and given != _ours else None

    try:
        epoch, origin = build_epoch(Path(app.srcdir), skip=left_out(config))
    except ValueError as error:
        raise ConfigError(str(error)) from None
    _ours = os.environ[ENV] = str(epoch)
    # No page shows it (no "Last updated", _config.yml): the feeds and the sitemap, which
    # every build writes, do. So a new commit or a new issue does not rewrite every page.
    config.panda_build_date = build_datetime().isoformat()
    logger.info("panda_book: build date %s (%s)", config.panda_build_date, origin)


def _put_back(app: Sphinx, exception) -> None:
    """The environment as the build found it: a build run inside another process (the tests', the preview's
    first) must not hand its date to the builds that process starts later, as if a user had set it."""
    if os.environ.get(ENV) == _ours:
        if _found is None:
            os.environ.pop(ENV, None)
        else:
            os.environ[ENV] = _found


def _relative_paths(app: Sphinx, config) -> None:
    confdir = Path(app.confdir).resolve()
    config.html_static_path = _relative(config.html_static_path, confdir)
    config.templates_path = _relative(config.templates_path, confdir)


def setup_reproducible(app: Sphinx) -> None:
    # set by this module from the sources, never by hand; not hashed into .buildinfo (no page shows it)
    app.add_config_value("panda_build_date", "", "", types=[str])
    # first, before Sphinx reads SOURCE_DATE_EPOCH for the copyright year (priority 800)
    app.connect("config-inited", _set_date, priority=100)
    # after the extension's own config-inited handlers (priority 500) add their folders
    app.connect("config-inited", _relative_paths, priority=900)
    # last of all, after the feeds and the sitemap (which print the date) and the swap
    app.connect("build-finished", _put_back, priority=200_000)
