# A small book for in-process tests (sphinx.testing): the extensions Jupyter Book loads for this project,
# from a conf.py instead of _config.yml, and no notebook execution. tests/test_roots.py puts _ext/ on the
# path, as _config.yml's local_extensions does.
extensions = ["myst_nb", "sphinx_external_toc", "sphinx_book_theme", "panda_book"]
external_toc_path = "_toc.yml"
external_toc_exclude_missing = True
exclude_patterns = ["_build", "sources"]
html_theme = "sphinx_book_theme"
html_title = "PANDA微短剧 · test root"
html_baseurl = "https://example.org/newsletter/"
myst_enable_extensions = ["colon_fence"]
nb_execution_mode = "off"
nitpicky = True
suppress_warnings = ["mystnb.exec"]
# the site's own copies of the widget scripts (the extension refuses a CDN)
nb_ipywidgets_js = {"_vendor/require-2.3.8.js": {}, "_vendor/widgets-assets-path.js": {},
                    "_vendor/html-manager-1.0.15/embed-amd.js": {}}
