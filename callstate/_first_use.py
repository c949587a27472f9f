"""Names a package loads on first use: for the parts whose import a measured cost rules out.

``callstate validate`` must start in a few tens of milliseconds; each package that uses
this says which of its names are too costly to import eagerly, and why.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["on_first_use"]


def on_first_use(
    package: str, homes: Mapping[str, str], *, before: Callable[[str], None] | None = None
) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package`` that imports each name of ``homes`` (name ->
    module) when it is first asked for; ``before(name)`` may refuse it (a missing extra)."""
    namespace = sys.modules[package].__dict__

    def __getattr__(name: str) -> Any:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        if before is not None:
            before(name)
        value = getattr(importlib.import_module(home), name)
        namespace[name] = value
        return value

    return __getattr__
