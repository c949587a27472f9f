"""One module per figure. Each declares:

- ``TITLE``: its heading;
- ``IN_WORKER``: whether :func:`measure` runs in a fresh worker process (a clean heap and
  an honest peak RSS) rather than in the bench parent (which only launches processes);
- ``TARGETS``: its :class:`bench.report.Target` s;
- ``measure(settings) -> dict``: the flat figures (numbers, strings, lists);
- ``rows(figures) -> list[Row]``: what the table and the README show;
- optionally ``statuses(figures) -> {target key: status}``: why a target was not judged
  (``"not available"``, ``"stopped at the time limit"``).

A figure that raises is reported under ``errors`` and its targets get status ``"error"``;
the other figures still run.

The order below is the order of a full run.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Final

#: Figure name -> module, in run order.
NAMES: Final = (
    "rss_check",
    "validate",
    "startup",
    "jobs",
    "ingest",
    "events",
    "live",
    "snapshot",
    "memory",
    "call_model",
)


def load(name: str) -> ModuleType:
    """The module of figure ``name``."""
    if name not in NAMES:
        raise KeyError(name)
    return importlib.import_module(f"bench.figures.{name}")
