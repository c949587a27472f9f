"""Webhook notifications (``commsNotifications``) and the resource URLs they name."""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypeAlias

import attrs

from callstate.errors import ParseError
from callstate.graph._schema import Json, JsonForm
from callstate.graph.call import Call
from callstate.graph.enums import CallState, ChangeType
from callstate.graph.resources import CommsOperation, Participant

__all__ = [
    "CommsNotification",
    "CommsNotifications",
    "ResourceData",
    "ResourceItem",
    "ResourceKind",
    "ResourceRef",
    "parse_resource_url",
]

ResourceKind: TypeAlias = Literal["call", "operation", "participants"]
#: One typed resource of ``resourceData``; a ``dict`` when its type is not one callstate reads.
ResourceItem: TypeAlias = Call | CommsOperation | Participant | dict[str, Any]
#: ``resourceData``: an object or an array of them, as sent.
ResourceData: TypeAlias = ResourceItem | list[ResourceItem] | None


@attrs.frozen
class ResourceRef:
    """What a resource URL names: a call, one of its operations, or its participants.

    ``sub_id`` is the operation id or participant id (None for the whole roster);
    ``legacy`` marks the deprecated ``/app/calls/...`` form.
    """

    call_id: str
    kind: ResourceKind
    sub_id: str | None = None
    legacy: bool = False


_CALLS = "/communications/calls/"
_LEGACY_CALLS = "/app/calls/"
_HOST = "https://graph.microsoft.com/"
_VERSIONS = ("v1.0/", "beta/")


def parse_resource_url(url: object, *, pointer: str = "/resourceUrl") -> ResourceRef:
    """Read a call resource URL into a :class:`ResourceRef`.

    Accepts ``/communications/calls/{id}``, ``.../operations/{opId}``,
    ``.../participants`` and ``.../participants/{pid}``; also the legacy
    ``/app/calls/...`` form and absolute ``https://graph.microsoft.com/{v1.0|beta}/...``
    URLs. Anything else raises
    :class:`~callstate.errors.ParseError` at ``pointer``. Plain string operations
    and a bounded cache of recent URLs: this runs once per notification.
    """
    if type(url) is not str:
        raise ParseError(
            f"expected a resource URL string, got {type(url).__name__} {url!r}", pointer=pointer
        )
    ref = _SEEN.get(url)
    if ref is None:
        ref = _read_url(url, pointer)
        if len(_SEEN) >= _SEEN_MAX:
            _SEEN.clear()
        _SEEN[url] = ref
    return ref


#: Recently read URLs: a call's notifications repeat its URL, and refs are immutable.
_SEEN: dict[str, ResourceRef] = {}
_SEEN_MAX = 8192


def _read_url(url: str, pointer: str) -> ResourceRef:
    path = url
    if path.startswith(_HOST):
        version = path[len(_HOST) : path.find("/", len(_HOST)) + 1]
        if version not in _VERSIONS:
            raise _bad_url(url, pointer, "expected graph.microsoft.com/v1.0 or /beta")
        path = path[len(_HOST) + len(version) - 1 :]
    if path.startswith(_CALLS):
        rest = path[len(_CALLS) :]
        legacy = False
    elif path.startswith(_LEGACY_CALLS):
        rest = path[len(_LEGACY_CALLS) :]
        legacy = True
    else:
        raise _bad_url(url, pointer, "expected /communications/calls/{id}...")
    parts = rest.split("/")
    call_id = parts[0]
    if call_id:
        count = len(parts)
        if count == 1:
            return ResourceRef(call_id, "call", None, legacy)
        segment = parts[1]
        if segment == "operations" and count == 3 and parts[2]:
            return ResourceRef(call_id, "operation", parts[2], legacy)
        if segment == "participants":
            if count == 2:
                return ResourceRef(call_id, "participants", None, legacy)
            if count == 3 and parts[2]:
                return ResourceRef(call_id, "participants", parts[2], legacy)
    raise _bad_url(
        url, pointer, "expected a call, /operations/{opId}, /participants or /participants/{id}"
    )


def _bad_url(url: str, pointer: str, expected: str) -> ParseError:
    return ParseError(f"unrecognised resource URL {url!r}; {expected}", pointer=pointer)


@attrs.define
class CommsNotification:
    """Graph ``commsNotification``: one change to a call, an operation or a roster.

    ``resource_url`` and the legacy ``resource`` are both kept as sent; at least
    one is present. ``resource_data`` is typed by ``@odata.type`` when it names
    a call, participant or operation, else by the URL's kind (call -> :class:`Call`,
    operation -> :class:`CommsOperation`, participants -> :class:`Participant`);
    any other ``@odata.type`` stays a plain ``dict``. An array stays a list.
    """

    change_type: ChangeType
    resource_url: str | None = None
    resource: str | None = None
    resource_data: Annotated[ResourceData, Json(custom=True)] = None
    odata_type: str | None = attrs.field(default=None, kw_only=True)
    extra: dict[str, Any] = attrs.field(factory=dict, kw_only=True)
    _form: JsonForm | None = attrs.field(default=None, init=False, eq=False, repr=False)

    @property
    def url(self) -> str:
        """``resourceUrl``, or the legacy ``resource`` when that is all there is."""
        url = self.resource_url if self.resource_url is not None else self.resource
        if url is None:
            raise ParseError("missing; expected resourceUrl or resource", pointer="/resourceUrl")
        return url

    @property
    def ref(self) -> ResourceRef:
        """What the resource URL names."""
        pointer = "/resourceUrl" if self.resource_url is not None else "/resource"
        return parse_resource_url(self.url, pointer=pointer)

    @property
    def call(self) -> Call | None:
        """The call in ``resourceData`` (the first, if an array), if it carries one."""
        data = self.resource_data
        if isinstance(data, Call):
            return data
        if isinstance(data, list):
            for item in data:
                if isinstance(item, Call):
                    return item
        return None

    @property
    def call_state(self) -> str | None:
        """The call state this notification reports, or None if it reports none.

        A ``deleted`` notification for a call whose resourceData has no ``state``
        (a rejected call) means ``terminated``; the data itself is kept as sent.
        """
        call = self.call
        if call is not None and call.state is not None:
            return call.state
        if self.change_type is ChangeType.DELETED and self.ref.kind == "call":
            return CallState.TERMINATED.value
        return None


@attrs.define
class CommsNotifications:
    """Graph ``commsNotifications``: the body of one webhook POST, possibly a batch."""

    value: list[CommsNotification]
    odata_type: str | None = attrs.field(default=None, kw_only=True)
    extra: dict[str, Any] = attrs.field(factory=dict, kw_only=True)
    _form: JsonForm | None = attrs.field(default=None, init=False, eq=False, repr=False)
