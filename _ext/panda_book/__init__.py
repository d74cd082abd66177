"""Sphinx extension of the PANDA微短剧 book.

Everything a plain ``jupyter-book build .`` must guarantee lives here, so no flag
or wrapper can skip it:

- warnings are errors (Jupyter Book has no config key for ``-W``);
- paired Chinese/English blocks (``{story}``, ``{pair}``, ``{zh}``, ``{en}``) with
  ``lang`` attributes, checked at build time;
- the issue's ``{figures}`` records, validated and shown as a table;
- every chart image gets the alt text its SVG carries;
- the widget scripts are served by the site itself (no CDN);
- sphinx-thebe's unused scripts are taken off every page.
"""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx

from . import bilingual, checks, figures, trim

HERE = Path(__file__).parent


def _strict(app: Sphinx, config) -> None:
    # Jupyter Book 1 only offers -W on the command line; contributors type plain
    # `jupyter-book build .`, so the extension turns warnings into errors itself.
    app.warningiserror = True
    config.html_static_path.append(str(HERE / "static"))
    checks.check_config(config)


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", _strict)
    bilingual.setup(app)
    figures.setup(app)
    checks.setup(app)
    trim.setup(app)
    app.add_css_file("panda.css")
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
