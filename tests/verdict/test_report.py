"""What the contract says must be REPORTED: the exact line and rule, through the API and the CLI."""

from __future__ import annotations

import pytest

from callstate.verdict import Tracker, validate_lines
from tests.verdict.conftest import (
    CALL,
    Json,
    RunJson,
    envelope,
    jsonl,
    note,
    opening,
    request,
    signal_note,
)

BLIND_BODY: Json = {"transferTarget": {"identity": {"user": {"id": "u1"}}}}
CONSULTATIVE_BODY: Json = {
    "transferTarget": {"identity": {"user": {"id": "u1"}}, "replacesCallId": "r1"}
}


def verdicts(lines: list[bytes], run_json: RunJson) -> tuple[object, object, int]:
    """``(line, rule)`` of each violation from the API and from the CLI, and the exit code."""
    report = validate_lines(lines)
    code, cli = run_json(lines)
    return (
        [(v.line, v.rule) for v in report.violations],
        [(v["line"], v["rule"]) for v in cli["violations"]],
        code,
    )


def both(found: list[tuple[int, str]]) -> tuple[object, object, int]:
    """The same violations expected from the API and the CLI, which exits 1."""
    return found, found, 1


def state_after(bodies: list[object], call: str = CALL) -> str | None:
    """The call's state after ``bodies``."""
    tracker = Tracker()
    for body in bodies:
        tracker.ingest(body)
    return tracker.state(call)


class TestTransferAcceptedWithoutTransfer:
    """transferAccepted when no transfer is in progress."""

    def test_reported_then_judged_from_arrival(self, run_json: RunJson) -> None:
        """Reported at its line; the success that follows is judged from transferAccepted."""
        bodies: list[object] = [
            *opening(),
            envelope(note("transferAccepted")),
            envelope(signal_note("complete_transfer", "blind")),
        ]
        expected = both([(4, "transfer-not-in-progress")])
        assert expected == verdicts(jsonl(bodies), run_json)

    def test_finding_fields(self) -> None:
        """The violation names the call, the state before and what arrived."""
        lines = jsonl([*opening(), envelope(note("transferAccepted"))])
        expected = {
            "line": 4,
            "callId": CALL,
            "rule": "transfer-not-in-progress",
            "message": "transferAccepted while established: no transfer in progress",
            "state": "established",
            "received": "transferAccepted",
        }
        assert expected == validate_lines(lines).violations[0].to_json()


class TestTransferringFromNonEstablished:
    """transferring from a state other than established."""

    @pytest.mark.parametrize("state", ["incoming", "establishing", "hold", "terminating"])
    def test_reported_then_no_cascade(self, state: str, run_json: RunJson) -> None:
        """Reported once; transferAccepted then failure are judged from transferring."""
        start = [envelope(note("incoming", change="created"))]
        if state == "establishing":
            start.append(envelope(note("establishing")))
        elif state in ("hold", "terminating"):
            start += [envelope(note("established")), envelope(note(state))]
        bodies: list[object] = [
            *start,
            envelope(note("transferring")),
            envelope(note("transferAccepted")),
            envelope(signal_note("fail_transfer", "blind")),
        ]
        expected = (both([(len(start) + 1, "transfer-from-non-established")]), "established")
        assert expected == (verdicts(jsonl(bodies), run_json), state_after(bodies))


class TestAfterTerminated:
    """terminated is absorbing: any change after it, apart from an exact duplicate."""

    def test_every_later_change(self, run_json: RunJson) -> None:
        """Each later change is reported at its line; the duplicate is not; still terminated."""
        end = envelope(note("terminated", change="deleted"))
        bodies: list[object] = [
            *opening(),
            end,
            end,
            envelope(note("established")),
            envelope(note(change="deleted")),
            envelope(note("terminated", change="deleted", resultInfo={"code": 200, "subcode": 1})),
            request(BLIND_BODY),
        ]
        expected = (
            both(
                [
                    (6, "terminated-is-absorbing"),
                    (7, "terminated-is-absorbing"),
                    (8, "terminated-is-absorbing"),
                    (9, "request-not-allowed"),
                ]
            ),
            "terminated",
        )
        assert expected == (verdicts(jsonl(bodies), run_json), state_after(bodies))


class TestFailureWithoutTransfer:
    """established + 500/7000 or 7700 when no transfer is in progress."""

    @pytest.mark.parametrize("kind", ["blind", "consultative"])
    def test_reported_then_established(self, kind: str, run_json: RunJson) -> None:
        """Reported at its line; the call stays established, so hold is fine."""
        bodies: list[object] = [
            *opening(),
            envelope(signal_note("fail_transfer", kind)),
            envelope(note("hold")),
        ]
        expected = (both([(4, "failure-without-transfer")]), "hold")
        assert expected == (verdicts(jsonl(bodies), run_json), state_after(bodies))


class TestSuccessMarker:
    """A success marker when not terminated, or with no transfer in progress."""

    @pytest.mark.parametrize(
        "fields",
        [{"resultInfo": {"code": 0, "subcode": 7015}}, {"terminationReason": "AppTransferred"}],
        ids=["0/7015", "AppTransferred"],
    )
    @pytest.mark.parametrize("state", ["established", "transferAccepted", "terminating"])
    def test_marker_while_not_terminated(self, state: str, fields: Json, run_json: RunJson) -> None:
        """misplaced-marker at its line; the call takes the state that arrived."""
        bodies: list[object] = [
            *opening(),
            envelope(note("transferring")),
            envelope(note(state, **fields)),
        ]
        expected = (both([(5, "misplaced-marker")]), state)
        assert expected == (verdicts(jsonl(bodies), run_json), state_after(bodies))

    @pytest.mark.parametrize("kind", ["blind", "consultative"])
    @pytest.mark.parametrize("before", ["established", "transferring"])
    def test_success_without_transfer(self, before: str, kind: str, run_json: RunJson) -> None:
        """terminated with a success marker but no transferAccepted before it."""
        bodies: list[object] = [*opening()]
        if before == "transferring":
            bodies.append(envelope(note("transferring")))
        bodies.append(envelope(signal_note("complete_transfer", kind)))
        expected = (both([(len(bodies), "success-without-transfer")]), "terminated")
        assert expected == (verdicts(jsonl(bodies), run_json), state_after(bodies))

    def test_deleted_without_state_and_failure_marker_ends_the_call(
        self, run_json: RunJson
    ) -> None:
        """deleted, no state, 500/7000: misplaced, and the call ends as deleted says."""
        bodies: list[object] = [
            *opening(),
            envelope(note(change="deleted", resultInfo={"code": 500, "subcode": 7000})),
            envelope(note("established")),
        ]
        expected = (both([(4, "misplaced-marker"), (5, "terminated-is-absorbing")]), "terminated")
        assert expected == (verdicts(jsonl(bodies), run_json), state_after(bodies))


GOOD = envelope(note("incoming", change="created", call="next-call"))
