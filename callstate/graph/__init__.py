"""Microsoft Graph communications resources as attrs classes, and lenient Graph JSON in and out.

Read with :func:`parse` / :func:`parse_notifications`, write with :func:`dump` /
:func:`dumps`. Errors are :class:`~callstate.errors.ParseError` with the JSON
pointer of the bad field; unknown enum values warn with
:class:`~callstate.errors.UnknownValueWarning`.
"""

from callstate.graph.call import Call, HistoryEntry
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
    ResourceKind,
    ResourceRef,
    parse_resource_url,
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
