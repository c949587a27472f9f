"""The definition checks: each rule of ``_checks.py`` catches a deliberately broken definition."""

from __future__ import annotations

import pytest

from callstate.errors import DefinitionError
from callstate.machine.definition import CALL_MACHINE, Event, MachineDefinition, Transition


def rule_of(**changes: object) -> str:
    """The rule ``CALL_MACHINE.replace(**changes)`` breaks, or ``"none"``."""
    try:
        CALL_MACHINE.replace(**changes)
    except DefinitionError as exc:
        return exc.rule
    return "none"


class TestCallMachine:
    """The shipped definition passes every check."""

    def test_builds_checked(self) -> None:
        """Rebuilding CALL_MACHINE with checks on raises nothing and gives an equal definition."""
        rebuilt = MachineDefinition(
            CALL_MACHINE.name,
            CALL_MACHINE.states,
            CALL_MACHINE.initial,
            CALL_MACHINE.final,
            CALL_MACHINE.events,
            CALL_MACHINE.guards,
            CALL_MACHINE.transitions,
            ended=CALL_MACHINE.ended,
            kinds=CALL_MACHINE.kinds,
            requests=CALL_MACHINE.requests,
            timeouts=CALL_MACHINE.timeouts,
        )
        expected = CALL_MACHINE
        assert expected == rebuilt

    def test_unchecked_copy_skips_rules(self) -> None:
        """check=False builds even a broken definition, for mutation tests."""
        broken = CALL_MACHINE.replace(states=(*CALL_MACHINE.states, "limbo"), check=False)
        expected = "limbo"
        assert expected == broken.states[-1]


class TestUniqueNames:
    """Names are defined once."""

    def test_state_twice(self) -> None:
        """A state listed twice breaks unique-names."""
        expected = "unique-names"
        assert expected == rule_of(states=(*CALL_MACHINE.states, "incoming"))

    def test_event_twice(self) -> None:
        """An event defined twice breaks unique-names."""
        expected = "unique-names"
        assert expected == rule_of(events=(*CALL_MACHINE.events, Event("hold", "hold")))

    def test_guard_twice(self) -> None:
        """A guard defined twice breaks unique-names."""
        expected = "unique-names"
        assert expected == rule_of(guards=CALL_MACHINE.guards * 2)


class TestKnownNames:
    """Every name used refers to something defined."""

    def test_unknown_initial(self) -> None:
        """An initial state that is not a state."""
        expected = "known-names"
        assert expected == rule_of(initial="nowhere")

    def test_unknown_final(self) -> None:
        """A final state that is not a state."""
        expected = "known-names"
        assert expected == rule_of(final=frozenset({"terminated", "gone"}))

    def test_event_reports_unknown_state(self) -> None:
        """An event that reports a state that does not exist."""
        expected = "known-names"
        assert expected == rule_of(events=(*CALL_MACHINE.events, Event("x", "nowhere")))

    def test_transition_to_unknown_state(self) -> None:
        """A transition whose destination is not a state."""
        edge = Transition("established", "hold", "nowhere")
        expected = "known-names"
        assert expected == rule_of(transitions=(*CALL_MACHINE.transitions, edge))

    def test_transition_on_unknown_event(self) -> None:
        """A transition on an event that is not defined."""
        edge = Transition("hold", "explode", "terminated")
        expected = "known-names"
        assert expected == rule_of(transitions=(*CALL_MACHINE.transitions, edge))

    def test_transition_with_unknown_guard(self) -> None:
        """A transition guarded by a guard that is not defined."""
        edge = Transition("hold", "connect", "established", guard="lucky")
        expected = "known-names"
        assert expected == rule_of(transitions=(edge, *CALL_MACHINE.transitions))

    def test_guard_on_unmarked_event(self) -> None:
        """A guard on an event that never carries a marker of the guard's kind."""
        edge = Transition("hold", "hang_up", "terminating", guard="blind")
        kept = tuple(
            t for t in CALL_MACHINE.transitions if (t.source, t.event) != ("hold", "hang_up")
        )
        expected = "known-names"
        assert expected == rule_of(transitions=(*kept, edge))


class TestFinalIsAbsorbing:
    """No transition leaves a final state."""

    def test_edge_out_of_terminated(self) -> None:
        """terminated --connect--> established breaks final-is-absorbing."""
        edge = Transition("terminated", "connect", "established")
        expected = "final-is-absorbing"
        assert expected == rule_of(transitions=(*CALL_MACHINE.transitions, edge))


class TestDeterministic:
    """At most one transition per (state, event) once guards apply."""

    def test_two_unguarded_edges(self) -> None:
        """established --hold--> twice, to different states."""
        edge = Transition("established", "hold", "terminating")
        expected = "deterministic"
        assert expected == rule_of(transitions=(*CALL_MACHINE.transitions, edge))

    def test_guarded_and_unguarded(self) -> None:
        """An unguarded failure beside the guarded ones can apply at once."""
        edge = Transition("transferring", "fail_transfer", "established")
        expected = "deterministic"
        assert expected == rule_of(transitions=(*CALL_MACHINE.transitions, edge))

    def test_same_guard_twice(self) -> None:
        """Two blind-guarded successes from transferAccepted."""
        edge = Transition("transferAccepted", "complete_transfer", "established", guard="blind")
        expected = "deterministic"
        assert expected == rule_of(transitions=(*CALL_MACHINE.transitions, edge))


class TestReachable:
    """Every state is reachable from the initial state."""

    def test_orphan_state(self) -> None:
        """A state no transition enters breaks reachable."""
        edge = Transition("limbo", "terminate", "terminated")
        expected = "reachable"
        assert expected == rule_of(
            states=(*CALL_MACHINE.states, "limbo"),
            transitions=(*CALL_MACHINE.transitions, edge),
        )


class TestCanEnd:
    """A final state is reachable from every state."""

    def test_trap_state(self) -> None:
        """A reachable state with no way out breaks can-end."""
        expected = "can-end"
        assert expected == rule_of(
            states=(*CALL_MACHINE.states, "limbo"),
            events=(*CALL_MACHINE.events, Event("trap", "limbo")),
            transitions=(*CALL_MACHINE.transitions, Transition("established", "trap", "limbo")),
        )

    def test_no_final_state(self) -> None:
        """A definition with no final state at all breaks can-end."""
        expected = "can-end"
        assert expected == rule_of(final=frozenset(), ended=None)


def test_error_names_rule_and_problem() -> None:
    """The DefinitionError message says the rule and the offending names."""
    with pytest.raises(DefinitionError) as info:
        CALL_MACHINE.replace(initial="nowhere")
    expected = "[known-names] initial state 'nowhere' is not a state"
    assert expected == str(info.value)
