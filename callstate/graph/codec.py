"""Graph JSON in and out: lenient reading with located errors, faithful writing.

Reading accepts what real payloads send (``subCode``, digit-string integers, enum
values in any case, unknown enum values, legacy ``resource`` URLs, ``resourceData``
as object or array) and raises :class:`~callstate.errors.ParseError` with the JSON
pointer of the bad field for anything else. Writing gives Graph JSON back in the
form it was read, so ``dump(parse(cls, x)) == x``.

The codec is driven by each attrs class's attribute names and types (with
:class:`~callstate.graph._schema.Json` annotations for the exceptions), compiled
once per class into a plan. cattrs was the first candidate, but every hook would
have needed wrapping to carry aliases, remembered spellings and pointer-located
errors of our own; a plan of small readers and writers does that directly and
never lets a foreign exception escape.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Mapping
from types import NoneType, UnionType
from typing import Annotated, Any, TypeVar

import attrs
import orjson

from callstate.errors import ParseError, UsageError
from callstate.graph._schema import RUNTIME_KEY, Json, JsonForm, json_key
from callstate.graph.call import Call
from callstate.graph.enums import GraphEnum
from callstate.graph.notification import (
    CommsNotification,
    CommsNotifications,
    ResourceItem,
    ResourceKind,
    ResourceRef,
    parse_resource_url,
)
from callstate.graph.resources import CommsOperation, Participant

__all__ = ["dump", "dumps", "parse", "parse_notifications"]

T = TypeVar("T")

_MISSING: Any = object()
_Reader = Callable[[Any, str], Any]
_Writer = Callable[[Any], Any]


@attrs.frozen
class _Slot:
    """One JSON attribute of a class: where it lives and how to read and write it."""

    name: str
    key: str
    aliases: tuple[str, ...]
    required: bool
    read: _Reader
    write: _Writer
    scalar: bool


@attrs.frozen
class _Plan:
    """How to read and write one resource class."""

    cls: type[Any]
    slots: tuple[_Slot, ...]
    known: frozenset[str]


_PLANS: dict[type[Any], _Plan] = {}


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    kind = {
        bool: "boolean",
        int: "number",
        float: "number",
        str: "string",
        list: "array",
        dict: "object",
    }.get(type(value), type(value).__name__)
    text = repr(value)
    return f"{kind} {text[:40] + '...' if len(text) > 43 else text}"


def _graph_name(cls: type[Any]) -> str:
    return cls.__name__[:1].lower() + cls.__name__[1:]


def _read_str(value: Any, pointer: str) -> str:
    if type(value) is not str:
        raise ParseError(f"expected a string, got {_describe(value)}", pointer=pointer)
    return value


def _read_bool(value: Any, pointer: str) -> bool:
    if type(value) is not bool:
        raise ParseError(f"expected true or false, got {_describe(value)}", pointer=pointer)
    return value


#: Graph integers are 32 or 64 bits; longer digit strings are not integers it sends.
_MAX_DIGITS = 20


def _read_int(value: Any, pointer: str) -> int:
    if type(value) is int:
        return value
    if type(value) is str:
        digits = value[1:] if value[:1] == "-" else value
        if digits.isascii() and digits.isdigit() and len(digits) <= _MAX_DIGITS:
            return int(value)
    raise ParseError(
        f"expected an integer (or a string of digits), got {_describe(value)}", pointer=pointer
    )


def _read_raw_object(value: Any, pointer: str) -> Any:
    if not isinstance(value, Mapping):
        raise ParseError(f"expected an object, got {_describe(value)}", pointer=pointer)
    return value


def _read_raw_array(value: Any, pointer: str) -> Any:
    if type(value) is not list:
        raise ParseError(f"expected an array, got {_describe(value)}", pointer=pointer)
    return value


def _identity(value: Any) -> Any:
    return value


def _read_later(value: Any, pointer: str) -> Any:
    """Custom slots are read by their class's own reader, which needs more context."""
    return value


def _enum_value(value: Any) -> Any:
    return value.value if isinstance(value, GraphEnum) else value


