"""The engine: the flows of the Core issue, the Call model, and table/engine agreement."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from transitions import MachineError

from callstate.call import Call
from callstate.errors import IllegalTransition, UsageError
from callstate.machine import CALL_MACHINE, ENGINE, MachineDefinition, compiled
from callstate.machine.engine import Engine
from callstate.strategies import definitions

BLIND, CONSULTATIVE = "blind", "consultative"


class Model:
    """The smallest thing the engine can drive: one slot."""

    __slots__ = ("state",)

    def __init__(self, state: str) -> None:
        self.state: str | None = state


def walk(start: str, *steps: tuple[str, str | None]) -> str | None:
    """Fire ``(event, kind)`` steps at a fresh model from ``start``; its final state."""
    model = Model(start)
    for event, kind in steps:
        ENGINE.fire(model, event, kind=kind)
    return model.state


def refused(state: str, event: str, kind: str | None = None) -> bool:
    """Whether the engine raises IllegalTransition and leaves the model where it was."""
    model = Model(state)
    try:
        ENGINE.fire(model, event, kind=kind)
    except IllegalTransition:
        return model.state == state
    return False


class TestSetUp:
    """Call set-up: incoming, establishing, established; reject and redirect while incoming."""

    def test_incoming_establishing_established(self) -> None:
        """The documented set-up path ends in established."""
        expected = "established"
        assert expected == walk("incoming", ("establish", None), ("connect", None))

    def test_established_before_establishing(self) -> None:
        """established may come first; a late establishing does not move the call back."""
        expected = "established"
        assert expected == walk("incoming", ("connect", None), ("establish", None))

    def test_ringing_in_set_up(self) -> None:
        """Beta's ringing sits between establishing and established."""
        steps = (("establish", None), ("ring", None), ("connect", None))
        expected = "established"
        assert expected == walk("incoming", *steps)

    def test_reject_while_incoming(self) -> None:
        """A reject is a deleted notification: incoming straight to terminated."""
        expected = "terminated"
        assert expected == walk("incoming", ("terminate", None))

    def test_redirect_while_incoming(self) -> None:
        """Redirect only while incoming."""
        expected = ("redirecting", True)
        assert expected == (
            walk("incoming", ("redirect", None)),
            refused("established", "redirect"),
        )


class TestHangUp:
    """Hang up from any live state, through terminating or straight to terminated."""

    @pytest.mark.parametrize("state", CALL_MACHINE.live)
    def test_through_terminating(self, state: str) -> None:
        """terminating then terminated."""
        expected = "terminated"
        assert expected == walk(state, ("hang_up", None), ("terminate", None))

    @pytest.mark.parametrize("state", CALL_MACHINE.live)
    def test_deleted_straight_to_terminated(self, state: str) -> None:
        """A deleted notification ends the call at once."""
        expected = "terminated"
        assert expected == walk(state, ("terminate", None))

    def test_terminated_accepts_nothing(self) -> None:
        """Every signal is refused once terminated."""
        expected = [True] * len(compiled(CALL_MACHINE).signals)
        assert expected == [refused("terminated", e, k) for e, k in compiled(CALL_MACHINE).signals]


class TestTransfer:
    """Transfer: only from established, into transferring, then transferAccepted."""

    def test_starts_only_from_established(self) -> None:
        """Of all states, only established moves into transferring on a transfer event."""
        moved = set()
        for state in CALL_MACHINE.states:
            model = Model(state)
            try:
                step = ENGINE.fire(model, "transfer")
            except IllegalTransition:
                continue
            if step is not None:
                moved.add(state)
        expected = {"established"}
        assert expected == moved

    def test_accepted_only_from_transferring(self) -> None:
        """transferAccepted follows transferring, and nothing else but itself."""
        accepted = {
            s
            for s in CALL_MACHINE.states
            if s != "transferAccepted" and not refused(s, "accept_transfer")
        }
        expected = {"transferring"}
        assert expected == accepted

    @pytest.mark.parametrize("kind", [BLIND, CONSULTATIVE])
    def test_success_ends_the_call(self, kind: str) -> None:
        """Blind (0/7015) or consultative (AppTransferred): transferAccepted to terminated."""
        steps = (("transfer", None), ("accept_transfer", None), ("complete_transfer", kind))
        expected = "terminated"
        assert expected == walk("established", *steps)

    @pytest.mark.parametrize("kind", [BLIND, CONSULTATIVE])
    def test_success_needs_accepted(self, kind: str) -> None:
        """A success straight from transferring or established is refused."""
        expected = (True, True)
        actual = (
            refused("transferring", "complete_transfer", kind),
            refused("established", "complete_transfer", kind),
        )
        assert expected == actual

    @pytest.mark.parametrize("kind", [BLIND, CONSULTATIVE])
    @pytest.mark.parametrize("source", ["transferring", "transferAccepted"])
    def test_failure_returns_to_established(self, source: str, kind: str) -> None:
        """500/7000 or 500/7700 from transferring or transferAccepted: back to established."""
        expected = "established"
        assert expected == walk(source, ("fail_transfer", kind))

    @pytest.mark.parametrize("kind", [BLIND, CONSULTATIVE])
    def test_failure_without_transfer_refused(self, kind: str) -> None:
        """A failure while merely established is refused."""
        assert refused("established", "fail_transfer", kind)

    def test_new_transfer_after_failure(self) -> None:
        """After a failure the call can transfer again."""
        steps = (
            ("transfer", None),
            ("fail_transfer", BLIND),
            ("transfer", None),
            ("accept_transfer", None),
            ("complete_transfer", CONSULTATIVE),
        )
        expected = "terminated"
        assert expected == walk("established", *steps)

    def test_marked_event_without_kind_is_a_usage_error(self) -> None:
        """A guarded event fired without a marker kind is refused before any edge is tried."""
        with pytest.raises(UsageError):
            ENGINE.fire(Model("transferAccepted"), "complete_transfer")


