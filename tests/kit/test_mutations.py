"""Broken definitions: the property suite catches every mutant, and every property can fail."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs
import pytest

from callstate.machine import CALL_MACHINE, MachineDefinition, Transition
from callstate.testing.properties import PROPERTIES, counterexample, property_named

Edge = tuple[str, str, str, str | None]


def _edge(t: Transition) -> Edge:
    return (t.source, t.event, t.dest, t.guard)


def _changed(edge: Edge, **changes: Any) -> MachineDefinition:
    transitions = tuple(
        attrs.evolve(t, **changes) if _edge(t) == edge else t for t in CALL_MACHINE.transitions
    )
    assert transitions != CALL_MACHINE.transitions
    return CALL_MACHINE.replace(transitions=transitions, check=False)


def _without(edge: Edge) -> MachineDefinition:
    kept = tuple(t for t in CALL_MACHINE.transitions if _edge(t) != edge)
    assert len(kept) == len(CALL_MACHINE.transitions) - 1
    return CALL_MACHINE.replace(transitions=kept, check=False)


def _with(added: Transition) -> MachineDefinition:
    return CALL_MACHINE.replace(transitions=(added, *CALL_MACHINE.transitions), check=False)


#: ``id -> (the broken definition, the property that must catch it, checked by hand)``
MUTANTS: dict[str, tuple[Callable[[], MachineDefinition], str]] = {
    "drop-accept-edge": (
        lambda: _without(("transferring", "accept_transfer", "transferAccepted", None)),
        "valid-streams-accepted",
    ),
    "edge-out-of-terminated": (
        lambda: _with(Transition("terminated", "connect", "established")),
        "terminated-is-absorbing",
    ),
    "failure-retargeted-to-terminated": (
        lambda: _changed(
            ("transferring", "fail_transfer", "established", "blind"), dest="terminated"
        ),
        "transfer-failure-returns-to-established",
    ),
    "accept-from-established": (
        lambda: _with(Transition("established", "accept_transfer", "transferAccepted")),
        "transferAccepted-follows-transferring",
    ),
    "complete-from-transferring": (
        lambda: _changed(
            ("transferAccepted", "complete_transfer", "terminated", "blind"), source="transferring"
        ),
        "successful-transfer-outcome",
    ),
    "failure-guard-destination-swapped": (
        lambda: _changed(
            ("transferAccepted", "fail_transfer", "established", "consultative"),
            dest="transferring",
        ),
        "failure-in-streams",
    ),
    "drop-hang-up-of-established": (
        lambda: _without(("established", "hang_up", "terminating", None)),
        "valid-streams-accepted",
    ),
    "state-outside-definition": (
        lambda: _changed(("established", "hold", "hold", None), dest="limbo"),
        "states-within-definition",
    ),
    "success-guard-swapped": (
        lambda: _changed(
            ("transferAccepted", "complete_transfer", "terminated", "consultative"), guard="blind"
        ),
        "success-in-streams",
    ),
    "accept-from-established-in-streams": (
        lambda: _with(Transition("established", "accept_transfer", "transferAccepted")),
        "mutated-streams-reported[transfer-not-in-progress]",
    ),
    "transfer-from-incoming": (
        lambda: _with(Transition("incoming", "transfer", "transferring")),
        "mutated-streams-reported[transfer-from-non-established]",
    ),
    "failure-from-established": (
        lambda: _with(Transition("established", "fail_transfer", "established", guard="blind")),
        "mutated-streams-reported[failure-without-transfer]",
    ),
    "success-from-established": (
        lambda: _with(Transition("established", "complete_transfer", "terminated", guard="blind")),
        "mutated-streams-reported[success-without-transfer]",
    ),
    "offer-while-established": (
        lambda: _with(Transition("established", "offer", "incoming")),
        "mutated-streams-reported[illegal-transition]",
    ),
}

#: Properties no edge mutation can reach; test_stand_ins.py breaks the validator instead.
NOT_ABOUT_EDGES = {
    "mutated-streams-reported[terminated-is-absorbing]",
    "mutated-streams-reported[misplaced-marker]",
    "mutated-streams-reported[malformed]",
    "snapshot-restore",
}


@pytest.mark.parametrize("mutant", list(MUTANTS))
def test_the_named_property_catches_the_mutant(mutant: str) -> None:
    """The property each mutant was written against finds a counterexample to it."""
    build, name = MUTANTS[mutant]
    assert counterexample(property_named(name), build()) is not None


@pytest.mark.slow
@pytest.mark.parametrize("mutant", list(MUTANTS))
def test_the_whole_suite_catches_the_mutant(mutant: str) -> None:
    """Across the suite, every mutant fails at least one property (most fail several)."""
    build, _name = MUTANTS[mutant]
    definition = build()
    caught = [p.name for p in PROPERTIES if counterexample(p, definition) is not None]
    assert caught


def test_every_edge_property_has_a_mutant() -> None:
    """Each property about the definition is shown failing by some mutant: none is vacuous."""
    shown = {name for _build, name in MUTANTS.values()}
    expected = {p.name for p in PROPERTIES} - NOT_ABOUT_EDGES
    assert expected == shown


def test_at_least_six_mutants() -> None:
    """The issue asks for the definition broken in at least six ways."""
    assert len(MUTANTS) >= 6
