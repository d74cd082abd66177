"""Layer 3: running the notebooks: a fresh kernel per notebook forked from a warm one (execute.py,
forkserver.py), and memory (memory.py).

A module here imports from this layer and the layers below it, never above
(tests/test_layers.py).
"""
