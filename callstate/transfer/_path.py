"""Which URLs address ``call: transfer``: ``/communications``, and the deprecated ``/app``."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import attrs

from callstate.transfer._verdict import PATH_POINTER, Problem

__all__ = ["PathVerdict", "check_path"]

#: Microsoft Graph's public and national-cloud hosts; any other host is not Graph.
_HOSTS = frozenset(
    {
        "graph.microsoft.com",
        "graph.microsoft.us",
        "dod-graph.microsoft.us",
        "microsoftgraph.chinacloudapi.cn",
    }
)
_VERSION = re.compile(r"/(?:v1\.0|beta)(?=/)", re.IGNORECASE)
# Graph treats the fixed segments case-insensitively; the call id is kept as sent.
_CURRENT = re.compile(r"/communications/calls/(?P<id>[^/?#]+)/transfer", re.IGNORECASE)
_LEGACY = re.compile(r"/app/calls/(?P<id>[^/?#]+)/transfer", re.IGNORECASE)
#: The canonical full URLs, checked with plain string operations first (the common case).
_CANONICAL = tuple(
    f"https://graph.microsoft.com/{version}/communications/calls/" for version in ("v1.0", "beta")
)
_SUFFIX = "/transfer"
_EXPECTED = (
    "expected /communications/calls/{id}/transfer, optionally prefixed by "
    "https://graph.microsoft.com/v1.0 or /beta"
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

    A full URL must be ``https`` on a Graph host with a ``v1.0`` or ``beta``
    version; a bare path may carry the version or not. No query or fragment.
    """
    if path.endswith(_SUFFIX):
        for prefix in _CANONICAL:
            if path.startswith(prefix):
                call_id = path[len(prefix) : -len(_SUFFIX)]
                if call_id and not ("/" in call_id or "?" in call_id or "#" in call_id):
                    return PathVerdict(call_id)
    rest = path
    if "://" in path:
        parts = urlsplit(path)
        if parts.scheme.lower() != "https":
            return _invalid(f"{path!r} is not an https URL; {_EXPECTED}")
        if (parts.hostname or "") not in _HOSTS or parts.port is not None or parts.username:
            return _invalid(f"{parts.netloc!r} is not a Microsoft Graph host; {_EXPECTED}")
        if not _VERSION.match(parts.path):
            return _invalid(f"{path!r} names no API version (v1.0 or beta); {_EXPECTED}")
        if parts.query or parts.fragment or path.endswith(("?", "#")):
            return _invalid(f"{path!r} has a query or fragment; {_EXPECTED}")
        rest = parts.path
    version = _VERSION.match(rest)
    if version:
        rest = rest[version.end() :]
    current = _CURRENT.fullmatch(rest)
    if current:
        return PathVerdict(current["id"])
    legacy = _LEGACY.fullmatch(rest)
    if legacy:
        warning = Problem(
            PATH_POINTER,
            "deprecated-path",
            "the /app path is deprecated; use /communications/calls/{id}/transfer",
        )
        return PathVerdict(legacy["id"], warnings=(warning,))
    return _invalid(f"{path!r} is not a call transfer path; {_EXPECTED}")
