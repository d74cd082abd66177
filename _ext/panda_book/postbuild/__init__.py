"""Layer 6: after the pages are written, in the order of pipeline.py: sweep, site files, CSS purge,
page check and CSP, swap into place (staging.py).

A module here imports from this layer and the layers below it, never above
(tests/test_layers.py).
"""