def _enum_reader(enum: type[GraphEnum], *, plain: bool) -> _Reader:
    def read(value: Any, pointer: str) -> Any:
        member = enum.read(value, pointer=pointer)
        return member.value if plain else member

    return read


def _object_reader(cls: type[Any]) -> _Reader:
    def read(value: Any, pointer: str) -> Any:
        return _read_object(_plan(cls), value, pointer)

    return read


def _list_reader(cls: type[Any]) -> _Reader:
    def read(value: Any, pointer: str) -> Any:
        if type(value) is not list:
            raise ParseError(
                f"expected an array of {_graph_name(cls)}, got {_describe(value)}", pointer=pointer
            )
        plan = _plan(cls)
        return [_read_object(plan, item, f"{pointer}/{i}") for i, item in enumerate(value)]

    return read


def _list_writer(value: Any) -> Any:
    return [_write_object(item) for item in value]


def _slot(cls: type[Any], field: attrs.Attribute[Any], hint: Any) -> _Slot:
    spec = Json()
    if typing.get_origin(hint) is Annotated:
        hint, *extras = typing.get_args(hint)
        spec = next((e for e in extras if isinstance(e, Json)), spec)
    if isinstance(hint, UnionType):
        args = [a for a in typing.get_args(hint) if a is not NoneType]
        hint = args[0] if len(args) == 1 else hint
    origin = typing.get_origin(hint)
    item = typing.get_args(hint)[0] if origin is list else None
    read, write, scalar = _codec_for(hint, origin, item, spec)
    if read is None:
        raise TypeError(f"{cls.__name__}.{field.name}: no JSON reader for {hint!r}")
    return _Slot(
        name=field.name,
        key=spec.key or json_key(field.name),
        aliases=spec.aliases,
        required=field.default is attrs.NOTHING,
        read=read,
        write=write,
        scalar=scalar,
    )


def _codec_for(
    hint: Any, origin: Any, item: Any, spec: Json
) -> tuple[_Reader | None, _Writer, bool]:
    if spec.custom:
        return _read_later, _write_resource_data, False
    if spec.enum is not None:
        return _enum_reader(spec.enum, plain=True), _identity, True
    scalars: dict[Any, _Reader] = {str: _read_str, int: _read_int, bool: _read_bool}
    if hint in scalars:
        return scalars[hint], _identity, True
    if isinstance(hint, type) and issubclass(hint, GraphEnum):
        return _enum_reader(hint, plain=False), _enum_value, True
    if isinstance(hint, type) and attrs.has(hint):
        return _object_reader(hint), _write_object, False
    if origin is list and isinstance(item, type) and attrs.has(item):
        return _list_reader(item), _list_writer, False
    if origin is list:
        return _read_raw_array, _identity, False
    if origin is dict:
        return _read_raw_object, _identity, False
    return None, _identity, False


def _is_json(field: attrs.Attribute[Any]) -> bool:
    return field.name not in ("extra", "_form") and RUNTIME_KEY not in field.metadata


def _plan(cls: type[Any]) -> _Plan:
    plan = _PLANS.get(cls)
    if plan is None:
        hints = typing.get_type_hints(cls, include_extras=True)
        fields = sorted(
            (f for f in attrs.fields(cls) if _is_json(f)), key=lambda f: f.name != "odata_type"
        )
        slots = tuple(_slot(cls, f, hints[f.name]) for f in fields)
        known = frozenset(k for s in slots for k in (s.key, *s.aliases))
        plan = _PLANS[cls] = _Plan(cls, slots, known)
    return plan


