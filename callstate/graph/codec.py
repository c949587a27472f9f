"""Graph JSON in and out: lenient reading with located errors, faithful writing.

Reading accepts what real payloads send (``subCode``, digit-string integers, enum
values in any case, unknown enum values, legacy ``resource`` URLs, ``resourceData``
as object or array) and raises :class:`~callstate.errors.ParseError` with the JSON
pointer of the bad field for anything else. Writing gives Graph JSON back in the
form it was read, so ``dump(parse(cls, x)) == x``. Every scalar and URL is read by
:mod:`callstate.graph.wire`, the reader the tracker and the transfer rules share,
so the codec accepts exactly what they accept.

The codec is driven by each attrs class's attribute names and types (with
:class:`~callstate.graph._schema.Json` annotations for the exceptions), compiled
once per class into a plan (``_plans``; the classes read by more than their slots
are in ``_resource_readers``). cattrs was the first candidate, but every hook would
have needed wrapping to carry aliases, remembered spellings and pointer-located
errors of our own; a plan of small readers and writers does that directly and
never lets a foreign exception escape.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, TypeVar

import orjson

from callstate.errors import ParseError, UsageError
from callstate.graph._plans import is_planned, plan, read_object, write_object
from callstate.graph._resource_readers import read_notification
from callstate.graph.notification import CommsNotification, CommsNotifications
from callstate.graph.wire import URL_KEYS, check_depth, describe

__all__ = ["dump", "dumps", "parse", "parse_notifications"]

T = TypeVar("T")

#: The keys that make a bare object a notification rather than an envelope.
_NOTIFICATION_KEYS: Final = ("changeType", *URL_KEYS)


def _loads(data: Any, pointer: str) -> Any:
    """JSON text parsed, or a Python value as it is; either way no deeper than wire allows."""
    if isinstance(data, str | bytes | bytearray | memoryview):
        try:
            data = orjson.loads(data)
        except orjson.JSONDecodeError as error:
            raise ParseError(
                f"not valid JSON: {error.msg}", pointer=pointer, line=error.lineno
            ) from None
    check_depth(data, pointer)
    return data


def parse(cls: type[T], data: Mapping[str, Any] | str | bytes, *, pointer: str = "") -> T:
    """Read Graph JSON (a mapping, or JSON text) into resource class ``cls``.

    ``pointer`` prefixes the JSON pointer of any error, for a body nested in a
    larger document. Raises :class:`~callstate.errors.ParseError` naming the bad
    field's pointer (also for values nested more than
    :data:`~callstate.graph.wire.MAX_DEPTH` deep), and
    :class:`~callstate.errors.UsageError` if ``cls`` is not a Graph resource class.
    """
    if not (isinstance(cls, type) and is_planned(cls)):
        raise UsageError("cls", f"{cls!r} is not a callstate.graph resource class")
    result: T = read_object(plan(cls), _loads(data, pointer), pointer)
    return result


def parse_notifications(body: Mapping[str, Any] | list[Any] | str | bytes) -> CommsNotifications:
    """Read a webhook body: a ``{"value": [...]}`` envelope, one bare notification, or an array.

    A bare notification or array is wrapped in a :class:`CommsNotifications`, so
    writing it back gives the envelope; pointers refer to the body as sent.
    """
    data = _loads(body, "")
    if isinstance(data, Mapping) and "value" in data:
        return parse(CommsNotifications, data)
    notification_plan = plan(CommsNotification)
    if isinstance(data, Mapping) and any(key in data for key in _NOTIFICATION_KEYS):
        return CommsNotifications([read_notification(notification_plan, data, "")])
    if type(data) is list:
        return CommsNotifications(
            [read_notification(notification_plan, n, f"/{i}") for i, n in enumerate(data)]
        )
    raise ParseError(
        'expected a commsNotifications envelope ({"value": [...]}) or a commsNotification, '
        f"got {describe(data)}",
        pointer="",
    )


def dump(obj: Any) -> dict[str, Any]:
    """Write a resource as Graph JSON: camelCase keys, ``@odata.type``, unknown members.

    None attributes are omitted (unless the input had an explicit ``null``); keys,
    integers and enum values come back in the spelling they were read in.
    """
    if not is_planned(type(obj)):
        raise UsageError("obj", f"{type(obj).__name__} is not a callstate.graph resource")
    return write_object(obj)


def dumps(obj: Any) -> bytes:
    """:func:`dump` serialised with orjson."""
    try:
        return orjson.dumps(dump(obj))
    except orjson.JSONEncodeError as error:
        raise UsageError("obj", f"cannot be written as JSON: {error}") from None
