"""callstate's benchmark harness: every Performance figure as a ratio measured side by side.

``python bench/run.py`` runs every figure; each figure lives in :mod:`bench.figures`.
"""
