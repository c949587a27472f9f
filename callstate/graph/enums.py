"""Graph's evolvable enums, read leniently.

Real payloads send values in any letter case and, as Graph evolves, values this
version does not know. Those read as ``unknownFutureValue`` with an
:class:`~callstate.errors.UnknownValueWarning` naming the JSON pointer, as Graph
asks clients to do; only ``changeType`` is closed, so an unknown one is an error.

Enums whose values other parts of callstate also read are built from the one list
of them: ``callState`` from :data:`callstate.facts.CALL_STATES` (the machine checks
its states against it), ``changeType`` and ``operationStatus`` from
:mod:`callstate.graph.wire`. Their members are annotated in the class body too, so
that type checkers know ``CallState.ESTABLISHED``; a test holds the two together.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, MutableMapping
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Self

from callstate.errors import ParseError, UnknownValueWarning
from callstate.facts import CALL_STATES
from callstate.graph.wire import CHANGE_TYPES, OPERATION_STATUSES, describe, quote, read_change_type

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


def _declare(namespace: MutableMapping[str, object], values: Iterable[str]) -> None:
    """One member per Graph value, named as Python spells it: ``transferAccepted`` ->
    ``TRANSFER_ACCEPTED``. Called with an enum's class namespace (``locals()``)."""
    for value in values:
        namespace[re.sub("([A-Z])", r"_\1", value).upper()] = value


class CallState(GraphEnum):
    """Graph ``callState``, from :data:`callstate.facts.CALL_STATES`; ``ringing`` is beta only."""

    INCOMING: CallState
    ESTABLISHING: CallState
    RINGING: CallState
    ESTABLISHED: CallState
    HOLD: CallState
    TRANSFERRING: CallState
    TRANSFER_ACCEPTED: CallState
    REDIRECTING: CallState
    TERMINATING: CallState
    TERMINATED: CallState
    UNKNOWN_FUTURE_VALUE: CallState
    if not TYPE_CHECKING:
        _declare(locals(), CALL_STATES)


class ChangeType(GraphEnum):
    """Graph ``changeType`` of a notification, from :data:`callstate.graph.wire.CHANGE_TYPES`;
    closed, so an unknown value is an error."""

    CREATED: ChangeType
    UPDATED: ChangeType
    DELETED: ChangeType
    if not TYPE_CHECKING:
        _declare(locals(), CHANGE_TYPES.values())

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
    """Graph ``operationStatus`` of a commsOperation (playPrompt, recordResponse, ...), from
    :data:`callstate.graph.wire.OPERATION_STATUSES`."""

    NOT_STARTED: OperationStatus
    RUNNING: OperationStatus
    COMPLETED: OperationStatus
    FAILED: OperationStatus
    UNKNOWN_FUTURE_VALUE: OperationStatus
    if not TYPE_CHECKING:
        _declare(locals(), OPERATION_STATUSES.values())
