"""Driving a Call: fire, allowed events, history, and the IllegalTransition message."""

from __future__ import annotations

import pytest

from callstate.call import Call, HistoryEntry
from callstate.errors import IllegalTransition, UsageError
from callstate.graph import CallState, dump
from callstate.machine import CALL_MACHINE


class TestFire:
    """Call.fire moves the call through the shared engine."""

    def test_moves_and_returns_transition(self) -> None:
        """A legal event moves the call and returns the definition's transition."""
        call = Call(id="c1", state="established")
        transition = call.fire("transfer")
        expected = "transferring"
        assert expected == call.state
        assert CALL_MACHINE.resolve("established", "transfer", None) == transition

    def test_guarded_event_uses_kind(self) -> None:
        """A marked event takes the edge whose guard matches ``kind``."""
        call = Call(id="c1", state="transferAccepted")
        transition = call.fire("complete_transfer", kind="consultative")
        assert transition is not None
        expected = ("terminated", "consultative")
        assert expected == (call.state, transition.guard)

    def test_same_state_update_returns_none(self) -> None:
        """An event that repeats the current state returns None and keeps the state."""
        call = Call(state="transferring")
        assert call.fire("transfer") is None
        expected = "transferring"
        assert expected == call.state

    def test_state_stays_a_plain_string(self) -> None:
        """After firing, state is a str that compares equal to the CallState member."""
        call = Call(state="incoming")
        call.fire("establish")
        assert type(call.state) is str
        expected = CallState.ESTABLISHING
        assert expected == call.state


class TestHistory:
    """Each call keeps the steps it took."""

    def test_records_each_step(self) -> None:
        """Every fired event is recorded with source, dest and marker kind."""
        call = Call(id="c1", state="established")
        call.fire("transfer")
        call.fire("accept_transfer")
        call.fire("fail_transfer", kind="blind")
        assert [
            HistoryEntry("transfer", "established", "transferring", None),
            HistoryEntry("accept_transfer", "transferring", "transferAccepted", None),
            HistoryEntry("fail_transfer", "transferAccepted", "established", "blind"),
        ] == call.history

    def test_illegal_event_not_recorded(self) -> None:
        """A refused event leaves state and history unchanged."""
        call = Call(state="incoming")
        with pytest.raises(IllegalTransition):
            call.fire("transfer")
        expected: tuple[str, list[HistoryEntry]] = ("incoming", [])
        assert expected == (call.state, call.history)

    def test_history_not_in_json_or_equality(self) -> None:
        """History is runtime data: not written, not compared."""
        driven = Call(id="c1", state="established")
        driven.fire("hold")
        fresh = Call(id="c1", state="hold")
        assert fresh == driven
        assert dump(fresh) == dump(driven)


class TestAllowedEvents:
    """Which events a call accepts now."""

    @pytest.mark.parametrize("state", CALL_MACHINE.states)
    def test_matches_definition(self, state: str) -> None:
        """The call's allowed events are the definition's for its state."""
        assert CALL_MACHINE.allowed_events(state) == Call(state=state).allowed_events()

    def test_no_state(self) -> None:
        """A call with no state accepts nothing."""
        expected = ()
        assert expected == Call().allowed_events()


class TestIllegalTransition:
    """The error names the call, its state, the event and the allowed events."""

    def test_message(self) -> None:
        """All four are in the message and on the exception."""
        call = Call(id="c1", state="incoming")
        with pytest.raises(IllegalTransition) as caught:
            call.fire("transfer")
        error = caught.value
        expected = ("c1", "incoming", "transfer")
        assert expected == (error.call_id, error.state, error.event)
        assert CALL_MACHINE.allowed_events("incoming") == error.allowed
        assert "call c1" in str(error)
        assert "'transfer'" in str(error)
        assert ", ".join(error.allowed) in str(error)

    def test_terminated_allows_nothing(self) -> None:
        """A terminated call refuses every event."""
        with pytest.raises(IllegalTransition, match="allowed events: none"):
            Call(id="c1", state="terminated").fire("connect")

    @pytest.mark.parametrize("state", [None, "unknownFutureValue", "parked"])
    def test_state_outside_the_machine(self, state: str | None) -> None:
        """A call without a state the machine knows raises IllegalTransition, nothing else."""
        with pytest.raises(IllegalTransition) as caught:
            Call(id="c1", state=state).fire("connect")
        expected = ()
        assert expected == caught.value.allowed

    def test_unknown_event(self) -> None:
        """An event the definition does not have is a usage error that says it is unknown."""
        with pytest.raises(UsageError) as info:
            Call(state="established").fire("teleport")
        assert str(info.value).startswith("event: unknown event 'teleport'; the events are offer")

    def test_marked_event_needs_a_kind(self) -> None:
        """A marked event fired without a kind says a kind is needed, and which kinds."""
        with pytest.raises(UsageError) as info:
            Call(state="transferAccepted").fire("fail_transfer")
        expected = "kind: event 'fail_transfer' needs kind= one of blind, consultative, got None"
        assert expected == str(info.value)
