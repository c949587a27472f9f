"""The one reader of Graph's wire values: lenient about forms, exact about what is wrong.

Every part of callstate that reads raw Graph JSON (the codec, the tracker, the
transfer-request rules, the strategies and the test kit) reads its scalars and
URLs here, so they cannot disagree. Each failure is a
:class:`~callstate.errors.ParseError` carrying the JSON pointer, and every
message describes a bad value in bounded JSON words (never a ``repr`` of it, which
could be huge or nested beyond the recursion limit).
"""

from __future__ import annotations

from typing import Final, Literal, TypeAlias

import attrs

from callstate.errors import ParseError

__all__ = [
    "CHANGE_TYPES",
    "GRAPH_HOSTS",
    "MAX_ID",
    "OPERATION_STATUSES",
    "RESULT_SUBCODE_KEYS",
    "URL_KEYS",
    "CallPath",
    "ResourceKind",
    "ResourceRef",
    "describe",
    "parse_call_path",
    "parse_resource_url",
    "read_change_type",
    "read_int",
    "read_result",
    "read_string",
]

#: Graph ids are GUIDs; a longer call or operation id is not one Graph sends.
MAX_ID: Final = 256
#: Graph integers are 32 or 64 bits: longer digit strings are not integers it sends.
_MAX_DIGITS: Final = 20
_INT_MIN: Final = -(1 << 63)
_INT_MAX: Final = (1 << 64) - 1
#: ``changeType`` in any case -> Graph's spelling.
CHANGE_TYPES: Final = {"created": "created", "updated": "updated", "deleted": "deleted"}
#: ``commsOperation.status`` in lower case -> Graph's spelling.
OPERATION_STATUSES: Final = {
    s.lower(): s for s in ("notStarted", "running", "completed", "failed", "unknownFutureValue")
}
#: The spellings of ``resultInfo.subcode``: the reference's, then the transfer page's.
RESULT_SUBCODE_KEYS: Final = ("subcode", "subCode")
#: Where a notification names its resource: ``resourceUrl``, or the older ``resource``.
URL_KEYS: Final = ("resourceUrl", "resource")
#: Microsoft Graph's public and national-cloud hosts.
GRAPH_HOSTS: Final = frozenset(
    {
        "graph.microsoft.com",
        "graph.microsoft.us",
        "dod-graph.microsoft.us",
        "microsoftgraph.chinacloudapi.cn",
    }
)
_VERSIONS: Final = ("v1.0", "beta")


def describe(value: object) -> str:
    """A bounded description of a JSON value, in JSON words: ``null``, ``an array``..."""
    if value is None:
        return "null"
    if value is True or value is False:
        return f"the boolean {'true' if value else 'false'}"
    if type(value) is str:
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the string {shown!r}" if value else "an empty string"
    if type(value) is int:
        if -(10**15) < value < 10**15:
            return f"the number {value}"
        return f"a number of about {value.bit_length() * 30103 // 100000 + 1} digits"
    if type(value) is float:
        return f"the number {value!r}"
    if isinstance(value, list | tuple):
        return f"an array of {len(value)} items"
    if isinstance(value, dict):
        return f"an object with {len(value)} members"
    return f"a Python {type(value).__name__}"


def read_string(value: object, pointer: str) -> str:
    """A string; ``ParseError`` at ``pointer`` for anything else."""
    if type(value) is not str:
        raise ParseError(f"expected a string, got {describe(value)}", pointer=pointer)
    return value


def read_int(value: object, pointer: str) -> int:
    """A 64-bit integer, or a string of at most 20 digits with an optional ``-``."""
    if type(value) is int:
        if _INT_MIN <= value <= _INT_MAX:
            return value
    elif type(value) is str:
        digits = value[1:] if value[:1] == "-" else value
        if 0 < len(digits) <= _MAX_DIGITS and digits.isascii() and digits.isdigit():
            number = int(value)
            if _INT_MIN <= number <= _INT_MAX:
                return number
    raise ParseError(
        f"expected a 64-bit integer or a string of digits, got {describe(value)}", pointer=pointer
    )


def read_result(info: object, pointer: str) -> tuple[int | None, int | None]:
    """``(code, subcode)`` of a ``resultInfo``, in either subcode spelling; ``None`` if absent.

    When both spellings are present they must agree.
    """
    if info is None:
        return None, None
    if type(info) is not dict:
        raise ParseError(f"expected a resultInfo object, got {describe(info)}", pointer=pointer)
    code = info.get("code")
    if code is not None:
        code = read_int(code, f"{pointer}/code")
    subcode = info.get("subcode")
    other = info.get("subCode")
    if subcode is not None:
        subcode = read_int(subcode, f"{pointer}/subcode")
        if other is not None and read_int(other, f"{pointer}/subCode") != subcode:
            raise ParseError("subcode and subCode disagree", pointer=f"{pointer}/subCode")
    elif other is not None:
        subcode = read_int(other, f"{pointer}/subCode")
    return code, subcode


