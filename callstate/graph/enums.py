"""Graph's evolvable enums, read leniently.

Real payloads send values in any letter case and, as Graph evolves, values this
version does not know. Those read as ``unknownFutureValue`` with an
:class:`~callstate.errors.UnknownValueWarning` naming the JSON pointer, as Graph
asks clients to do; only ``changeType`` is closed, so an unknown one is an error.
"""

from __future__ import annotations

import warnings
from enum import StrEnum
from typing import Any, Self

from callstate.errors import ParseError, UnknownValueWarning
from callstate.graph.wire import describe, quote, read_change_type

__all__ = [
    "CallDirection",
    "CallState",
    "ChangeType",
    "EndpointType",
    "GraphEnum",
    "MediaState",
    "OperationStatus",
]

_LOOKUPS: dict[type[GraphEnum], dict[str, Any]] = {}


class GraphEnum(StrEnum):
    """Base of the Graph enums: values are Graph's exact spellings."""

    @classmethod
    def graph_name(cls) -> str:
        """The Graph type name (``callState``), used in messages."""
        return cls.__name__[:1].lower() + cls.__name__[1:]

    @classmethod
    def read(cls, value: object, *, pointer: str = "") -> Self:
        """The member for ``value`` in any letter case; unknown values go to :meth:`unknown`."""
        if not isinstance(value, str):
            raise ParseError(
                f"expected a {cls.graph_name()} string ({cls.expected()}), got {describe(value)}",
                pointer=pointer,
            )
        lookup = _LOOKUPS.get(cls)
        if lookup is None:
            lookup = _LOOKUPS[cls] = {m.value.lower(): m for m in cls}
        member = lookup.get(value.lower())
        if member is None:
            return cls.unknown(value, pointer=pointer)
        return member  # type: ignore[no-any-return]

    @classmethod
    def expected(cls) -> str:
        """The known values, for messages."""
        return ", ".join(m.value for m in cls)

    @classmethod
    def unknown(cls, value: str, *, pointer: str) -> Self:
        """An evolvable enum reads an unknown value as ``unknownFutureValue``, with a warning."""
        warnings.warn(
            UnknownValueWarning(
                f"at {pointer or '/'}: unknown {cls.graph_name()} value "
                f"{quote(value, limit=40)}, read as unknownFutureValue"
            ),
            stacklevel=2,
        )
        return cls("unknownFutureValue")


class CallState(GraphEnum):
    """Graph ``callState``; ``ringing`` is beta only."""

    INCOMING = "incoming"
    ESTABLISHING = "establishing"
    RINGING = "ringing"
    ESTABLISHED = "established"
    HOLD = "hold"
    TRANSFERRING = "transferring"
    TRANSFER_ACCEPTED = "transferAccepted"
    REDIRECTING = "redirecting"
    TERMINATING = "terminating"
    TERMINATED = "terminated"
    UNKNOWN_FUTURE_VALUE = "unknownFutureValue"


class ChangeType(GraphEnum):
    """Graph ``changeType`` of a notification; closed, so an unknown value is an error."""

    CREATED = "created"
    UPDATED = "updated"
    DELETED = "deleted"

    @classmethod
    def read(cls, value: object, *, pointer: str = "") -> Self:
        """The change type in any letter case (:func:`callstate.graph.wire.read_change_type`)."""
        return cls(read_change_type(value, pointer))

    @classmethod
    def unknown(cls, value: str, *, pointer: str) -> Self:
        """``changeType`` has no ``unknownFutureValue``: guessing would misread the call."""
        return cls(read_change_type(value, pointer))


class EndpointType(GraphEnum):
    """Graph ``endpointType`` of a participant."""

    DEFAULT = "default"
    VOICEMAIL = "voicemail"
    SKYPE_FOR_BUSINESS = "skypeForBusiness"
    SKYPE_FOR_BUSINESS_VOIP_PHONE = "skypeForBusinessVoipPhone"
    UNKNOWN_FUTURE_VALUE = "unknownFutureValue"


class MediaState(GraphEnum):
    """Graph ``mediaState`` of a call's audio."""

    ACTIVE = "active"
    INACTIVE = "inactive"
    UNKNOWN_FUTURE_VALUE = "unknownFutureValue"


class CallDirection(GraphEnum):
    """Graph ``callDirection``."""

    INCOMING = "incoming"
    OUTGOING = "outgoing"
    UNKNOWN_FUTURE_VALUE = "unknownFutureValue"


class OperationStatus(GraphEnum):
    """Graph ``operationStatus`` of a commsOperation (playPrompt, recordResponse, ...)."""

    NOT_STARTED = "notStarted"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    UNKNOWN_FUTURE_VALUE = "unknownFutureValue"
