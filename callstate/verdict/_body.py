"""Decoding a webhook body: the size bound, the JSON parse, and Python objects handed in."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

import orjson

from callstate.errors import ParseError, UsageError
from callstate.graph._foreign import foreign_json
from callstate.graph.wire import MAX_DEPTH, TIMED_BODY, check_depth, describe
from callstate.verdict._notice import MAX_BODY_BYTES
from callstate.verdict._time import read_at
from callstate.verdict.finding import Finding, Violation

__all__ = [
    "DEEP_BYTES",
    "decode_text",
    "json_error",
    "malformed",
    "may_nest_deep",
    "open_line",
    "oversize",
    "plain_json",
    "skip_long_line",
    "too_deep",
    "unread",
]


def oversize(body: bytes | str | bytearray | memoryview) -> int:
    """The size in bytes of a body over 1 MiB (trailing white space aside), else 0."""
    if type(body) is str:
        if len(body) <= MAX_BODY_BYTES // 4:
            return 0
        data: bytes | bytearray | memoryview = body.encode("utf-8", "surrogatepass")
    else:
        data = body  # type: ignore[assignment]
    size = len(data)
    if size <= MAX_BODY_BYTES or len(bytes(data).rstrip()) <= MAX_BODY_BYTES:
        return 0
    return size


def json_error(text: Any) -> str:
    """orjson's complaint about ``text``, told the same with or without its line's end."""
    try:
        orjson.loads(text.rstrip() if type(text) is not memoryview else bytes(text).rstrip())
    except orjson.JSONDecodeError as exc:
        return str(exc)
    return "not valid JSON"


def plain_json(body: object) -> object:
    """A decoded body as plain JSON data: callstate's own resources are dumped; other JSON
    values pass (and are reported); any other object is a :class:`UsageError`."""
    if hasattr(type(body), "__attrs_attrs__") and type(body).__module__.startswith("callstate."):
        from callstate.graph import dump

        return dump(body)
    if body is None or isinstance(body, list | int | float | str):
        return body
    if isinstance(body, Mapping):
        return dict(body)
    found = foreign_json(body)
    if found is not None:
        return found
    raise UsageError(
        "body",
        f"expected bytes, str or decoded JSON (a dict), got a {type(body).__module__}."
        f"{type(body).__qualname__}",
    )


def malformed(line: int, call_id: str | None, message: str) -> Violation:
    return Violation(line=line, call_id=call_id, rule="malformed", message=message)


def skip_long_line(readline: Callable[[int], bytes], start: bytes, line: int) -> Violation:
    """Read past the rest of a line that began with ``start`` and is over 1 MiB, a bounded
    piece at a time (it is never held whole); its ``malformed`` finding."""
    size = len(start)
    while (rest := readline(1 << 16)) and not rest.endswith(b"\n"):
        size += len(rest)
    return malformed(line, None, f"line over 1 MiB ({size + len(rest)} bytes)")


#: A body nesting past MAX_DEPTH opens and closes that many brackets: a shorter one
#: cannot, and skips counting them (most lines of a trace are shorter).
DEEP_BYTES: Final = 2 * (MAX_DEPTH + 1)


def may_nest_deep(text: bytes | str | bytearray | memoryview) -> bool:
    """Whether a body's text holds brackets enough to nest past MAX_DEPTH: the cheap test
    before walking the decoded body."""
    if len(text) < DEEP_BYTES:
        return False
    if isinstance(text, str):
        return text.count("[") + text.count("{") > MAX_DEPTH
    data = bytes(text) if isinstance(text, memoryview) else text
    return data.count(b"[") + data.count(b"{") > MAX_DEPTH


#: No body this long (in characters or bytes) can be over 1 MiB in UTF-8.
_SHORT: Final = MAX_BODY_BYTES // 4


def decode_text(
    text: bytes | str | bytearray | memoryview, where: int, out: list[Finding]
) -> tuple[bool, Any]:
    """``(True, body)`` decoded from ``text``; ``(False, None)``, its finding in ``out``,
    when it is over 1 MiB, not JSON, or nested too deep."""
    size = oversize(text) if len(text) > _SHORT else 0
    if size:
        out.append(malformed(where, None, f"body over 1 MiB ({size} bytes)"))
        return False, None
    try:
        body = orjson.loads(text)
    except orjson.JSONDecodeError:
        out.append(malformed(where, None, f"not valid JSON: {json_error(text)}"))
        return False, None
    if len(text) >= DEEP_BYTES and may_nest_deep(text) and too_deep(body, where, out):
        return False, None
    return True, body


def too_deep(body: object, line: int, out: list[Finding]) -> bool:
    """Whether ``body`` nests arrays or objects past what Graph JSON may, reported if so."""
    try:
        check_depth(body)
    except ParseError as exc:
        out.append(malformed(line, None, f"{exc.pointer}: {exc.message}"))
        return True
    return False


def unread(exc: ParseError, line: int, index: int | None, out: list[Finding]) -> None:
    """Report a notification that could not be read: ``index``-th of its envelope
    (``None``: a bare one), located by the error's pointer within it."""
    within = "" if index is None else f"/value/{index}"
    out.append(malformed(line, exc.call_id, f"{within}{exc.pointer}: {exc.message}"))


def open_line(
    line: object, where: int, out: list[Finding]
) -> tuple[dict[str, Any], float | None] | None:
    """A trace line's content and its time: a timed notification line
    (``{"at", "body"}``) is unwrapped, a timed request keeps its ``at``; ``None``
    (with the finding in ``out``) when the line is no JSON object or its time is bad."""
    if type(line) is not dict:
        out.append(malformed(where, None, f"expected a JSON object, got {describe(line)}"))
        return None
    if "at" not in line:
        return line, None
    try:
        at = read_at(line["at"], "/at")
    except ParseError as exc:
        out.append(malformed(where, None, f"{exc.pointer}: {exc.message}"))
        return None
    if "request" in line:
        return line, at
    if TIMED_BODY not in line:
        out.append(malformed(where, None, "a timed line needs a body or a request"))
        return None
    body = line[TIMED_BODY]
    if type(body) is not dict:
        out.append(
            malformed(where, None, f"/{TIMED_BODY}: expected a JSON object, got {describe(body)}")
        )
        return None
    return body, at
