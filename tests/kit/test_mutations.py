"""Broken definitions: the property suite catches every mutant, and every property can fail.

Which property catches which mutant is recorded in ``mutation_matrix.json`` (see
``tests/kit/mutants.py``). By default the property each mutant was written against is checked to
catch it (a seeded hunt that stops at the first counterexample); the slow test hunts every
property against every mutant and compares with the whole matrix.
"""

from __future__ import annotations

import pytest

from callstate.testing.properties import PROPERTIES
from tests.kit.mutants import MUTANTS, catches, caught_by, recorded_matrix

_REWRITE = "rewrite it with `python3 -m tests.kit.mutants` and review the diff"

#: Properties no edge mutation can reach; test_stand_ins.py breaks the validator instead.
NOT_ABOUT_EDGES = {
    "mutated-streams-reported[terminated-is-absorbing]",
    "mutated-streams-reported[misplaced-marker]",
    "mutated-streams-reported[malformed]",
    "mutated-streams-reported[transferee-required]",
    "mutated-streams-reported[transferee-not-in-call]",
    "snapshot-restore",
}


def test_the_matrix_covers_every_mutant_with_known_properties() -> None:
    """The recorded matrix has a row per mutant, naming only properties of the suite, in order."""
    matrix = recorded_matrix()
    order = [p.name for p in PROPERTIES]
    assert list(MUTANTS) == list(matrix), _REWRITE
    for mutant, caught in matrix.items():
        expected = [name for name in order if name in caught]
        assert expected == caught, f"{mutant}: {_REWRITE}"


@pytest.mark.parametrize("mutant", list(MUTANTS))
def test_the_matrix_names_the_property_written_against_the_mutant(mutant: str) -> None:
    """Each mutant's row holds the property it was written against (the suite catches it)."""
    _build, name = MUTANTS[mutant]
    assert name in recorded_matrix()[mutant]


@pytest.mark.parametrize("mutant", list(MUTANTS))
def test_the_property_written_against_the_mutant_catches_it(mutant: str) -> None:
    """The property each mutant was written against finds a counterexample to it.

    The rest of the row (114 hunts in all) is the slow step's: it hunts the whole matrix.
    """
    build, name = MUTANTS[mutant]
    assert catches(name, build()), _REWRITE


@pytest.mark.slow
@pytest.mark.parametrize("mutant", list(MUTANTS))
def test_the_matrix_is_what_the_whole_suite_finds(mutant: str) -> None:
    """Every property hunted against the mutant: exactly the recorded ones catch it."""
    build, _name = MUTANTS[mutant]
    assert recorded_matrix()[mutant] == caught_by(build()), _REWRITE


def test_every_edge_property_has_a_mutant() -> None:
    """Each property about the definition is shown failing by some mutant: none is vacuous."""
    shown = {name for _build, name in MUTANTS.values()}
    expected = {p.name for p in PROPERTIES} - NOT_ABOUT_EDGES
    assert expected == shown


def test_at_least_six_mutants() -> None:
    """The issue asks for the definition broken in at least six ways."""
    assert len(MUTANTS) >= 6