def _read_values(
    plan: _Plan, data: Any, pointer: str
) -> tuple[dict[str, Any], JsonForm | None, dict[str, Any]]:
    if not isinstance(data, Mapping):
        raise ParseError(
            f"expected an object ({_graph_name(plan.cls)}), got {_describe(data)}",
            pointer=pointer,
        )
    values: dict[str, Any] = {}
    form: JsonForm | None = None
    for slot in plan.slots:
        key = slot.key
        raw = data.get(key, _MISSING)
        for alias in slot.aliases:
            other = data.get(alias, _MISSING)
            if other is _MISSING:
                continue
            if raw is not _MISSING:
                raise ParseError(
                    f"both {key!r} and {alias!r} given; expected only one",
                    pointer=f"{pointer}/{_escape(alias)}",
                )
            raw, key = other, alias
            form = form or JsonForm()
            form.keys[slot.name] = alias
        if raw is _MISSING or raw is None:
            if slot.required:
                raise ParseError(
                    f"missing; expected {_expected(slot)}", pointer=f"{pointer}/{_escape(key)}"
                )
            if raw is None:
                form = form or JsonForm()
                form.nulls.add(slot.name)
            continue
        value = slot.read(raw, f"{pointer}/{_escape(key)}")
        if slot.scalar and slot.write(value) != raw:
            form = form or JsonForm()
            form.raw[slot.name] = (value, raw)
        values[slot.name] = value
    known = plan.known
    extra = {k: v for k, v in data.items() if k not in known}
    return values, form, extra


def _expected(slot: _Slot) -> str:
    if slot.key == "changeType":
        return "one of created, updated, deleted"
    if slot.key == "value":
        return "an array of commsNotification"
    return "a value"


def _build(plan: _Plan, values: dict[str, Any], form: JsonForm | None, extra: Any) -> Any:
    obj = plan.cls(**values, extra=extra)
    obj._form = form
    return obj


def _read_object(plan: _Plan, data: Any, pointer: str) -> Any:
    if plan.cls is CommsNotification:
        return _read_notification(data, pointer)
    values, form, extra = _read_values(plan, data, pointer)
    return _build(plan, values, form, extra)


_TYPED: dict[str, type[Any]] = {
    "#microsoft.graph.call": Call,
    "#microsoft.graph.participant": Participant,
    "#microsoft.graph.commsOperation": CommsOperation,
}
_BY_KIND: dict[ResourceKind, type[Any]] = {
    "call": Call,
    "operation": CommsOperation,
    "participants": Participant,
}


def _resource_class(item: Mapping[str, Any], kind: ResourceKind) -> type[Any] | None:
    odata = item.get("@odata.type")
    if type(odata) is not str:
        return _BY_KIND[kind]  # a non-string @odata.type is then reported at its pointer
    typed = _TYPED.get(odata)
    if typed is None and odata.startswith("#microsoft.graph.") and odata.endswith("Operation"):
        typed = CommsOperation
    return typed


def _read_item(item: Any, kind: ResourceKind, pointer: str) -> ResourceItem:
    if not isinstance(item, Mapping):
        raise ParseError(
            f"expected an object (the {kind} resource), got {_describe(item)}", pointer=pointer
        )
    cls = _resource_class(item, kind)
    if cls is None:
        return dict(item)
    result: ResourceItem = _read_object(_plan(cls), item, pointer)
    return result


def _notification_ref(data: Mapping[str, Any], pointer: str) -> ResourceRef:
    url = data.get("resourceUrl")
    legacy = data.get("resource")
    if url is None and legacy is None:
        raise ParseError(
            "missing; expected resourceUrl (or the legacy resource)",
            pointer=f"{pointer}/resourceUrl",
        )
    if legacy is None:
        return parse_resource_url(url, pointer=f"{pointer}/resourceUrl")
    old = parse_resource_url(legacy, pointer=f"{pointer}/resource")
    if url is None:
        return old
    ref = parse_resource_url(url, pointer=f"{pointer}/resourceUrl")
    if (old.call_id, old.kind, old.sub_id) != (ref.call_id, ref.kind, ref.sub_id):
        raise ParseError(
            f"resource {legacy!r} names another resource than resourceUrl {url!r}",
            pointer=f"{pointer}/resource",
            call_id=ref.call_id,
        )
    return ref


