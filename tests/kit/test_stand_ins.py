"""The properties no broken definition can reach, shown failing on a broken validator.

A property that cannot fail is a defect: these break the tracker the way a
regression would (a rule forgotten, a snapshot field lost) and watch each go red.
"""

from __future__ import annotations

from typing import Any

import pytest

from callstate.machine import CALL_MACHINE
from callstate.testing.properties import counterexample, property_named
from callstate.verdict import Finding, Tracker
from tests.kit.test_mutations import NOT_ABOUT_EDGES

# Each test here makes a property fail on purpose, and a failing drawn stream can be long:
# Hypothesis then warns that its repr is large, which says nothing of the test (as mutants.py).
pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr")

_INGEST = Tracker._take


def _forgetting(rule: str) -> Any:
    """A tracker ingest that silently drops every finding of ``rule``."""

    def ingest(self: Tracker, body: object, out: list[Finding], *args: Any) -> None:
        mine: list[Finding] = []
        _INGEST(self, body, mine, *args)
        out.extend(f for f in mine if f.rule != rule)

    return ingest


#: The tracker's own rules, which no definition states: a broken tracker is their mutant.
_TRACKER_RULES = (
    "terminated-is-absorbing",
    "misplaced-marker",
    "malformed",
    "transferee-required",
    "transferee-not-in-call",
)


@pytest.mark.parametrize("rule", _TRACKER_RULES)
def test_mutated_stream_property_catches_a_forgotten_rule(
    rule: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the rule forgotten, its mutated-stream property finds a counterexample."""
    monkeypatch.setattr(Tracker, "_take", _forgetting(rule))
    prop = property_named(f"mutated-streams-reported[{rule}]")
    found = counterexample(prop, CALL_MACHINE)
    assert found is not None
    assert "validator said []" in str(prop.check(CALL_MACHINE, found))


def test_snapshot_property_catches_a_lossy_restore(monkeypatch: pytest.MonkeyPatch) -> None:
    """A restore that loses the calls' history breaks the snapshot round trip."""
    restore = Tracker.restore.__func__  # type: ignore[attr-defined]

    def lossy(cls: type[Tracker], data: Any, **options: Any) -> Tracker:
        tracker = restore(cls, data, **options)
        for call_id, stored in list(tracker._live.items()):
            state, kind, fp, _hist = tracker._packing.unpack(stored)
            tracker._live[call_id] = (state, kind, fp, 0)
        return tracker

    monkeypatch.setattr(Tracker, "restore", classmethod(lossy))
    prop = property_named("snapshot-restore")
    found = counterexample(prop, CALL_MACHINE)
    assert found is not None
    assert "snapshot(restore(snapshot)) differs" in str(prop.check(CALL_MACHINE, found))


def test_every_property_out_of_reach_of_edges_is_covered_here() -> None:
    """Each property the definition mutants cannot reach is shown failing in this module."""
    covered = {*(f"mutated-streams-reported[{r}]" for r in _TRACKER_RULES), "snapshot-restore"}
    assert NOT_ABOUT_EDGES == covered
