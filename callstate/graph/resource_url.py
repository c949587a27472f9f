"""Resource URLs of call notifications: which call, and which of its parts.

Kept apart from the resource classes so the validator's hot path imports only this.
"""

from __future__ import annotations

from typing import Literal, TypeAlias

import attrs

from callstate.errors import ParseError

__all__ = ["ResourceKind", "ResourceRef", "parse_resource_url"]

ResourceKind: TypeAlias = Literal["call", "operation", "participants"]


@attrs.frozen
class ResourceRef:
    """What a resource URL names: a call, one of its operations, or its participants.

    ``sub_id`` is the operation id or participant id (None for the whole roster);
    ``legacy`` marks the deprecated ``/app/calls/...`` form.
    """

    call_id: str
    kind: ResourceKind
    sub_id: str | None = None
    legacy: bool = False


_CALLS = "/communications/calls/"
_LEGACY_CALLS = "/app/calls/"
_HOST = "https://graph.microsoft.com/"
_VERSIONS = ("v1.0/", "beta/")


def parse_resource_url(url: object, *, pointer: str = "/resourceUrl") -> ResourceRef:
    """Read a call resource URL into a :class:`ResourceRef`.

    Accepts ``/communications/calls/{id}``, ``.../operations/{opId}``,
    ``.../participants`` and ``.../participants/{pid}``; also the legacy
    ``/app/calls/...`` form and absolute ``https://graph.microsoft.com/{v1.0|beta}/...``
    URLs. Anything else raises
    :class:`~callstate.errors.ParseError` at ``pointer``. Plain string operations
    and a bounded cache of recent URLs: this runs once per notification.
    """
    if type(url) is not str:
        raise ParseError(
            f"expected a resource URL string, got {type(url).__name__} {url!r}", pointer=pointer
        )
    ref = _SEEN.get(url)
    if ref is None:
        ref = _read_url(url, pointer)
        if len(_SEEN) >= _SEEN_MAX:
            _SEEN.clear()
        _SEEN[url] = ref
    return ref


#: Recently read URLs: a call's notifications repeat its URL, and refs are immutable.
_SEEN: dict[str, ResourceRef] = {}
_SEEN_MAX = 8192


def _read_url(url: str, pointer: str) -> ResourceRef:
    path = url
    if path.startswith(_HOST):
        version = path[len(_HOST) : path.find("/", len(_HOST)) + 1]
        if version not in _VERSIONS:
            raise _bad_url(url, pointer, "expected graph.microsoft.com/v1.0 or /beta")
        path = path[len(_HOST) + len(version) - 1 :]
    if path.startswith(_CALLS):
        rest = path[len(_CALLS) :]
        legacy = False
    elif path.startswith(_LEGACY_CALLS):
        rest = path[len(_LEGACY_CALLS) :]
        legacy = True
    else:
        raise _bad_url(url, pointer, "expected /communications/calls/{id}...")
    parts = rest.split("/")
    call_id = parts[0]
    if call_id:
        count = len(parts)
        if count == 1:
            return ResourceRef(call_id, "call", None, legacy)
        segment = parts[1]
        if segment == "operations" and count == 3 and parts[2]:
            return ResourceRef(call_id, "operation", parts[2], legacy)
        if segment == "participants":
            if count == 2:
                return ResourceRef(call_id, "participants", None, legacy)
            if count == 3 and parts[2]:
                return ResourceRef(call_id, "participants", parts[2], legacy)
    raise _bad_url(
        url, pointer, "expected a call, /operations/{opId}, /participants or /participants/{id}"
    )


def _bad_url(url: str, pointer: str, expected: str) -> ParseError:
    return ParseError(f"unrecognised resource URL {url!r}; {expected}", pointer=pointer)
