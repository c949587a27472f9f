"""How each resource class is read and written: a plan compiled once from its attrs fields.

A plan is one :class:`_Slot` per JSON attribute, each with a reader and a writer.
Scalars are read by :mod:`callstate.graph.wire` (integers, strings, change types),
so the codec accepts and rejects exactly what the tracker and the transfer rules
do. A class whose reading needs more than its slots (a notification, whose
``resourceData`` is typed by its URL; a ``resultInfo``, whose subcode spellings
must agree) registers its own object reader with :func:`reads`.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Mapping
from types import NoneType, UnionType
from typing import Annotated, Any, Final

import attrs

from callstate.errors import ParseError
from callstate.graph._schema import RUNTIME_KEY, Json, JsonForm, json_key
from callstate.graph.enums import GraphEnum
from callstate.graph.wire import CHANGE_TYPES, describe, read_int, read_string

__all__ = [
    "MISSING",
    "Plan",
    "escape",
    "graph_name",
    "plan",
    "read_object",
    "reads",
    "write_object",
]

#: A key that is not in the input at all (``None`` is an explicit JSON null).
MISSING: Final[Any] = object()
_Reader = Callable[[Any, str], Any]
_Writer = Callable[[Any], Any]
#: ``(plan, data, pointer) -> object``: a class's own reader, for what its slots cannot say.
_ObjectReader = Callable[["Plan", Any, str], Any]


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
class Plan:
    """How to read and write one resource class."""

    cls: type[Any]
    slots: tuple[_Slot, ...]
    known: frozenset[str]


_PLANS: dict[type[Any], Plan] = {}
_OBJECT_READERS: dict[type[Any], _ObjectReader] = {}


def reads(cls: type[Any]) -> Callable[[_ObjectReader], _ObjectReader]:
    """Register the decorated function as the reader of ``cls`` objects."""

    def register(reader: _ObjectReader) -> _ObjectReader:
        _OBJECT_READERS[cls] = reader
        return reader

    return register


def escape(key: str) -> str:
    """``key`` as one JSON pointer segment."""
    return key.replace("~", "~0").replace("/", "~1")


def graph_name(cls: type[Any]) -> str:
    """The Graph type name of a resource class: ``commsNotification``."""
    return cls.__name__[:1].lower() + cls.__name__[1:]


def _read_bool(value: Any, pointer: str) -> bool:
    if type(value) is not bool:
        raise ParseError(f"expected true or false, got {describe(value)}", pointer=pointer)
    return value


def _read_raw_object(value: Any, pointer: str) -> Any:
    if not isinstance(value, Mapping):
        raise ParseError(f"expected an object, got {describe(value)}", pointer=pointer)
    return value


def _read_raw_array(value: Any, pointer: str) -> Any:
    if type(value) is not list:
        raise ParseError(f"expected an array, got {describe(value)}", pointer=pointer)
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
        return read_object(plan(cls), value, pointer)

    return read


def _list_reader(cls: type[Any]) -> _Reader:
    def read(value: Any, pointer: str) -> Any:
        if type(value) is not list:
            raise ParseError(
                f"expected an array of {graph_name(cls)}, got {describe(value)}", pointer=pointer
            )
        item_plan = plan(cls)
        return [read_object(item_plan, item, f"{pointer}/{i}") for i, item in enumerate(value)]

    return read


def _list_writer(value: Any) -> Any:
    return [write_object(item) for item in value]


def write_resource_data(value: Any) -> Any:
    """``resourceData`` as JSON: typed items written by their plan, plain JSON as it is."""
    if isinstance(value, list):
        return [write_resource_data(item) for item in value]
    if attrs.has(type(value)):
        return write_object(value)
    return value


_SCALARS: Final[dict[Any, _Reader]] = {str: read_string, int: read_int, bool: _read_bool}


def _codec_for(
    hint: Any, origin: Any, item: Any, spec: Json
) -> tuple[_Reader | None, _Writer, bool]:
    if spec.custom:
        return _read_later, write_resource_data, False
    if spec.enum is not None:
        return _enum_reader(spec.enum, plain=True), _identity, True
    if hint in _SCALARS:
        return _SCALARS[hint], _identity, True
    if isinstance(hint, type) and issubclass(hint, GraphEnum):
        return _enum_reader(hint, plain=False), _enum_value, True
    if isinstance(hint, type) and attrs.has(hint):
        return _object_reader(hint), write_object, False
    if origin is list and isinstance(item, type) and attrs.has(item):
        return _list_reader(item), _list_writer, False
    if origin is list:
        return _read_raw_array, _identity, False
    if origin is dict:
        return _read_raw_object, _identity, False
    return None, _identity, False


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


def _is_json(field: attrs.Attribute[Any]) -> bool:
    return field.name not in ("extra", "_form") and RUNTIME_KEY not in field.metadata


def plan(cls: type[Any]) -> Plan:
    """The plan of ``cls``, compiled on first use."""
    found = _PLANS.get(cls)
    if found is None:
        hints = typing.get_type_hints(cls, include_extras=True)
        fields = sorted(
            (f for f in attrs.fields(cls) if _is_json(f)), key=lambda f: f.name != "odata_type"
        )
        slots = tuple(_slot(cls, f, hints[f.name]) for f in fields)
        known = frozenset(k for s in slots for k in (s.key, *s.aliases))
        found = _PLANS[cls] = Plan(cls, slots, known)
    return found


def is_planned(cls: type[Any]) -> bool:
    """Whether ``cls`` is a resource class the codec reads and writes."""
    return cls in _PLANS or (attrs.has(cls) and "_form" in attrs.fields_dict(cls))


# -- reading ---------------------------------------------------------------------------


def read_object(obj_plan: Plan, data: Any, pointer: str) -> Any:
    """One resource object, by its class's own reader if it has one, else by its slots."""
    special = _OBJECT_READERS.get(obj_plan.cls)
    if special is not None:
        return special(obj_plan, data, pointer)
    return build(obj_plan, *read_values(obj_plan, data, pointer))


