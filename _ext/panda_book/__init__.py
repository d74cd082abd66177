"""Sphinx extension of the PANDA微短剧 book.

Everything a plain ``jupyter-book build .`` must guarantee lives here, so no flag
or wrapper can skip it:

- warnings are errors (Jupyter Book has no config key for ``-W``);
- paired Chinese/English blocks (``{story}``, ``{pair}``, ``{zh}``, ``{en}``) with
  ``lang`` attributes, checked at build time;
- the issue's ``{figures}`` records, validated and shown as a table; the
  number checker (``newsletter.check``) run on every issue; the 数据 / Data page
  of all figures with trends (dataindex.py); each chart's data as CSV and table;
- every chart image gets the alt text its SVG carries; a chart's Chinese and
  English versions become one figure (chartfig.py);
- an issue's notebook runs again when its figures or the chart code change
  (inputs.py), which the execution cache alone would not notice;
- the 中文 / English / 双语 reading switch, bilingual theme text, no icon font
  or Font Awesome script (templates/, static/panda.js, static/panda.css);
- drafts (``issue: draft: true``) and issues dated a day to come are left out
  of the published book, decided once when the configuration is read
  (model/publication.py); ``panda_preview`` builds them with a banner;
- the home page's archive, a page per topic, RSS and Atom feeds, sitemap,
  robots.txt and a 404 page (archive.py); social cards and meta tags (cards.py);
- Chinese search with jieba and the project's word list (search.py);
- the widget scripts are served by the site itself (no CDN) and load only when
  a reader opens an interactive view; assets a page does not use are taken
  off it (trim.py), and theme CSS rules that match nothing in the site are
  dropped after the build (purge.py).
"""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx

from .directives import bilingual, chartfig, dataindex, figures, sources, unplaced
from .model import inputs, publication, store
from .postbuild import csp, pipeline, staging, sweep
from .rules import checks, gate
from .run import execute, memory, writers
from .site import archive, cards, closing, editions, feeds, issuepage, nav, pdf, reproducible, search, trim

HERE = Path(__file__).parent


def _strict(app: Sphinx, config) -> None:
    # Jupyter Book 1 only offers -W on the command line; contributors type plain
    # `jupyter-book build .`, so the extension turns warnings into errors itself.
    app.warningiserror = True
    # new lists, never the given ones changed in place: Jupyter Book keeps its default configuration in memory,
    # so a second build in the same process (the preview's) would find the folders there twice, and a
    # configuration that differs from the last build's rewrites every page
    config.html_static_path = [*config.html_static_path, str(HERE / "static")]
    # before the themes' own templates, so the overrides in templates/ win
    config.templates_path = [str(HERE / "templates"), *config.templates_path]
    checks.check_config(config)


def _template_globals(app: Sphinx) -> None:
    # the theme's templates make their bilingual labels with the same helper as everything else
    from .directives.labels import bi_html

    if hasattr(app.builder, "templates"):
        app.builder.templates.environment.globals["panda_bi"] = bi_html


def setup(app: Sphinx) -> dict:
    """One line per component, in the order their handlers must run when they share an event and priority."""
    app.connect("config-inited", _strict)
    app.connect("builder-inited", _template_globals)
    store.setup_stores(app)  # per-page facts and build state (model/store.py)
    publication.setup_publication(app)  # the drafts and scheduled issues a build leaves out (model/publication.py)
    gate.setup_gate(app)  # what content may put on a page, on the doctree (rules/gate.py)
    sources.setup_sources(app)  # a source's name, linked to its home page (directives/sources.py)
    bilingual.setup_bilingual(app)
    chartfig.setup_chartfig(app)
    figures.setup_figures(app)
    unplaced.setup_unplaced(app)  # what an import could not place: refused by the rules, drawn as nothing
    dataindex.setup_dataindex(app)
    archive.setup_archive(app)
    issuepage.setup_issuepage(app)  # the header and its previous/next issue
    cards.setup_cards(app)  # social cards and meta tags (site/cards.py)
    closing.setup_closing(app)  # an issue's recommended reading and share block (site/closing.py)
    editions.setup_editions(app)  # the email edition and the WeChat article (site/editions.py)
    feeds.setup_feeds(app)  # the full-text feeds and the home page's 订阅 · Subscribe block (site/feeds.py)
    pdf.setup_pdf(app)  # the print edition: each issue as PDF in three editions (site/pdf.py)
    checks.setup_checks(app)  # the issue format's rules on every page read (rules/checks.py)
    inputs.setup_inputs(app)
    execute.setup_execute(app)
    writers.setup_writers(app)  # pages written by several processes (run/writers.py)
    nav.setup_nav(app)
    sweep.setup_sweep(app)
    trim.setup_trim(app)
    search.setup_search(app)
    pipeline.setup_post_build(app)  # the steps after the pages, in order (postbuild/pipeline.py)
    csp.setup_csp(app)  # Content-Security-Policy on every page
    reproducible.setup_reproducible(app)  # one build date, never the clock
    memory.setup_memory(app)  # no doctree held from its reading to its writing
    staging.setup_staging(app)  # build into a copy of _build/html, swap in on success
    app.add_css_file("panda.css")
    app.add_js_file("panda.js", loading_method="defer")
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
