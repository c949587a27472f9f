"""Decoding a webhook body: the size bound, the JSON parse, and Python objects handed in."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from callstate.errors import ParseError, UsageError
from callstate.graph._foreign import foreign_json
from callstate.graph.wire import TIMED_BODY, check_depth, describe
from callstate.verdict._notice import MAX_BODY_BYTES
from callstate.verdict._time import read_at
from callstate.verdict.finding import Finding, Violation

__all__ = [
    "dumpable",
    "json_error",
    "malformed",
    "open_line",
    "oversize",
    "plain_json",
    "too_deep",
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


def too_deep(body: object, line: int, out: list[Finding]) -> bool:
    """Whether ``body`` nests arrays or objects past what Graph JSON may, reported if so."""
    try:
        check_depth(body)
    except ParseError as exc:
        out.append(malformed(line, None, f"{exc.pointer}: {exc.message}"))
        return True
    return False


def dumpable(body: object) -> bool:
    """Whether a decoded body is JSON orjson can write: the cheap test before walking it for
    its depth, since orjson refuses nesting past what Graph JSON may hold."""
    try:
        orjson.dumps(body)
    except orjson.JSONEncodeError:
        return False
    return True


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
