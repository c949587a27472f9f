"""Microsoft Graph communications resources as attrs classes, and lenient Graph JSON in and out.

Read with :func:`parse` / :func:`parse_notifications`, write with :func:`dump` /
:func:`dumps`. Errors are :class:`~callstate.errors.ParseError` with the JSON
pointer of the bad field; unknown enum values warn with
:class:`~callstate.errors.UnknownValueWarning`. Raw wire values (codes, result
info, change types, resource URLs) are read by :mod:`callstate.graph.wire`, the
one reader every part of callstate shares.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from callstate._first_use import on_first_use
from callstate.graph.wire import (
    CallPath,
    RequestPath,
    ResourceKind,
    ResourceRef,
    parse_call_path,
    parse_request_path,
    parse_resource_url,
)

if TYPE_CHECKING:
    from callstate.graph.call import Call
    from callstate.graph.codec import dump, dumps, parse, parse_notifications
    from callstate.graph.enums import (
        CallDirection,
        CallState,
        ChangeType,
        EndpointType,
        GraphEnum,
        MediaState,
        OperationStatus,
    )
    from callstate.graph.notification import (
        CommsNotification,
        CommsNotifications,
        ResourceData,
        ResourceItem,
    )
    from callstate.graph.resources import (
        CallMediaState,
        CommsOperation,
        Identity,
        IdentitySet,
        InvitationParticipantInfo,
        Participant,
        ParticipantInfo,
        ResultInfo,
        TransferRequest,
    )

__all__ = [
    "Call",
    "CallDirection",
    "CallMediaState",
    "CallPath",
    "CallState",
    "ChangeType",
    "CommsNotification",
    "CommsNotifications",
    "CommsOperation",
    "EndpointType",
    "GraphEnum",
    "Identity",
    "IdentitySet",
    "InvitationParticipantInfo",
    "MediaState",
    "OperationStatus",
    "Participant",
    "ParticipantInfo",
    "RequestPath",
    "ResourceData",
    "ResourceItem",
    "ResourceKind",
    "ResourceRef",
    "ResultInfo",
    "TransferRequest",
    "dump",
    "dumps",
    "parse",
    "parse_call_path",
    "parse_notifications",
    "parse_request_path",
    "parse_resource_url",
]

#: The codec and the resource classes cost ~15 ms to import, and the validator reads only
#: :mod:`callstate.graph.wire`: they load on first use.
_HOMES = {
    **dict.fromkeys(("Call",), "callstate.graph.call"),
    **dict.fromkeys(("dump", "dumps", "parse", "parse_notifications"), "callstate.graph.codec"),
    **dict.fromkeys(
        (
            "CallDirection",
            "CallState",
            "ChangeType",
            "EndpointType",
            "GraphEnum",
            "MediaState",
            "OperationStatus",
        ),
        "callstate.graph.enums",
    ),
    **dict.fromkeys(
        ("CommsNotification", "CommsNotifications", "ResourceData", "ResourceItem"),
        "callstate.graph.notification",
    ),
    **dict.fromkeys(
        (
            "CallMediaState",
            "CommsOperation",
            "Identity",
            "IdentitySet",
            "InvitationParticipantInfo",
            "Participant",
            "ParticipantInfo",
            "ResultInfo",
            "TransferRequest",
        ),
        "callstate.graph.resources",
    ),
}

__getattr__ = on_first_use(__name__, _HOMES)