def read_values(
    obj_plan: Plan, data: Any, pointer: str
) -> tuple[dict[str, Any], JsonForm | None, dict[str, Any]]:
    """The slot values of an object, the form they were written in, and unknown members.

    Of several spellings of one slot (``subcode``, ``subCode``) the first present is
    read; the others are kept as they came, for writing back. Whether they agree is
    the class's own reader's question (``resultInfo``: :func:`~callstate.graph.wire.read_result`).
    """
    if not isinstance(data, Mapping):
        raise ParseError(
            f"expected an object ({graph_name(obj_plan.cls)}), got {describe(data)}",
            pointer=pointer,
        )
    values: dict[str, Any] = {}
    form: JsonForm | None = None
    for slot in obj_plan.slots:
        key = slot.key
        raw = data.get(key, MISSING)
        twins: tuple[tuple[str, Any], ...] = ()
        if slot.aliases:
            key, raw, twins = _spelling(slot, data)
            if key != slot.key or twins:
                form = form or JsonForm()
                form.keys[slot.name] = key
        value = None
        if raw is MISSING or raw is None:
            if slot.required:
                raise ParseError(
                    f"missing; expected {_expected(slot)}", pointer=f"{pointer}/{escape(key)}"
                )
            if raw is None:
                form = form or JsonForm()
                form.nulls.add(slot.name)
        else:
            value = slot.read(raw, f"{pointer}/{escape(key)}")
            if slot.scalar and slot.write(value) != raw:
                form = form or JsonForm()
                form.raw[slot.name] = (value, raw)
            values[slot.name] = value
        if twins:
            form = form or JsonForm()
            form.twins[slot.name] = (twins, value)
    known = obj_plan.known
    extra = {k: v for k, v in data.items() if k not in known}
    return values, form, extra


def _spelling(slot: _Slot, data: Mapping[str, Any]) -> tuple[str, Any, tuple[tuple[str, Any], ...]]:
    """The spelling of ``slot`` to read (the first one not null) and the others given."""
    given = [(k, data[k]) for k in (slot.key, *slot.aliases) if k in data]
    if not given:
        return slot.key, MISSING, ()
    chosen = next((g for g in given if g[1] is not None), given[0])
    return chosen[0], chosen[1], tuple(g for g in given if g is not chosen)


def _expected(slot: _Slot) -> str:
    if slot.key == "changeType":
        return f"one of {', '.join(CHANGE_TYPES.values())}"
    if slot.key == "value":
        return "an array of commsNotification"
    return "a value"


def build(obj_plan: Plan, values: dict[str, Any], form: JsonForm | None, extra: Any) -> Any:
    """The object of ``obj_plan``'s class, remembering the form it was read in."""
    obj = obj_plan.cls(**values, extra=extra)
    obj._form = form
    return obj


# -- writing ---------------------------------------------------------------------------


def write_object(obj: Any) -> dict[str, Any]:
    """A resource object as Graph JSON, in the spellings it was read in."""
    obj_plan = plan(type(obj))
    form: JsonForm | None = obj._form
    out: dict[str, Any] = {}
    for slot in obj_plan.slots:
        name = slot.name
        value = getattr(obj, name)
        key = slot.key if form is None else form.keys.get(name, slot.key)
        if value is not None:
            written = slot.write(value)
            if form is not None and slot.scalar:
                seen = form.raw.get(name)
                if seen is not None and type(seen[0]) is type(value) and seen[0] == value:
                    written = seen[1]
            out[key] = written
        elif form is not None and name in form.nulls:
            out[key] = None
        if form is not None and name in form.twins:
            twins, read = form.twins[name]
            if type(read) is type(value) and read == value:  # else they would now disagree
                out.update(twins)
    for key, value in obj.extra.items():
        out.setdefault(key, value)
    return out
