"""How resource attributes map to Graph JSON, and what a parsed object looked like.

An attribute's JSON key is its name in camelCase (``result_info`` ->
``resultInfo``, ``odata_type`` -> ``@odata.type``); a :class:`Json` in its
``Annotated`` type adds other spellings or a special reading. ``extra`` holds
unknown members, ``_form`` the :class:`JsonForm`; attributes whose attrs metadata
is :data:`RUNTIME` (``Call.history``) are not JSON at all.

:class:`JsonForm` remembers the input's lexical choices (``subCode`` for
``subcode``, ``"500"`` for ``500``, ``"Established"`` for ``established``, explicit
``null``, a second spelling given beside the first) so that writing gives back
exactly what was read. It takes no part in equality.
"""

from __future__ import annotations

from typing import Any

import attrs

from callstate.graph.enums import GraphEnum

__all__ = ["RUNTIME", "RUNTIME_KEY", "Json", "JsonForm", "json_key"]

RUNTIME_KEY = "callstate.graph.runtime"
#: attrs metadata of an attribute that is runtime state, not JSON.
RUNTIME = {RUNTIME_KEY: True}


@attrs.frozen
class Json:
    """How to read one attribute, when its name and type do not say it all.

    ``key`` overrides the derived key; ``aliases`` are other accepted spellings
    (the class's own reader checks that spellings given together agree);
    ``enum`` reads a plain ``str`` attribute through a Graph enum (``Call.state``);
    ``custom`` leaves the attribute to a class-specific reader.
    """

    key: str | None = None
    aliases: tuple[str, ...] = ()
    enum: type[GraphEnum] | None = None
    custom: bool = False


@attrs.define
class JsonForm:
    """The input's spellings: key aliases used, values read from another form, explicit nulls.

    ``twins`` maps an attribute to the other spellings given beside the one read
    (``subcode`` beside ``subCode``) and the value read, so they are written back
    only while the attribute still holds it.
    """

    keys: dict[str, str] = attrs.field(factory=dict)
    raw: dict[str, tuple[Any, Any]] = attrs.field(factory=dict)
    nulls: set[str] = attrs.field(factory=set)
    twins: dict[str, tuple[tuple[tuple[str, Any], ...], Any]] = attrs.field(factory=dict)


def json_key(name: str) -> str:
    """The Graph JSON key of attribute ``name``: camelCase, and ``@odata.type``."""
    if name == "odata_type":
        return "@odata.type"
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)
