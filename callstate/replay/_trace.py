"""Reading a trace for replay: one line at a time, each held to a size bound."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO, Final

import attrs
import orjson

from callstate.errors import UsageError

__all__ = ["LINE_CAP", "Line", "is_request_record", "lines", "webhook_body"]

#: The longest line replay sends. Well above the 1 MiB a notification may be, so the
#: bot's own size limit can be tested, yet a bound on what one line may hold in memory.
LINE_CAP: Final = 4 << 20
_SKIP_CHUNK: Final = 1 << 16


@attrs.frozen
class Line:
    """One non-blank line: its body, or only its size when it is over :data:`LINE_CAP`."""

    number: int
    body: bytes | None
    size: int


def lines(stream: IO[bytes], *, cap: int = LINE_CAP) -> Iterator[Line]:
    """Each non-blank line without its line ending; an over-long one is skipped unread."""
    number = 0
    while True:
        raw = _read(stream, cap + 2, number)  # room for the body and its \r\n
        if not raw:
            return
        number += 1
        if raw.endswith(b"\n") or len(raw) < cap + 2:
            body = raw.removesuffix(b"\n").removesuffix(b"\r")
            if len(body) > cap:
                yield Line(number, None, len(body))
            elif body.strip():
                yield Line(number, body, len(body))
            continue
        size, tail = len(raw), raw[-2:]
        while not tail.endswith(b"\n"):
            more = _read(stream, _SKIP_CHUNK, number)
            if not more:
                break
            size += len(more)
            tail = (tail + more)[-2:]
        if tail.endswith(b"\n"):
            size -= 2 if tail == b"\r\n" else 1
        yield Line(number, None, size)


def _read(stream: IO[bytes], limit: int, number: int) -> bytes:
    try:
        raw = stream.readline(limit)
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise UsageError("trace", f"cannot read the trace after line {number}: {reason}") from None
    if not isinstance(raw, bytes):
        raise UsageError("trace", "expected a binary stream (open the file with 'rb')")
    return raw


def is_request_record(body: bytes) -> bool:
    """Whether a line is the bot's own request to Graph (``{"request": ...}``), not a webhook.

    orjson reads it; what orjson refuses but the standard library reads (integers over
    64 bits, NaN) is read again by the standard library, so such a record is still
    skipped. A line neither can read (nested too deep, say) is sent as it is.
    """
    if b'"request"' not in body:
        return False
    try:
        obj = orjson.loads(body)
    except orjson.JSONDecodeError:
        try:
            obj = json.loads(body)
        except (ValueError, RecursionError):
            return False
    return isinstance(obj, dict) and "request" in obj and "value" not in obj


def webhook_body(body: bytes) -> bytes:
    """What to POST for a line: a timed notification's ``body`` (``{"at", "body"}``), else
    the line itself, byte for byte. Timed traces (``callstate emulate --record``) resend so."""
    if b'"at"' not in body or b'"body"' not in body:
        return body
    try:
        obj = orjson.loads(body)
    except orjson.JSONDecodeError:
        return body
    if isinstance(obj, dict) and "at" in obj and isinstance(obj.get("body"), dict):
        return orjson.dumps(obj["body"])
    return body
