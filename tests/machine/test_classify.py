"""The classifier: from a notification's values to the one event it reports."""

from __future__ import annotations

from typing import Any

import pytest

from callstate.machine import CALL_MACHINE, Event, Marker, SignalError, compiled

MARKED = [(e, m) for e in CALL_MACHINE.events for m in e.markers]
PLAIN = [e for e in CALL_MACHINE.events if not e.markers]


def rule(state: str | None, **values: Any) -> str:
    """The rule of the SignalError ``classify`` raises, or ``"none"``."""
    try:
        compiled(CALL_MACHINE).classify(state, **values)
    except SignalError as exc:
        return exc.rule
    return "none"


class TestPlainStates:
    """A state with no marker reports its plain event."""

    @pytest.mark.parametrize("event", PLAIN, ids=lambda e: e.name)
    def test_each_state(self, event: Event) -> None:
        """Each unmarked event is what a notification of its state reports."""
        expected = (event.name, None)
        assert expected == compiled(CALL_MACHINE).classify(event.reports)

    def test_normal_end_codes_are_plain(self) -> None:
        """terminated with 200/4097, 200/5001, 200/7000, 200/7015: a plain end, not a transfer."""
        ends = [(200, 4097), (200, 5001), (200, 7000), (200, 7015), (408, 8537)]
        expected = [("terminate", None)] * len(ends)
        actual = [compiled(CALL_MACHINE).classify("terminated", code=c, subcode=s) for c, s in ends]
        assert expected == actual


class TestMarkers:
    """Every marker of the definition is recognised, with its kind."""

    @pytest.mark.parametrize(("event", "marker"), MARKED, ids=lambda x: getattr(x, "label", ""))
    def test_each_marker(self, event: Event, marker: Marker) -> None:
        """The marker's code/subcode or terminationReason gives (event, kind).

        A result several kinds share gives the event, with one of those kinds: the kind
        the request announced tells which (``Compiled.shared_kinds``).
        """
        machine = compiled(CALL_MACHINE)
        actual = machine.classify(
            event.reports,
            code=marker.code,
            subcode=marker.subcode,
            termination_reason=marker.termination_reason,
        )
        reason = marker.termination_reason
        key = reason.lower() if reason else (marker.code or 0, marker.subcode or 0)
        kinds = machine.shared_kinds.get(key, frozenset({marker.kind}))
        assert actual is not None
        expected: object = (event.name, True)
        assert expected == (actual[0], actual[1] in kinds)

    def test_reason_any_case(self) -> None:
        """terminationReason is matched in any letter case."""
        actual = compiled(CALL_MACHINE).classify("terminated", termination_reason="apptransferred")
        expected = ("complete_transfer", "consultative")
        assert expected == actual

    def test_deleted_with_success_marker(self) -> None:
        """deleted with no state but 0/7015: the transfer completed."""
        actual = compiled(CALL_MACHINE).classify(None, deleted=True, code=0, subcode=7015)
        expected = ("complete_transfer", "blind")
        assert expected == actual


class TestNoState:
    """Notifications without a state."""

    def test_deleted_without_state_ends_the_call(self) -> None:
        """deleted and no state reports the end of the call."""
        expected = ("terminate", None)
        assert expected == compiled(CALL_MACHINE).classify(None, deleted=True)

    def test_update_without_state_carries_data(self) -> None:
        """An update with no state (a mediaState update) reports no event."""
        expected = None
        assert expected is compiled(CALL_MACHINE).classify(None, code=500, subcode=7000)


class TestErrors:
    """Unknown states and misplaced markers are SignalErrors with their rule."""

    def test_unknown_state(self) -> None:
        """A state the machine does not know."""
        expected = "unknown-state"
        assert expected == rule("parked")

    @pytest.mark.parametrize(
        ("state", "values"),
        [
            ("established", {"code": 0, "subcode": 7015}),
            ("transferAccepted", {"termination_reason": "AppTransferred"}),
            ("terminated", {"code": 500, "subcode": 7700}),
            ("transferring", {"code": 500, "subcode": 7000}),
        ],
    )
    def test_marker_on_wrong_state(self, state: str, values: dict[str, object]) -> None:
        """A transfer marker on a notification of another state is misplaced."""
        expected = "misplaced-marker"
        assert expected == rule(state, **values)

    def test_conflicting_markers(self) -> None:
        """0/7015 (blind) and AppTransferred (consultative) at once contradict each other."""
        values = {"code": 0, "subcode": 7015, "termination_reason": "AppTransferred"}
        expected = "misplaced-marker"
        assert expected == rule("terminated", **values)
