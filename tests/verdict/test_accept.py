"""What the contract says must be ACCEPTED: through the API and through ``callstate validate``."""

from __future__ import annotations

from typing import ClassVar

import pytest

from callstate.machine import CALL_MACHINE
from callstate.verdict import Tracker, validate_lines
from tests.conftest import SpecExample
from tests.verdict.conftest import (
    CALL,
    OUTCOMES,
    Json,
    RunJson,
    envelope,
    jsonl,
    note,
    opening,
    path_to,
    signal_note,
    spec_trace,
)


def verdicts(bodies: list[object], run_json: RunJson) -> tuple[list[object], list[object], int]:
    """Violations from the API, violations from the CLI, and the CLI's exit code."""
    lines = jsonl(bodies)
    report = validate_lines(lines)
    code, cli = run_json(lines)
    return [v.to_json() for v in report.violations], cli["violations"], code


def final_state(bodies: list[object], call: str = CALL) -> str | None:
    """The state a tracker holds for ``call`` after ``bodies``."""
    tracker = Tracker()
    for body in bodies:
        tracker.ingest(body)
    return tracker.state(call)


NO_VIOLATIONS: tuple[list[object], list[object], int] = ([], [], 0)


class TestSpecExamples:
    """Every documented sequence of the four examples, success and failure."""

    @pytest.mark.parametrize("outcome", OUTCOMES)
    @pytest.mark.parametrize("index", range(4))
    def test_example(
        self, spec_examples: list[SpecExample], index: int, outcome: str, run_json: RunJson
    ) -> None:
        """Opening, request, then the example's notifications: no violation, exit 0."""
        bodies: list[object] = [*spec_trace(spec_examples[index], outcome)]
        expected = NO_VIOLATIONS
        assert expected == verdicts(bodies, run_json)

    @pytest.mark.parametrize("outcome", OUTCOMES)
    @pytest.mark.parametrize("index", range(4))
    def test_example_end_state(
        self, spec_examples: list[SpecExample], index: int, outcome: str
    ) -> None:
        """Success ends the call; failure leaves it established."""
        expected = "terminated" if outcome == "success" else "established"
        assert expected == final_state([*spec_trace(spec_examples[index], outcome)])

    def test_examples_counted(self, spec_examples: list[SpecExample], run_json: RunJson) -> None:
        """The report counts lines, notifications and calls."""
        lines = jsonl(spec_trace(spec_examples[0], "success"))
        expected = (0, True, 7, 6, 1)
        code, report = run_json(lines)
        actual = (code, report["ok"], report["lines"], report["notifications"], report["calls"])
        assert expected == actual


class TestOutOfOrder:
    """establishing and established may swap; a late establishing does not move back."""

    def test_late_establishing(self, run_json: RunJson) -> None:
        """incoming, established, establishing, ringing: no violation."""
        bodies: list[object] = [
            envelope(note("incoming", change="created")),
            envelope(note("established")),
            envelope(note("establishing")),
            envelope(note("ringing")),
        ]
        expected = (NO_VIOLATIONS, "established")
        assert expected == (verdicts(bodies, run_json), final_state(bodies))


class TestMediaInactive:
    """transferAccepted before or after a mediaState audio-inactive update."""

    @pytest.mark.parametrize("media_first", [True, False])
    def test_either_order(self, media_first: bool, run_json: RunJson) -> None:
        """A state-less mediaState update changes nothing, wherever it falls."""
        media = envelope(note(mediaState={"audio": "inactive"}))
        accepted = envelope(note("transferAccepted"))
        middle = [media, accepted] if media_first else [accepted, media]
        bodies: list[object] = [*opening(), envelope(note("transferring")), *middle]
        expected = (NO_VIOLATIONS, "transferAccepted")
        assert expected == (verdicts(bodies, run_json), final_state(bodies))


