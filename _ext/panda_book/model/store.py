"""What the build knows between pages and between builds, declared in one place.

- Per-page facts, as ``EnvironmentCollector`` s (the myst-nb way): a page's
  directives note what it holds while it is read (an issue's stories for the
  archive and the feeds, its figure records for the data page) in a dict by
  page, and the pages that list them in a second dict by page. The collector
  drops a page's entries when the page is read again or removed
  (``clear_doc``) and takes them from a parallel reader (``merge_other``): no
  hand-written purge or merge per module.
- Book-wide digests kept from one build to the next (:class:`BookState`, in
  the pickled environment), and what one build run has learnt
  (:class:`RunState`, on the application): two dataclasses, no loose
  ``env`` or ``app`` attributes.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass, field

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.environment.collectors import EnvironmentCollector


class PageStore(EnvironmentCollector):
    """``env.<store>``: {page: facts}; ``env.<listing>``: {page that lists every page's facts: its options}."""

    store: str = ""
    listing: str = ""

    @classmethod
    def of(cls, env) -> dict:
        """The store, made on first use (an environment pickled before the store existed has none)."""
        if not isinstance(getattr(env, cls.store, None), dict):
            setattr(env, cls.store, {})
        if not isinstance(getattr(env, cls.listing, None), dict):
            setattr(env, cls.listing, {})
        return getattr(env, cls.store)

    @classmethod
    def listed_by(cls, env) -> dict:
        cls.of(env)
        return getattr(env, cls.listing)

    def clear_doc(self, app: Sphinx, env, docname: str) -> None:
        self.of(env).pop(docname, None)
        self.listed_by(env).pop(docname, None)

    def merge_other(self, app: Sphinx, env, docnames: set[str], other) -> None:
        self.of(env).update({d: v for d, v in getattr(other, self.store, {}).items() if d in docnames})
        self.listed_by(env).update({d: v for d, v in getattr(other, self.listing, {}).items() if d in docnames})

    def process_doc(self, app: Sphinx, doctree: nodes.document) -> None:
        pass  # the page's directives note its facts as they run


class IssueStore(PageStore):
    """Each issue's meta and stories (site/archive.py: home, all issues, topics, feeds, cards); the pages
    with an ``{issue-archive}``, with its ``recent`` option (None: the full archive)."""

    store, listing = "panda_issues", "panda_archive_docs"


class FigureStore(PageStore):
    """Each issue's figure records (directives/dataindex.py: the data page and its CSV)."""

    store, listing = "panda_figures", "panda_index_docs"


class EditionStore(PageStore):
    """Each issue's chart PNGs for the email and WeChat editions, in page order (directives/chartfig.py,
    site/editions.py): chart, language, file (from the source folder), size, caption, alt text, source."""

    store, listing = "panda_edition_charts", "panda_edition_docs"


@dataclass
class BookState:
    """Digests kept from one build to the next, in the environment (``env.panda_state``)."""

    #: per store: {(page, when it was read): digest of its part}
    digests: dict = field(default_factory=dict)
    #: per store: the digest of the whole store at the last build
    store_digests: dict = field(default_factory=dict)
    #: each page's parent and neighbours with their titles (site/nav.py)
    relations: dict | None = None
    #: the topic pages' inputs (site/archive.py)
    topics_digest: str | None = None
    #: tags.yml, sources.yml and the search word list (model/inputs.py)
    inputs_digest: str | None = None
    #: the chart and record code (model/inputs.py)
    code_digest: str | None = None
    #: each issue's recommended reading, as a digest (site/closing.py)
    recommended: dict = field(default_factory=dict)


def book_state(env) -> BookState:
    if not isinstance(getattr(env, "panda_state", None), BookState):
        env.panda_state = BookState()
    return env.panda_state


@dataclass
class RunState:
    """What one build run has learnt (``app.panda_run_state``); never pickled."""

    #: when the build started (postbuild/sweep.py): output older than this may be stale
    build_started: float = 0.0
    #: documents removed since the last build, and whether the environment is new (postbuild/sweep.py)
    removed_docs: set = field(default_factory=set)
    fresh_env: bool = False
    #: the topic pages must be written again (site/archive.py)
    topics_changed: bool = True
    #: pages written before this time were checked by an earlier build (postbuild/csp.py)
    csp_since: float = 0.0
    #: the build's lock and its staging copy of the output (postbuild/staging.py)
    lock: object = None
    staging: object = None
    #: the notebooks' kernels (run/execute.py)
    kernels: object = None
    #: the email and WeChat folders written by this build and where they go: [(new, final)] (site/editions.py)
    editions: list = field(default_factory=list)
    #: each issue of the build with its rendered editions' folder in the cache, newest first (site/editions.py)
    rendered: list = field(default_factory=list)


def run_state(app) -> RunState:
    if not isinstance(getattr(app, "panda_run_state", None), RunState):
        app.panda_run_state = RunState()
    return app.panda_run_state


def _canonical(obj):
    """The object with sets sorted and dataclasses as dicts, for a digest that does not depend on hash order."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return _canonical(dataclasses.asdict(obj))
    if isinstance(obj, dict):
        return sorted((repr(k), _canonical(v)) for k, v in obj.items())
    if isinstance(obj, (set, frozenset)):
        return sorted(repr(_canonical(v)) for v in obj)
    if isinstance(obj, (list, tuple)):
        return [_canonical(v) for v in obj]
    return obj


def digest(obj) -> str:
    """A digest of what a page shows, to write it again only when that changes."""
    return hashlib.sha256(repr(_canonical(obj)).encode()).hexdigest()


def store_digest(env, store: dict, name: str) -> str:
    """The digest of a per-document store (``{docname: what the page shows of it}``).

    Each document's part is digested once per reading of it (``env.all_docs``
    holds when it was read), so a build that reads one issue digests one.
    """
    state = book_state(env)
    cache = state.digests.get(name, {})
    fresh = {}
    for docname in sorted(store):
        key = (docname, env.all_docs.get(docname))
        fresh[key] = cache.get(key) or digest(store[docname])
    state.digests[name] = fresh
    return hashlib.sha256(repr([(docname, h) for (docname, _read), h in sorted(fresh.items())]).encode()).hexdigest()


def pages_to_rewrite(env, store: dict, name: str, pages) -> list[str]:
    """``pages`` (those that show the whole store), if the store changed since the last build, else none."""
    now = store_digest(env, store, name)
    digests = book_state(env).store_digests
    before, digests[name] = digests.get(name), now
    return [] if before == now else sorted(d for d in pages if d in env.all_docs)


def setup_stores(app: Sphinx) -> None:
    app.add_env_collector(IssueStore)
    app.add_env_collector(FigureStore)
    app.add_env_collector(EditionStore)
