"""The one reader of Graph's wire values: lenient about forms, exact about what is wrong.

Every part of callstate that reads raw Graph JSON (the codec, the tracker, the
transfer-request rules, the strategies and the test kit) reads its scalars and
URLs here, so they cannot disagree. Each failure is a
:class:`~callstate.errors.ParseError` carrying the JSON pointer, and every
message describes a bad value in bounded JSON words (never a ``repr`` of it, which
could be huge or nested beyond the recursion limit). The calls-URL grammar lives in
``_calls_url`` and the message words in ``_words``; both are read through here.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Final

from callstate.errors import ParseError
from callstate.graph._calls_url import (
    GRAPH_HOSTS,
    ID_WORDS,
    MAX_ID,
    REQUEST_ACTIONS,
    URL_KEYS,
    CallPath,
    CallPathError,
    RequestPath,
    ResourceKind,
    ResourceRef,
    is_id,
    parse_call_path,
    parse_request_path,
    parse_resource_url,
    plain_call_id,
    plain_request_path,
    read_resource,
)
from callstate.graph._words import describe, describe_argument, json_type, quote, read_string

__all__ = [
    "CHANGE_TYPES",
    "GRAPH_HOSTS",
    "IDENTITY_PARTIES",
    "ID_WORDS",
    "MAX_DEPTH",
    "MAX_ID",
    "OPERATION_STATUSES",
    "REQUEST_ACTIONS",
    "RESULT_SUBCODE_KEYS",
    "TIMED_BODY",
    "URL_KEYS",
    "CallPath",
    "CallPathError",
    "RequestPath",
    "ResourceKind",
    "ResourceRef",
    "check_depth",
    "describe",
    "describe_argument",
    "is_id",
    "json_type",
    "parse_call_path",
    "parse_request_path",
    "parse_resource_url",
    "plain_call_id",
    "plain_request_path",
    "quote",
    "read_change_type",
    "read_int",
    "read_progress_word",
    "read_resource",
    "read_result",
    "read_string",
    "untimed",
]

#: The deepest nesting of arrays and objects read. Graph's bodies are a few levels
#: deep; this is as deep as orjson writes back, and well under Python's recursion
#: limit, so whatever is read can also be compared, printed and written.
MAX_DEPTH: Final = 254
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
_CHANGE_WORDS: Final = ", ".join(CHANGE_TYPES.values())
#: The spellings of ``resultInfo.subcode``: the reference's, then the transfer page's.
RESULT_SUBCODE_KEYS: Final = ("subcode", "subCode")
#: The kinds of party an ``identitySet`` can name, as Graph spells them. The
#: ``IdentitySet`` model is checked against this list when it is built, so the rules
#: read it without importing the models.
IDENTITY_PARTIES: Final = ("user", "application", "applicationInstance", "phone", "guest", "device")


def check_depth(value: object, pointer: str = "", *, limit: int = MAX_DEPTH) -> None:
    """``ParseError`` at the first array or object nested more than ``limit`` deep.

    Iterative, so a Python value nested past the recursion limit (or one that
    contains itself) is reported, not a ``RecursionError``.
    """
    if not isinstance(value, Mapping | list | tuple):
        return
    keys: list[str] = []
    stack = [_members(value)]
    while stack:
        for key, child in stack[-1]:
            if type(child) in _SCALARS or not isinstance(child, Mapping | list | tuple):
                continue
            if len(stack) >= limit:
                raise _too_deep(pointer, [*keys, key], limit)
            keys.append(key)
            stack.append(_members(child))
            break
        else:
            stack.pop()
            if keys:
                keys.pop()


_SCALARS: Final = frozenset({str, int, float, bool, type(None)})
#: A too-deep value is located by at most this many leading segments of short keys:
#: the member that holds it, without a pointer as long as the nesting.
_SHOWN_SEGMENTS: Final = 8
_SHOWN_KEY: Final = 64


def _too_deep(pointer: str, keys: list[str], limit: int) -> ParseError:
    shown = []
    for key in keys[:_SHOWN_SEGMENTS]:
        if len(key) > _SHOWN_KEY:
            break
        shown.append(f"/{key}")
    below = "" if len(shown) == len(keys) else " below here"
    return ParseError(f"nested more than {limit} deep{below}", pointer=pointer + "".join(shown))


def _members(
    container: Mapping[object, object] | list[object] | tuple[object, ...],
) -> Iterator[tuple[str, object]]:
    if isinstance(container, Mapping):
        for key, child in container.items():
            yield str(key).replace("~", "~0").replace("/", "~1"), child
    else:
        for i, child in enumerate(container):
            yield str(i), child


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
    if type(info) is not dict and not isinstance(info, Mapping):
        raise ParseError(f"expected a resultInfo object, got {describe(info)}", pointer=pointer)
    # An int in range is taken as it is; anything else is read_int's, with its pointer
    # (built only then: most codes arrive as plain ints).
    code = info.get("code")
    if code is not None and (type(code) is not int or not _INT_MIN <= code <= _INT_MAX):
        code = read_int(code, f"{pointer}/code")
    key, alias = RESULT_SUBCODE_KEYS
    subcode = info.get(key)
    other = info.get(alias)
    if subcode is not None:
        if type(subcode) is not int or not _INT_MIN <= subcode <= _INT_MAX:
            subcode = read_int(subcode, f"{pointer}/{key}")
        if other is not None and read_int(other, f"{pointer}/{alias}") != subcode:
            raise ParseError(
                f"{key} {subcode} and {alias} {read_int(other, '')} disagree",
                pointer=f"{pointer}/{alias}",
            )
    elif other is not None:
        subcode = read_int(other, f"{pointer}/{alias}")
    return code, subcode


def read_progress_word(info: object) -> tuple[str, str] | None:
    """``(key, word)`` of a ``resultInfo`` whose subcode is a word, not a number: the 2019
    beta's transfer progress on an operation (``"subcode": "transferring"``), else ``None``."""
    if type(info) is not dict and (info is None or not isinstance(info, Mapping)):
        return None  # (the ABC's check costs a call: most are a dict, or none)
    for key in RESULT_SUBCODE_KEYS:
        word = info.get(key)
        if type(word) is str and word.strip() and not word.strip().lstrip("+-").isdigit():
            return key, word
    return None


def read_change_type(value: object, pointer: str) -> str:
    """``created``, ``updated`` or ``deleted``, from any letter case."""
    if type(value) is str:
        found = CHANGE_TYPES.get(value) or CHANGE_TYPES.get(value.lower())
        if found is not None:
            return found
        raise ParseError(
            f"unknown changeType {quote(value, limit=40)}; expected one of {_CHANGE_WORDS}",
            pointer=pointer,
        )
    raise ParseError(f"expected a changeType string, got {describe(value)}", pointer=pointer)


#: The key of a timed notification line's webhook body: ``{"at": ..., "body": {...}}``.
TIMED_BODY: Final = "body"


def untimed(line: Mapping[str, object]) -> object:
    """What a well-formed trace line carries with its time taken off: a webhook body or a
    request record (a timed request keeps ``at`` beside ``request``, harmlessly)."""
    if "at" in line and "request" not in line:
        return line.get(TIMED_BODY)
    return line