class TestTransferFailure:
    """Failure from transferring or transferAccepted, with or without replacesContext."""

    @pytest.mark.parametrize("replaces", [None, "ctx-1"])
    @pytest.mark.parametrize(("code", "subcode"), [(500, 7000), (500, 7700), ("500", "7000")])
    @pytest.mark.parametrize("accepted", [True, False])
    def test_fail_then_transfer_again(
        self,
        accepted: bool,
        code: object,
        subcode: object,
        replaces: str | None,
        run_json: RunJson,
    ) -> None:
        """Back to established, then a new transfer that succeeds."""
        fields: Json = {"resultInfo": {"code": code, "subCode": subcode, "message": "x"}}
        if replaces is not None:
            fields["replacesContext"] = replaces
        bodies: list[object] = [
            *opening(),
            envelope(note("transferring")),
            *([envelope(note("transferAccepted"))] if accepted else []),
            envelope(note("established", **fields)),
            envelope(note("transferring")),
            envelope(note("transferAccepted")),
            envelope(signal_note("complete_transfer", "blind")),
        ]
        expected = NO_VIOLATIONS
        assert expected == verdicts(bodies, run_json)


class TestHangUp:
    """Hang-up from any live state: via terminating, or deleted with or without a state."""

    ENDINGS: ClassVar[dict[str, list[Json]]] = {
        "terminating-terminated": [
            note("terminating"),
            note("terminated", change="deleted", resultInfo={"code": 200, "subcode": 5001}),
        ],
        "deleted-terminated": [note("terminated", change="deleted")],
        "deleted-no-state": [note(change="deleted")],
    }

    @pytest.mark.parametrize("ending", ENDINGS)
    @pytest.mark.parametrize("state", CALL_MACHINE.live)
    def test_from_every_live_state(self, state: str, ending: str, run_json: RunJson) -> None:
        """Reach ``state`` legally, then end: no violation, and the call is gone."""
        bodies: list[object] = [envelope(signal_note(e, k)) for e, k in path_to(state)]
        bodies += [envelope(n) for n in self.ENDINGS[ending]]
        tracker = Tracker()
        for body in bodies:
            tracker.ingest(body)
        expected: tuple[object, ...] = (NO_VIOLATIONS, "terminated", [], [CALL])
        actual = (
            verdicts(bodies, run_json),
            tracker.state(CALL),
            list(tracker.live_calls()),
            list(tracker.ended_calls()),
        )
        assert expected == actual

    @pytest.mark.parametrize(
        ("code", "subcode"),
        [
            (200, 4097),
            (200, 4521),
            (200, 5001),
            (200, 5002),
            (200, 7000),
            (200, 7015),
            (200, 10550),
            (408, 8537),
            (410, 301005),
            (480, 10076),
            ("200", "5001"),
        ],
    )
    def test_normal_end_codes(self, code: object, subcode: object, run_json: RunJson) -> None:
        """The documented call-end codes are plain ends, not transfer outcomes."""
        end = note("terminated", change="deleted", resultInfo={"code": code, "subcode": subcode})
        bodies: list[object] = [*opening(), envelope(note("terminating")), envelope(end)]
        expected = NO_VIOLATIONS
        assert expected == verdicts(bodies, run_json)

    def test_reject_while_incoming(self, run_json: RunJson) -> None:
        """Reject: incoming then deleted with no state."""
        bodies: list[object] = [
            envelope(note("incoming", change="created")),
            envelope(note(change="deleted")),
        ]
        expected = NO_VIOLATIONS
        assert expected == verdicts(bodies, run_json)


class TestDuplicates:
    """An exact duplicate of a call's previous notification is a webhook retry."""

    @pytest.mark.parametrize("outcome", OUTCOMES)
    def test_every_line_twice(
        self, spec_examples: list[SpecExample], outcome: str, run_json: RunJson
    ) -> None:
        """Each body of a spec trace delivered twice in a row: no violation."""
        bodies: list[object] = []
        for body in spec_trace(spec_examples[1], outcome):
            bodies += [body, body]
        expected = NO_VIOLATIONS
        assert expected == verdicts(bodies, run_json)

    def test_duplicate_with_keys_reordered(self, run_json: RunJson) -> None:
        """Key order does not make a retry different."""
        done = note("terminated", change="deleted", terminationReason="AppTransferred")
        reordered = dict(reversed(list(done.items())))
        bodies: list[object] = [
            *opening(),
            envelope(note("transferring")),
            envelope(note("transferAccepted")),
            envelope(done),
            envelope(reordered),
        ]
        expected = NO_VIOLATIONS
        assert expected == verdicts(bodies, run_json)


