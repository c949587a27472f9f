"""Broken definitions of the call machine, and the recorded matrix of which property catches each.

Hunting every property against every mutant takes minutes, so the answer is recorded in
``mutation_matrix.json`` beside this file; the slow test recomputes it, the default tests rely on
it. Rewrite it after changing a mutant or a property with ``python3 -m tests.kit.mutants``.
"""

from __future__ import annotations

import json
import sys
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Final

import attrs
from hypothesis import Phase, settings

from callstate.machine import CALL_MACHINE, MachineDefinition, Transition
from callstate.testing.properties import HUNT, PROPERTIES, counterexample, property_named

Edge = tuple[str, str, str, str | None]

#: Where the matrix is recorded: ``{"mutants": {mutant: [property, ...]}}``.
MATRIX_FILE: Final = Path(__file__).with_name("mutation_matrix.json")

#: How the matrix is computed: the kit's hunt, seeded, without shrinking (only "is there a
#: counterexample" is recorded), so the same code always gives the same matrix.
MATRIX_HUNT: Final = settings(HUNT, derandomize=True, phases=(Phase.generate,))


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


def _allowing(request: str, state: str) -> MachineDefinition:
    requests = tuple(
        attrs.evolve(r, allowed=(*r.allowed, state)) if r.name == request else r
        for r in CALL_MACHINE.requests
    )
    return CALL_MACHINE.replace(requests=requests, check=False)


def _expecting_also(request: str, state: str) -> MachineDefinition:
    requests = tuple(
        attrs.evolve(r, expect=attrs.evolve(r.expect, states=(*r.expect.states, state)))
        if r.name == request and r.expect is not None
        else r
        for r in CALL_MACHINE.requests
    )
    return CALL_MACHINE.replace(requests=requests, check=False)


#: ``id -> (the broken definition, the property that must catch it, checked by hand)``
MUTANTS: Final[dict[str, tuple[Callable[[], MachineDefinition], str]]] = {
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
    "answer-while-established": (
        lambda: _allowing("answer", "established"),
        "mutated-streams-reported[request-not-allowed]",
    ),
    "rejected-call-may-establish": (
        lambda: _expecting_also("reject", "established"),
        "mutated-streams-reported[state-after-reject]",
    ),
    "offer-while-established": (
        lambda: _with(Transition("established", "offer", "incoming")),
        "mutated-streams-reported[illegal-transition]",
    ),
}


def caught_by(definition: MachineDefinition) -> list[str]:
    """The names of the properties that find a counterexample on ``definition``, in suite order."""
    return [p.name for p in PROPERTIES if catches(p.name, definition)]


def catches(name: str, definition: MachineDefinition) -> bool:
    """Whether the property ``name`` finds a counterexample on ``definition`` (seeded hunt)."""
    with warnings.catch_warnings():
        # Hypothesis describes the counterexample it found; its size is no concern here.
        warnings.filterwarnings("ignore", message="Generating overly large repr")
        return counterexample(property_named(name), definition, using=MATRIX_HUNT) is not None


def compute_matrix() -> dict[str, list[str]]:
    """``mutant -> the properties that catch it``, hunted afresh (minutes)."""
    return {mutant: caught_by(build()) for mutant, (build, _name) in MUTANTS.items()}


def recorded_matrix() -> dict[str, list[str]]:
    """The matrix as recorded in :data:`MATRIX_FILE`."""
    matrix: dict[str, list[str]] = json.loads(MATRIX_FILE.read_text(encoding="utf-8"))["mutants"]
    return matrix


def main(argv: Sequence[str] | None = None) -> int:
    """Recompute the matrix and write it to :data:`MATRIX_FILE`."""
    del argv
    matrix = {"mutants": compute_matrix()}
    MATRIX_FILE.write_text(json.dumps(matrix, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {MATRIX_FILE.name}: {len(matrix['mutants'])} mutants")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