class TestSameStateUpdate:
    """A notification that repeats the state only adds data."""

    def test_returns_none_and_stays(self) -> None:
        """established again: fire returns None and the state is kept."""
        model = Model("established")
        expected = (None, "established")
        assert expected == (ENGINE.fire(model, "connect"), model.state)


class TestCallModel:
    """Driving a graph.Call: errors name everything, allowed events, history."""

    def test_illegal_transition_names_call_state_event_allowed(self) -> None:
        """IllegalTransition carries call id, state, event and the allowed events."""
        call = Call(id="c-1", state="incoming")
        with pytest.raises(IllegalTransition) as info:
            call.fire("transfer")
        err = info.value
        expected = ("c-1", "incoming", "transfer", CALL_MACHINE.allowed_events("incoming"))
        assert expected == (err.call_id, err.state, err.event, err.allowed)
        assert all(name in str(err) for name in ("c-1", "incoming", "transfer", "establish"))

    def test_illegal_leaves_call_unchanged(self) -> None:
        """A refused event changes neither state nor history."""
        call = Call(id="c-1", state="established")
        with pytest.raises(IllegalTransition):
            call.fire("accept_transfer")
        expected: tuple[str, list[object]] = ("established", [])
        assert expected == (call.state, call.history)

    def test_allowed_events(self) -> None:
        """allowed_events follows the state and the definition."""
        call = Call(id="c-1", state="transferring")
        before = call.allowed_events()
        call.fire("accept_transfer")
        expected = (
            CALL_MACHINE.allowed_events("transferring"),
            CALL_MACHINE.allowed_events("transferAccepted"),
        )
        assert expected == (before, call.allowed_events())

    def test_history(self) -> None:
        """Each step is kept: event, source, destination and marker kind."""
        call = Call(id="c-1", state="incoming")
        for event, kind in [
            ("establish", None),
            ("connect", None),
            ("connect", None),
            ("transfer", None),
            ("fail_transfer", CONSULTATIVE),
        ]:
            call.fire(event, kind=kind)
        expected = [
            ("establish", "incoming", "establishing", None),
            ("connect", "establishing", "established", None),
            ("connect", "established", "established", None),
            ("transfer", "established", "transferring", None),
            ("fail_transfer", "transferring", "established", CONSULTATIVE),
        ]
        assert expected == [(h.event, h.source, h.dest, h.kind) for h in call.history]

    def test_stateless_call_refuses(self) -> None:
        """A call with no state accepts no event and allows none."""
        call = Call(id="c-2")
        with pytest.raises(IllegalTransition):
            call.fire("connect")
        expected = ()
        assert expected == call.allowed_events()


def _table_and_engine(engine: Engine) -> tuple[list[object], list[object]]:
    """For every (state, event, kind) of the engine's definition, where the compiled table
    says the call goes, and where a raw trigger of the engine takes it."""
    machine = compiled(engine.definition)
    expected: list[object] = []
    actual: list[object] = []
    for state in engine.definition.states:
        for event, kind in machine.signals:
            entry = machine.table.get((state, event, kind))
            moved = entry is not None and entry[1] is not None
            expected.append((state, event, kind, moved, entry[0] if moved and entry else state))
            model = Model(state)
            trigger = engine.machine.events.get(event)
            try:
                took = trigger is not None and bool(trigger.trigger(model, kind=kind))
            except MachineError:
                took = False
            actual.append((state, event, kind, took, model.state))
    return expected, actual


class TestTableAgreesWithEngine:
    """The compiled table and the transitions engine give the same answer everywhere."""

    def test_every_state_and_signal(self) -> None:
        """For every (state, event, kind), the table and a raw trigger reach the same state."""
        expected, actual = _table_and_engine(ENGINE)
        assert expected == actual

    @settings(max_examples=30, deadline=None)
    @given(definitions())
    def test_every_drawn_definition(self, definition: MachineDefinition) -> None:
        """The same on any drawn definition: its own engine and its own table agree."""
        expected, actual = _table_and_engine(Engine(definition))
        assert expected == actual

    def test_table_covers_every_definition_edge(self) -> None:
        """Every transition of the definition is in the table, keyed by its guard's kind."""
        table = compiled(CALL_MACHINE).table
        expected = {(t.source, t.event, t.dest) for t in CALL_MACHINE.transitions}
        actual = {(k[0], k[1], v[0]) for k, v in table.items() if v[1] is not None}
        assert expected == actual
