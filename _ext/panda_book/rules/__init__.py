"""Layer 2: what may reach a page. The issue format's rules on every page read (checks.py, from
``newsletter.rules``), the doctree gate (gate.py), the written-page check (pagecheck.py), cell lines
(myst_checks.py).

A module here imports from this layer and the layers below it, never above
(tests/test_layers.py).
"""
