"""Per-page facts kept in the environment, as an ``EnvironmentCollector`` (the myst-nb way).

A page's directives note what it holds while it is read (an issue's stories for
the archive and the feeds, its figure records for the data page) in a dict by
page, and the pages that list them are noted in a set. The collector drops a
page's entries when the page is read again or removed (``clear_doc``) and takes
them from a parallel reader (``merge_other``): no hand-written purge or merge per
module.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.environment.collectors import EnvironmentCollector


class PageStore(EnvironmentCollector):
    """``env.<store>``: {page: facts}; ``env.<listing>``: the pages that list every page's facts."""

    store: str = ""
    listing: str = ""

    @classmethod
    def of(cls, env) -> dict:
        """The store, made on first use (an environment pickled before the store existed has none)."""
        if not hasattr(env, cls.store):
            setattr(env, cls.store, {})
        if not hasattr(env, cls.listing):
            setattr(env, cls.listing, set())
        return getattr(env, cls.store)

    @classmethod
    def listed_by(cls, env) -> set[str]:
        cls.of(env)
        return getattr(env, cls.listing)

    def clear_doc(self, app: Sphinx, env, docname: str) -> None:
        self.of(env).pop(docname, None)
        self.listed_by(env).discard(docname)

    def merge_other(self, app: Sphinx, env, docnames: set[str], other) -> None:
        self.of(env).update({d: v for d, v in getattr(other, self.store, {}).items() if d in docnames})
        self.listed_by(env).update(getattr(other, self.listing, set()) & set(docnames))

    def process_doc(self, app: Sphinx, doctree: nodes.document) -> None:
        pass  # the page's directives note its facts as they run


class IssueStore(PageStore):
    """Each issue's meta and stories (archive.py: home, all issues, topics, feeds, cards)."""

    store, listing = "panda_issues", "panda_archive_docs"


class FigureStore(PageStore):
    """Each issue's figure records (dataindex.py: the data page and its CSV)."""

    store, listing = "panda_figures", "panda_index_docs"


def setup_stores(app: Sphinx) -> None:
    app.add_env_collector(IssueStore)
    app.add_env_collector(FigureStore)
