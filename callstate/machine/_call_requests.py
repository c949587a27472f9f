"""The call machine's requests and time windows, as the reference documents them.

``graph-facts.md``, "The bot's requests": where each request may be sent, where it
leads, what must follow it, and the windows Graph ends a call after.
"""

from __future__ import annotations

from callstate.facts import ANSWER_WINDOW, KEEPALIVE_WINDOW, Result
from callstate.machine._parts import Expect, Request, Timeout

__all__ = ["call_requests", "call_timeouts"]


def call_requests(live: tuple[str, ...]) -> tuple[Request, ...]:
    """The bot's requests (graph-facts, "The bot's requests"), where each may be sent."""
    return (
        Request(
            name="create_call",
            opens="establishing",
            status=201,
            doc="The bot places an outgoing call; Graph answers with the call and its id.",
        ),
        Request(
            name="answer",
            action="answer",
            allowed=("incoming",),
            leads_to="establishing",
            doc="The bot answers an incoming call.",
        ),
        Request(
            name="reject",
            action="reject",
            allowed=("incoming",),
            leads_to="terminated",
            expect=Expect(
                states=("terminating", "terminated"),
                rule="state-after-reject",
                severity="violation",
                summary="a rejected call reported a state other than its end: it never establishes",
            ),
            doc="The bot rejects an incoming call; Graph ends it (deleted, no state).",
        ),
        Request(
            name="redirect_call",
            action="redirect",
            allowed=("incoming",),
            leads_to="redirecting",
            expect=Expect(
                states=("redirecting", "terminating", "terminated"),
                rule="state-after-redirect",
                severity="violation",
                summary="a redirected call reported a state other than redirecting or its end",
            ),
            doc="The bot redirects an incoming call to other targets.",
        ),
        Request(
            name="transfer_call",
            action="transfer",
            allowed=("established",),
            leads_to="transferring",
            expect=Expect(
                states=("transferring",),
                rule="no-transfer-notification",
                severity="warning",
                summary="Graph accepted a transfer, but transferring never came before the "
                "call's next state or the end of the trace (comms-samples #849)",
                until_end=True,
            ),
            doc="The bot transfers an established call, blind or consultative.",
        ),
        Request(
            name="delete_call",
            method="DELETE",
            allowed=live,
            leads_to="terminating",
            status=204,
            doc="The bot hangs up; on a group call, only its own leg.",
        ),
        Request(
            name="keep_alive",
            action="keepAlive",
            allowed=live,
            status=200,
            doc="The bot tells Graph the call is still in use.",
        ),
    )


def call_timeouts(live: tuple[str, ...]) -> tuple[Timeout, ...]:
    """The documented windows: answering an incoming call, and keeping a call alive."""
    return (
        Timeout(
            name="answer",
            states=("incoming",),
            seconds=ANSWER_WINDOW,
            judged=("answer", "reject", "redirect_call"),
            ends_with=Result(408, 1106),
            rule="answer-window-expired",
            severity="violation",
            summary=f"answer, reject or redirect more than {ANSWER_WINDOW:g} s after the incoming "
            "notification",
        ),
        Timeout(
            name="keepalive",
            states=live,
            seconds=KEEPALIVE_WINDOW,
            reset_by=("keep_alive",),
            ends_with=Result(408, 8537),
            rule="keepalive-overdue",
            severity="warning",
            summary=f"a live call's line came over {KEEPALIVE_WINDOW / 60:g} minutes after its "
            "start or last keepAlive",
        ),
    )
