"""Layer 4: what the issue's directives draw: bilingual blocks and the one label helper, figure
records, chart figures, the data page.

A module here imports from this layer and the layers below it, never above
(tests/test_layers.py).
"""