class TestMidCall:
    """A trace can start mid-call: the first notification sets the state."""

    @pytest.mark.parametrize("first", ["established", "transferring", "transferAccepted", "hold"])
    def test_first_notification_sets_state(self, first: str, run_json: RunJson) -> None:
        """No violation, and the call is in the state first seen."""
        bodies: list[object] = [envelope(note(first))]
        expected = (NO_VIOLATIONS, first)
        assert expected == (verdicts(bodies, run_json), final_state(bodies))

    def test_first_is_the_end(self, run_json: RunJson) -> None:
        """A trace that only shows the end of a transfer."""
        bodies: list[object] = [envelope(signal_note("complete_transfer", "consultative"))]
        expected = NO_VIOLATIONS
        assert expected == verdicts(bodies, run_json)

    def test_strict_reports_the_start(self, run_json: RunJson) -> None:
        """--strict: a call whose first state is not incoming is reported, once, at its line."""
        lines = jsonl(
            [
                envelope(note("incoming", change="created", call="other")),
                envelope(note("established")),
                envelope(note("hold")),
            ]
        )
        expected = ([(2, "strict-start")], 1, [(2, "strict-start")])
        report = validate_lines(lines, strict=True)
        code, cli = run_json(lines, "--strict")
        actual = (
            [(v.line, v.rule) for v in report.violations],
            code,
            [(v["line"], v["rule"]) for v in cli["violations"]],
        )
        assert expected == actual


class TestUnknownState:
    """An unknown state value is a warning, not a violation."""

    def test_warning_only(self, run_json: RunJson) -> None:
        """Exit 0, one unknown-state warning at its line, the call's state unchanged."""
        bodies: list[object] = [*opening(), envelope(note("parked")), envelope(note("hold"))]
        lines = jsonl(bodies)
        code, cli = run_json(lines)
        report = validate_lines(lines)
        expected: tuple[object, ...] = (
            0,
            [],
            [(4, CALL, "unknown-state", "established", "parked")],
            "hold",
        )
        actual = (
            code,
            cli["violations"],
            [
                (w["line"], w["callId"], w["rule"], w["state"], w["received"])
                for w in cli["warnings"]
            ],
            final_state(bodies),
        )
        assert expected == actual
        shown = [{k: v for k, v in w.items() if k != "file"} for w in cli["warnings"]]
        assert [w.to_json() for w in report.warnings] == shown


class TestSameStateUpdate:
    """established again with more data is a same-state update."""

    @pytest.mark.parametrize(
        "fields",
        [
            {"mediaState": {"audio": "active"}},
            {"toneInfo": {"tone": "tone1", "sequenceId": 1}},
            {"chatInfo": {"threadId": "19:x", "messageId": "0"}},
            {"meetingInfo": {"@odata.type": "#microsoft.graph.organizerMeetingInfo"}},
        ],
        ids=lambda f: next(iter(f)),
    )
    def test_established_again(self, fields: Json, run_json: RunJson) -> None:
        """No violation, no history step, still established, then a transfer is fine."""
        bodies: list[object] = [
            *opening(),
            envelope(note("established", **fields)),
            envelope(note("established", **fields)),
            envelope(note("transferring")),
        ]
        tracker = Tracker()
        for body in bodies[:-1]:
            tracker.ingest(body)
        expected = (NO_VIOLATIONS, 3)
        assert expected == (verdicts(bodies, run_json), len(tracker.history(CALL)))
