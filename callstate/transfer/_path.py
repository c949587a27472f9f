"""Which URLs address ``call: transfer``: ``/communications``, and the deprecated ``/app``.

The path is read by :func:`callstate.graph.wire.parse_request_path`, the one
grammar of Graph calls URLs, so a transfer path is valid exactly when the same
URL would be read as that call's ``transfer`` request everywhere else.
"""

from __future__ import annotations

from typing import Final

import attrs

from callstate.graph.wire import CallPathError, RequestPath, parse_request_path, quote
from callstate.transfer._verdict import PATH_POINTER, Problem

__all__ = ["PathVerdict", "check_path", "read_path"]

_ACTION: Final = "transfer"
_EXPECTED: Final = (
    "expected /communications/calls/{id}/transfer, optionally prefixed by "
    "https://graph.microsoft.com/v1.0 or /beta"
)
_DEPRECATED: Final = Problem(
    PATH_POINTER,
    "deprecated-path",
    "the /app path is deprecated; use /communications/calls/{id}/transfer",
)


@attrs.frozen
class PathVerdict:
    """The call id a path addresses (``None`` if it addresses none) and what is wrong with it."""

    call_id: str | None
    problems: tuple[Problem, ...] = ()
    warnings: tuple[Problem, ...] = ()


def _invalid(message: str) -> PathVerdict:
    return PathVerdict(None, (Problem(PATH_POINTER, "invalid-path", message),))


def check_path(path: str) -> PathVerdict:
    """Check the path (or full URL) a transfer request is POSTed to.

    A full URL must be ``https`` on a Graph host (no port, user, query or fragment)
    with a ``v1.0`` or ``beta`` version; a bare path may carry the version or not.
    Fixed segments match in any letter case. ``/app/calls/{id}/transfer`` is valid
    but deprecated; anything else, including a URL that cannot be read at all, is
    one ``invalid-path`` problem.
    """
    try:
        request = parse_request_path(path, PATH_POINTER)
    except CallPathError as exc:
        return _invalid(f"{quote(path)} is not a call transfer path ({exc.why}); {_EXPECTED}")
    return read_path(request, path)


def read_path(request: RequestPath, path: str) -> PathVerdict:
    """The verdict of ``path``, which the grammar read as ``request``."""
    if request.action != _ACTION or request.call_id is None:
        if request.action is not None:
            what = f"a call's {request.action} request"
        else:
            what = "the call itself" if request.call_id else "the calls collection"
        return _invalid(f"{quote(path)} is {what}, not a call transfer; {_EXPECTED}")
    return PathVerdict(request.call_id, warnings=(_DEPRECATED,) if request.legacy else ())
