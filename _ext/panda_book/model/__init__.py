"""Layer 1: what the build knows. Per-page facts and build state (store.py), the inputs a page depends
on (inputs.py). Imports only ``newsletter``.

A module here imports from this layer and the layers below it, never above
(tests/test_layers.py).
"""