def _read_notification(data: Any, pointer: str) -> CommsNotification:
    plan = _plan(CommsNotification)
    if not isinstance(data, Mapping):
        raise ParseError(
            f"expected an object (commsNotification), got {_describe(data)}", pointer=pointer
        )
    ref = _notification_ref(data, pointer)
    try:
        values, form, extra = _read_values(plan, data, pointer)
        body = data.get("resourceData")
        where = f"{pointer}/resourceData"
        if type(body) is list:
            values["resource_data"] = [
                _read_item(item, ref.kind, f"{where}/{i}") for i, item in enumerate(body)
            ]
        elif body is not None:
            values["resource_data"] = _read_item(body, ref.kind, where)
    except ParseError as error:
        if error.call_id is None:
            error.call_id = ref.call_id
        raise
    result: CommsNotification = _build(plan, values, form, extra)
    return result


def _loads(data: Any, pointer: str) -> Any:
    if isinstance(data, str | bytes | bytearray | memoryview):
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError as error:
            raise ParseError(
                f"not valid JSON: {error.msg}", pointer=pointer, line=error.lineno
            ) from None
    return data


def parse(cls: type[T], data: Mapping[str, Any] | str | bytes, *, pointer: str = "") -> T:
    """Read Graph JSON (a mapping, or JSON text) into resource class ``cls``.

    ``pointer`` prefixes the JSON pointer of any error, for a body nested in a
    larger document. Raises :class:`~callstate.errors.ParseError` naming the bad
    field's pointer, and :class:`~callstate.errors.UsageError` if ``cls`` is not a
    Graph resource class.
    """
    if not (isinstance(cls, type) and _is_resource(cls)):
        raise UsageError("cls", f"{cls!r} is not a callstate.graph resource class")
    result: T = _read_object(_plan(cls), _loads(data, pointer), pointer)
    return result


def parse_notifications(body: Mapping[str, Any] | list[Any] | str | bytes) -> CommsNotifications:
    """Read a webhook body: a ``{"value": [...]}`` envelope, one bare notification, or an array.

    A bare notification or array is wrapped in a :class:`CommsNotifications`, so
    writing it back gives the envelope; pointers refer to the body as sent.
    """
    data = _loads(body, "")
    if isinstance(data, Mapping) and "value" in data:
        return parse(CommsNotifications, data)
    if isinstance(data, Mapping) and ("changeType" in data or "resourceUrl" in data):
        return CommsNotifications([_read_notification(data, "")])
    if type(data) is list:
        return CommsNotifications([_read_notification(n, f"/{i}") for i, n in enumerate(data)])
    raise ParseError(
        'expected a commsNotifications envelope ({"value": [...]}) or a commsNotification, '
        f"got {_describe(data)}",
        pointer="",
    )


def _write_object(obj: Any) -> dict[str, Any]:
    plan = _plan(type(obj))
    form: JsonForm | None = obj._form
    out: dict[str, Any] = {}
    for slot in plan.slots:
        name = slot.name
        value = getattr(obj, name)
        key = slot.key if form is None else form.keys.get(name, slot.key)
        if value is None:
            if form is not None and name in form.nulls:
                out[key] = None
            continue
        if form is not None and slot.scalar:
            seen = form.raw.get(name)
            if seen is not None and type(seen[0]) is type(value) and seen[0] == value:
                out[key] = seen[1]
                continue
        out[key] = slot.write(value)
    for key, value in obj.extra.items():
        out.setdefault(key, value)
    return out


def _write_resource_data(value: Any) -> Any:
    if isinstance(value, list):
        return [_write_resource_data(item) for item in value]
    if attrs.has(type(value)):
        return _write_object(value)
    return value


def dump(obj: Any) -> dict[str, Any]:
    """Write a resource as Graph JSON: camelCase keys, ``@odata.type``, unknown members.

    None attributes are omitted (unless the input had an explicit ``null``); keys,
    integers and enum values come back in the spelling they were read in.
    """
    if not _is_resource(type(obj)):
        raise UsageError("obj", f"{type(obj).__name__} is not a callstate.graph resource")
    return _write_object(obj)


def _is_resource(cls: type[Any]) -> bool:
    return cls in _PLANS or (attrs.has(cls) and "_form" in attrs.fields_dict(cls))


def dumps(obj: Any) -> bytes:
    """:func:`dump` serialised with orjson."""
    try:
        return orjson.dumps(dump(obj))
    except orjson.JSONEncodeError as error:
        raise UsageError("obj", f"cannot be written as JSON: {error}") from None
