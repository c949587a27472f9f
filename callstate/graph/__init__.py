"""Microsoft Graph communications resources as attrs classes, and lenient Graph JSON in and out.

Read with :func:`parse` / :func:`parse_notifications`, write with :func:`dump` /
:func:`dumps`. Errors are :class:`~callstate.errors.ParseError` with the JSON
pointer of the bad field; unknown enum values warn with
:class:`~callstate.errors.UnknownValueWarning`.

Names load on first use (see :mod:`callstate._lazy`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from callstate._lazy import lazy_exports

if TYPE_CHECKING:
    from callstate.graph.call import (
        Call as Call,
        HistoryEntry as HistoryEntry,
    )
    from callstate.graph.codec import (
        dump as dump,
        dumps as dumps,
        parse as parse,
        parse_notifications as parse_notifications,
    )
    from callstate.graph.enums import (
        CallDirection as CallDirection,
        CallState as CallState,
        ChangeType as ChangeType,
        EndpointType as EndpointType,
        GraphEnum as GraphEnum,
        MediaState as MediaState,
        OperationStatus as OperationStatus,
    )
    from callstate.graph.notification import (
        CommsNotification as CommsNotification,
        CommsNotifications as CommsNotifications,
        ResourceData as ResourceData,
        ResourceItem as ResourceItem,
    )
    from callstate.graph.resource_url import (
        ResourceKind as ResourceKind,
        ResourceRef as ResourceRef,
        parse_resource_url as parse_resource_url,
    )
    from callstate.graph.resources import (
        CallMediaState as CallMediaState,
        CommsOperation as CommsOperation,
        Identity as Identity,
        IdentitySet as IdentitySet,
        InvitationParticipantInfo as InvitationParticipantInfo,
        Participant as Participant,
        ParticipantInfo as ParticipantInfo,
        ResultInfo as ResultInfo,
        TransferRequest as TransferRequest,
    )

__all__ = [
    "Call",
    "CallDirection",
    "CallMediaState",
    "CallState",
    "ChangeType",
    "CommsNotification",
    "CommsNotifications",
    "CommsOperation",
    "EndpointType",
    "GraphEnum",
    "HistoryEntry",
    "Identity",
    "IdentitySet",
    "InvitationParticipantInfo",
    "MediaState",
    "OperationStatus",
    "Participant",
    "ParticipantInfo",
    "ResourceData",
    "ResourceItem",
    "ResourceKind",
    "ResourceRef",
    "ResultInfo",
    "TransferRequest",
    "dump",
    "dumps",
    "parse",
    "parse_notifications",
    "parse_resource_url",
]

_EXPORTS = {
    "callstate.graph.call": ("Call", "HistoryEntry"),
    "callstate.graph.codec": ("dump", "dumps", "parse", "parse_notifications"),
    "callstate.graph.enums": (
        "CallDirection",
        "CallState",
        "ChangeType",
        "EndpointType",
        "GraphEnum",
        "MediaState",
        "OperationStatus",
    ),
    "callstate.graph.notification": (
        "CommsNotification",
        "CommsNotifications",
        "ResourceData",
        "ResourceItem",
    ),
    "callstate.graph.resource_url": ("ResourceKind", "ResourceRef", "parse_resource_url"),
    "callstate.graph.resources": (
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
}

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
