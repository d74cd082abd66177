"""Layer 5: the pages around the issues: archive, topics, feeds, sitemap, cards and 404 (archive.py,
templates/), navigation, search, page assets, the build date.

A module here imports from this layer and the layers below it, never above
(tests/test_layers.py).
"""
