"""Optional parts of callstate: each needs an extra, and says which one when it is missing.

The core (validate, the tracker, diagrams, simulate, replay) needs only transitions,
attrs and orjson. The Hypothesis kit and every adapter in :mod:`callstate.contrib`
import their dependency through :func:`require`, so a missing one is a single
:class:`MissingExtraError` naming the ``pip install`` to run, not a traceback from
deep inside an import.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from callstate.errors import CallstateError

__all__ = ["MissingExtraError", "require"]


class MissingExtraError(CallstateError, ImportError):
    """A part of callstate was imported without the extra that brings its dependency.

    An :class:`ImportError` too, so ``pytest.importorskip`` and ``except ImportError``
    treat it as the missing module it is. ``name`` is that module, ``extra`` the extra.
    """

    def __init__(self, part: str, module: str, extra: str) -> None:
        self.part = part
        self.extra = extra
        super().__init__(
            f"{part} needs {module.partition('.')[0]}, which is not installed: "
            f"pip install 'callstate[{extra}]'",
            name=module,
        )


def require(module: str, extra: str, *, part: str) -> ModuleType:
    """Import ``module`` for ``part`` of callstate, or raise :class:`MissingExtraError`.

    Only the absence of ``module`` itself (or of its package) becomes that error; a
    module that is installed but fails while importing raises its own error unchanged.
    """
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        missing = exc.name or ""
        if not missing or (missing != module and not module.startswith(missing + ".")):
            raise
        raise MissingExtraError(part, module, extra) from None
