"""Webhook notifications (``commsNotifications``) and the resource URLs they name."""

from __future__ import annotations

from typing import Annotated, Any, TypeAlias

import attrs

from callstate.errors import ParseError
from callstate.graph._schema import Json, JsonForm
from callstate.graph.call import Call
from callstate.graph.enums import CallState, ChangeType
from callstate.graph.resources import CommsOperation, Participant
from callstate.graph.wire import ResourceKind, ResourceRef, parse_resource_url

__all__ = [
    "CommsNotification",
    "CommsNotifications",
    "ResourceData",
    "ResourceItem",
    "ResourceKind",
    "ResourceRef",
    "parse_resource_url",
]

#: One typed resource of ``resourceData``; a ``dict`` when its type is not one callstate reads.
ResourceItem: TypeAlias = Call | CommsOperation | Participant | dict[str, Any]
#: ``resourceData``: an object or an array of them, as sent.
ResourceData: TypeAlias = ResourceItem | list[ResourceItem] | None


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
