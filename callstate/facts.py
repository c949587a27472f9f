"""What Microsoft Graph documents about calls, written once.

These are facts of Graph, not of callstate's machine: the results that tell how
a transfer ended (``call-transfer.md``), the call-end codes with their meanings
(``graph-facts.md``, from the "call: delete" reference) and the messages the
spec's examples carry. The call machine declares its transfer kinds from them;
the invariants read them as an independent oracle; the simulator, ``show`` and
the docs read them for payloads and meanings.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import attrs

__all__ = [
    "ANSWER_WINDOW",
    "BLIND",
    "CALL_STATES",
    "CONSULTATIVE",
    "END_CODES",
    "INCOMING_ONLY_ACTIONS",
    "KEEPALIVE_WINDOW",
    "MEETING_MODE_FAILURE",
    "RECORDING_ANSWER_WINDOW",
    "SUCCESS_MESSAGE",
    "TRANSFER_ACTION",
    "TRANSFER_FAILURE",
    "TRANSFER_SUCCESS",
    "Result",
    "meaning",
]


@attrs.frozen
class Result:
    """A result a call notification carries: ``resultInfo`` code and subcode, or a reason."""

    code: int | None = None
    subcode: int | None = None
    termination_reason: str | None = None

    @property
    def label(self) -> str:
        """The short form used on diagrams and in reports: ``0/7015`` or ``AppTransferred``."""
        if self.termination_reason is not None:
            return self.termination_reason
        return f"{self.code}/{self.subcode}"


#: The transfer kind without ``replacesCallId``.
BLIND: Final = "blind"
#: The transfer kind with ``replacesCallId``.
CONSULTATIVE: Final = "consultative"

#: "Cannot do transfer for meeting mode" (comms-samples #512): a transfer of any kind on a
#: call in meeting mode. The samples give the subcode only; the code is the 500 of every
#: documented transfer failure (a choice, written down in the README).
MEETING_MODE_FAILURE: Final = Result(500, 8523)

#: How a transfer of each kind reports failure: the call is back with the transferor.
TRANSFER_FAILURE: Final[Mapping[str, tuple[Result, ...]]] = {
    BLIND: (Result(500, 7000), MEETING_MODE_FAILURE),
    CONSULTATIVE: (Result(500, 7700), MEETING_MODE_FAILURE),
}

#: How a transfer of each kind reports success: the transferor's call ends.
TRANSFER_SUCCESS: Final[Mapping[str, tuple[Result, ...]]] = {
    BLIND: (Result(0, 7015),),
    CONSULTATIVE: (Result(termination_reason="AppTransferred"),),
}

#: Seconds the bot has to answer, reject or redirect an incoming call ("regular scenarios").
ANSWER_WINDOW: Final = 15.0
#: The same window for policy-based recording bots.
RECORDING_ANSWER_WINDOW: Final = 5.0
#: Seconds a call lives without a keepAlive: 45 minutes from its start or the previous one.
KEEPALIVE_WINDOW: Final = 45 * 60.0

#: The requests Graph takes only while a call is ``incoming``, by their path segment
#: ("The bot's requests"): answer, reject and redirect, within the answer window.
INCOMING_ONLY_ACTIONS: Final = ("answer", "reject", "redirect")
#: The transfer request's path segment: Graph takes it only while the call is ``established``.
TRANSFER_ACTION: Final = "transfer"

#: The ``resultInfo.message`` of the spec's blind-success example.
SUCCESS_MESSAGE: Final = "GracefulTransferCompleted"

#: ``(code, subcode) -> meaning`` of the documented call-end results ("call: delete").
END_CODES: Final[Mapping[tuple[int, int], str]] = {
    (200, 4097): "ended by the other participant",
    (200, 4521): "ended by the other participant",
    (200, 5000): "removed by another participant",
    (200, 5300): "removed by another participant",
    (200, 5001): "the conversation has ended",
    (200, 5003): "the conversation has ended",
    (200, 5002): "all other participants left",
    (200, 5010): "only one participant remained",
    (200, 7000): "the conversation was ended by the bot",
    (200, 7015): "the call ended because the transfer completed",
    (200, 10550): "ended by the bot",
    (200, 540000): "ended by the PSTN user",
    (200, 560000): "ended by the PSTN user",
    (408, 8537): "keepAlive timeout",
    (408, 1106): "call acceptance not acknowledged in time",
    (410, 301005): "media connectivity failure",
    (480, 10037): "callee not found or unreachable",
    (480, 10076): "callee not found or unreachable",
    (500, 1005): "connectivity error with the bot's media",
}

#: Meanings of the transfer results, which share subcodes with call-end codes.
_TRANSFER_MEANINGS: Final[Mapping[tuple[int | None, int | None, str | None], str]] = {
    (r.code, r.subcode, r.termination_reason): f"{kind} transfer {outcome}"
    for outcome, table in (("failed", TRANSFER_FAILURE), ("completed", TRANSFER_SUCCESS))
    for kind, results in table.items()
    for r in results
} | {(500, 8523, None): "transfer failed: the call is in meeting mode"}


def meaning(
    code: int | None, subcode: int | None, termination_reason: str | None = None
) -> str | None:
    """The documented meaning of a result, or ``None`` when Graph documents none."""
    found = _TRANSFER_MEANINGS.get((code, subcode, None))
    if found is not None:
        return found
    if termination_reason is not None:
        found = _TRANSFER_MEANINGS.get((None, None, termination_reason))
        if found is not None:
            return found
    if code is None or subcode is None:
        return None
    return END_CODES.get((code, subcode))


#: Graph's ``callState`` values (v1.0, and ``ringing`` from beta), in the reference's
#: order; ``unknownFutureValue`` is Graph's sentinel for values added later. Every
#: state of the call machine is one of them; :class:`callstate.graph.CallState`
#: is built from this list.
CALL_STATES: Final = (
    "incoming",
    "establishing",
    "ringing",
    "established",
    "hold",
    "transferring",
    "transferAccepted",
    "redirecting",
    "terminating",
    "terminated",
    "unknownFutureValue",
)