def read_change_type(value: object, pointer: str) -> str:
    """``created``, ``updated`` or ``deleted``, from any letter case."""
    if type(value) is str:
        found = CHANGE_TYPES.get(value) or CHANGE_TYPES.get(value.lower())
        if found is not None:
            return found
        raise ParseError(
            f"unknown changeType {describe(value)[11:]} (created, updated or deleted)",
            pointer=pointer,
        )
    raise ParseError(f"expected a changeType string, got {describe(value)}", pointer=pointer)


# -- URLs ------------------------------------------------------------------------------


@attrs.frozen
class CallPath:
    """A Graph calls URL or path, read: the call it names and the segments after it.

    ``call_id`` is ``None`` for the collection itself (``POST /communications/calls``);
    ``rest`` holds the segments after the id as sent; ``legacy`` marks ``/app/calls``.
    """

    call_id: str | None
    rest: tuple[str, ...] = ()
    legacy: bool = False


_EXPECTED_PATH: Final = "expected /communications/calls/{id}..."


def parse_call_path(url: object, pointer: str) -> CallPath:
    """Read any Graph calls URL or path: notification resources and request paths alike.

    A full URL must be ``https`` on a Graph host (no port, user or query) with a
    ``v1.0`` or ``beta`` version, in any letter case; a bare path may carry the
    version or not. Fixed segments match in any case; ids are kept as sent and must
    be at most :data:`MAX_ID` characters.
    """
    text = read_string(url, pointer)
    path = text
    if "://" in text:
        scheme, _, rest = text.partition("://")
        host, slash, path = rest.partition("/")
        if scheme.lower() != "https":
            raise _bad(text, pointer, "not an https URL")
        if host.lower() not in GRAPH_HOSTS:
            raise _bad(text, pointer, "not a Microsoft Graph host")
        path = slash + path
        if path[1:].partition("/")[0].lower() not in _VERSIONS:
            raise _bad(text, pointer, "no API version (v1.0 or beta)")
    if "?" in path or "#" in path:
        raise _bad(text, pointer, "a query or fragment")
    parts = path.split("/")
    if parts[0] != "":
        raise _bad(text, pointer, "not a path")
    parts = parts[1:]
    if parts and parts[0].lower() in _VERSIONS:
        parts = parts[1:]
    head = [p.lower() for p in parts[:2]]
    if head == ["communications", "calls"]:
        legacy = False
    elif head == ["app", "calls"]:
        legacy = True
    else:
        raise _bad(text, pointer, "not a calls path")
    ids = parts[2:]
    if not ids:
        return CallPath(None, (), legacy)
    call_id = ids[0]
    if not call_id or len(call_id) > MAX_ID or any(not p for p in ids[1:]):
        what = "an empty segment" if len(call_id) <= MAX_ID else f"an id over {MAX_ID} characters"
        raise _bad(text, pointer, what)
    if any(len(p) > MAX_ID for p in ids[1:]):
        raise _bad(text, pointer, f"a segment over {MAX_ID} characters")
    return CallPath(call_id, tuple(ids[1:]), legacy)


def _bad(url: str, pointer: str, why: str) -> ParseError:
    shown = url if len(url) <= 120 else url[:117] + "..."
    return ParseError(
        f"unrecognised resource URL {shown!r} ({why}); {_EXPECTED_PATH}", pointer=pointer
    )


ResourceKind: TypeAlias = Literal["call", "operation", "participants"]


@attrs.frozen
class ResourceRef:
    """What a notification's resource URL names: a call, an operation, or the roster.

    ``sub_id`` is the operation id or participant id (None for the whole roster);
    ``legacy`` marks the deprecated ``/app/calls/...`` form.
    """

    call_id: str
    kind: ResourceKind
    sub_id: str | None = None
    legacy: bool = False


#: Recently read URLs (a call's notifications repeat its URL); short URLs only, so the
#: cache holds at most ``_SEEN_MAX`` entries of at most ``_SEEN_URL`` characters.
_SEEN: dict[str, ResourceRef] = {}
_SEEN_MAX: Final = 4096
_SEEN_URL: Final = 400


def parse_resource_url(url: object, *, pointer: str = "/resourceUrl") -> ResourceRef:
    """Read a notification's resource URL: a call, ``/operations/{id}`` or ``/participants``."""
    if type(url) is str:
        ref = _SEEN.get(url)
        if ref is not None:
            return ref
    path = parse_call_path(url, pointer)
    ref = _resource(path, url, pointer)
    if len(url) <= _SEEN_URL:  # type: ignore[arg-type]  # a str, or parse_call_path raised
        if len(_SEEN) >= _SEEN_MAX:
            _SEEN.clear()
        _SEEN[url] = ref  # type: ignore[index]
    return ref


def _resource(path: CallPath, url: object, pointer: str) -> ResourceRef:
    call_id, rest, legacy = path.call_id, path.rest, path.legacy
    if call_id is not None:
        if not rest:
            return ResourceRef(call_id, "call", None, legacy)
        segment = rest[0].lower()
        if segment == "operations" and len(rest) == 2:
            return ResourceRef(call_id, "operation", rest[1], legacy)
        if segment == "participants" and len(rest) <= 2:
            return ResourceRef(call_id, "participants", rest[1] if len(rest) == 2 else None, legacy)
    raise _bad(
        str(url),
        pointer,
        "expected a call, /operations/{opId}, /participants or /participants/{id}",
    )
