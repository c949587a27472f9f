"""Reading a raw notification's values: lenient about forms, exact about what is wrong.

The tracker's full path reads JSON dicts through these; each failure is a
:class:`Malformed` carrying the JSON pointer (relative to the notification).
"""

from __future__ import annotations

import zlib
from typing import Any, Final

import orjson

from callstate.errors import CallstateError

__all__ = [
    "MAX_BODY_BYTES",
    "Malformed",
    "check_operation",
    "check_participants",
    "fingerprint",
    "oversize",
    "read_result",
]

#: Bodies larger than this are reported as malformed, not parsed.
MAX_BODY_BYTES: Final = 1 << 20

_OPERATION_STATUSES: Final = {
    s.lower(): s for s in ("notStarted", "running", "completed", "failed", "unknownFutureValue")
}


class Malformed(CallstateError):
    """A notification's shape is wrong: reported as rule ``malformed`` at ``pointer``."""

    def __init__(self, pointer: str, message: str) -> None:
        self.pointer = pointer
        self.message = message
        super().__init__(f"{pointer or '/'}: {message}")


def fingerprint(notification: object) -> int:
    """CRC-32 and length of the canonical JSON: stable across processes, unlike ``hash``,
    so a snapshot restored by another instance still recognises a retry."""
    try:
        data = orjson.dumps(notification, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError as exc:
        raise Malformed("", f"cannot be compared with the previous notification: {exc}") from None
    return zlib.crc32(data) | len(data) << 32


def oversize(text: bytes | str | bytearray | memoryview) -> bool:
    """Longer than 1 MiB, not counting trailing whitespace such as the line's own newline."""
    tail = text[MAX_BODY_BYTES:]
    return bool((bytes(tail) if type(tail) is memoryview else tail).strip())


def _at(many: bool, index: int) -> str:
    """The pointer of a sub-resource's ``resourceData`` item, built only when needed."""
    return f"/resourceData/{index}" if many else "/resourceData"


def _as_int(value: object, at: str, key: str) -> int | None:
    if value is None:
        return None
    if type(value) is int:
        return value
    if type(value) is str and value.isdigit() and value.isascii():
        return int(value)
    raise Malformed(f"{at}/{key}", f"expected an integer or a digit string, got {value!r}")


def check_operation(data: object) -> None:
    """A commsOperation (or an array of them): objects with a known status and a resultInfo."""
    if data is None:
        return
    many = type(data) is list
    items: list[Any] = data if type(data) is list else [data]
    for i, op in enumerate(items):
        if type(op) is not dict:
            raise Malformed(_at(many, i), "expected a commsOperation object")
        status = op.get("status")
        if status is not None and (
            type(status) is not str or status.lower() not in _OPERATION_STATUSES
        ):
            raise Malformed(
                f"{_at(many, i)}/status",
                f"expected notStarted, running, completed or failed, got {status!r}",
            )
        info = op.get("resultInfo")
        if info is not None:
            read_result(info, f"{_at(many, i)}/resultInfo")


def check_participants(data: object) -> None:
    """The roster: an array of participant objects (a lone object is read as one)."""
    items = data if type(data) is list else [data]
    for i, participant in enumerate(items):
        if type(participant) is not dict:
            raise Malformed(f"/resourceData/{i}", "expected a participant object")


def read_result(info: object, at: str) -> tuple[int | None, int | None]:
    """``(code, subcode)`` of a resultInfo, in either subcode spelling, digits as integers."""
    if info is None:
        return None, None
    if type(info) is not dict:
        raise Malformed(at, "expected a resultInfo object")
    subcode = info.get("subcode")
    key = "subcode"
    if subcode is None:
        key = "subCode"
        subcode = info.get(key)
    return _as_int(info.get("code"), at, "code"), _as_int(subcode, at, key)
