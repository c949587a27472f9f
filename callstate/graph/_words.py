"""How wire values are named in messages: JSON words, bounded, never a ``repr``.

A message about a bad value must stay short whatever the value is: a 1 MiB string,
a 5,000-digit number, an array nested past the recursion limit. These give the
words every reader of Graph JSON (and every transfer-request rule) uses.
"""

from __future__ import annotations

from collections.abc import Mapping

from callstate.errors import ParseError

__all__ = ["describe", "describe_argument", "json_type", "quote", "read_string"]


def json_type(value: object) -> str:
    """The JSON word for a value's type: ``null``, ``a string``, ``an object``...

    A value that is no JSON type at all (a Python ``set``, say) is ``a Python set``; so is
    a ``tuple``, which no reader takes for an array: "expected an array, got an array"
    would say nothing.
    """
    if value is None:
        return "null"
    kind = type(value)
    if kind is bool:
        return "a boolean"
    if kind is str:
        return "a string"
    if kind is int or kind is float:
        return "a number"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, Mapping):
        return "an object"
    return f"a Python {kind.__name__}"


def describe(value: object) -> str:
    """A bounded description of a JSON value, in JSON words: ``null``, ``an array of 2 items``...

    Never a ``repr`` of a container: it may be huge, or nested past the recursion limit.
    """
    if type(value) is bool:
        return f"the boolean {'true' if value else 'false'}"
    if type(value) is str:
        return f"the string {quote(value, limit=40)}" if value else "an empty string"
    if type(value) is int:
        if -(10**15) < value < 10**15:
            return f"the number {value}"
        return f"a number of about {value.bit_length() * 30103 // 100000 + 1} digits"
    if type(value) is float:
        return f"the number {value!r}"
    if isinstance(value, list):
        return f"an array of {len(value)} items"
    if isinstance(value, Mapping):
        return f"an object with {len(value)} members"
    return json_type(value)


def describe_argument(value: object) -> str:
    """:func:`describe` for an argument of a Python call, where ``None``, ``True`` and
    ``False`` are what the caller wrote, not ``null``, ``true`` and ``false``."""
    if value is None or type(value) is bool:
        return repr(value)
    return describe(value)


def quote(text: str, *, limit: int = 120) -> str:
    """``text`` quoted for a message, cut to about ``limit`` characters: never unbounded."""
    return repr(text if len(text) <= limit else text[: limit - 3] + "...")


def read_string(value: object, pointer: str) -> str:
    """A string; ``ParseError`` at ``pointer`` for anything else."""
    if type(value) is not str:
        raise ParseError(f"expected a string, got {describe(value)}", pointer=pointer)
    return value
