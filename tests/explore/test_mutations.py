"""Broken definitions: every invariant is shown failing, with its shortest counterexample."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import attrs
import pytest

from callstate.explorer import explore
from callstate.facts import (
    BLIND,
    CONSULTATIVE,
    INCOMING_ONLY_ACTIONS,
    TRANSFER_ACTION,
    TRANSFER_FAILURE,
    TRANSFER_SUCCESS,
    Result,
)
from callstate.machine import CALL_MACHINE, Event, MachineDefinition, Marker, Transition
from callstate.machine.invariants import INVARIANTS, Moves, Step

Edge = tuple[str, str, str, str | None]


def _edge(t: Transition) -> Edge:
    return (t.source, t.event, t.dest, t.guard)


def _without(*edges: Edge) -> MachineDefinition:
    kept = tuple(t for t in CALL_MACHINE.transitions if _edge(t) not in edges)
    assert len(CALL_MACHINE.transitions) - len(edges) == len(kept)
    return CALL_MACHINE.replace(transitions=kept, check=False)


def _with(*added: Transition) -> MachineDefinition:
    return CALL_MACHINE.replace(transitions=(*added, *CALL_MACHINE.transitions), check=False)


def _retarget(edge: Edge, dest: str) -> MachineDefinition:
    found = [t for t in CALL_MACHINE.transitions if _edge(t) == edge]
    assert len(found) == 1
    transitions = tuple(
        attrs.evolve(t, dest=dest) if _edge(t) == edge else t for t in CALL_MACHINE.transitions
    )
    return CALL_MACHINE.replace(transitions=transitions, check=False)


def _markers(event: str, markers: tuple[Marker, ...]) -> MachineDefinition:
    events: tuple[Event, ...] = tuple(
        attrs.evolve(e, markers=markers) if e.name == event else e for e in CALL_MACHINE.events
    )
    return CALL_MACHINE.replace(events=events, check=False)


def _swap_kinds(event: str) -> MachineDefinition:
    markers = CALL_MACHINE.event(event).markers
    kinds = [m.kind for m in markers]
    return _markers(
        event, tuple(attrs.evolve(m, kind=k) for m, k in zip(markers, reversed(kinds), strict=True))
    )


def _drop_all_from(state: str) -> MachineDefinition:
    return _without(*(_edge(t) for t in CALL_MACHINE.outgoing(state)))


def _label(table: Mapping[str, tuple[Result, ...]], kind: str) -> str:
    """Every documented result of ``kind`` in ``table``, sorted (callstate.facts, the oracle)."""
    return ", ".join(sorted(r.label for r in table[kind]))


def _allow(action: str, *states: str) -> MachineDefinition:
    """The request Graph knows by ``action`` (facts' path segment) allowed in ``states`` too."""
    requests = tuple(
        attrs.evolve(r, allowed=(*r.allowed, *states)) if r.action == action else r
        for r in CALL_MACHINE.requests
    )
    assert requests != CALL_MACHINE.requests
    return CALL_MACHINE.replace(requests=requests, check=False)


def _request_name(action: str) -> str:
    return next(r.name for r in CALL_MACHINE.requests if r.action == action)


_ANSWER, _REJECT, _REDIRECT = INCOMING_ONLY_ACTIONS
(_END,) = CALL_MACHINE.final
#: A request allowed in every live state (keepAlive), by its path segment.
_EVERYWHERE = next(
    r.action for r in CALL_MACHINE.requests if r.action and set(r.allowed) == set(CALL_MACHINE.live)
)


(_BLIND_SUCCESS,) = TRANSFER_SUCCESS[BLIND]

#: ``id -> (build the broken definition, the invariant that must fail, text its last line holds)``
MUTATIONS: dict[str, tuple[Callable[[], MachineDefinition], str, str]] = {
    "drop-failure-edge": (
        lambda: _without(("transferring", "fail_transfer", "established", BLIND)),
        "transfer-failure-returns-to-established",
        f"transferring --fail_transfer[{BLIND}]--> refused",
    ),
    "failure-retargeted-to-terminated": (
        lambda: _retarget(
            ("transferAccepted", "fail_transfer", "established", CONSULTATIVE), "terminated"
        ),
        "transfer-failure-returns-to-established",
        "must return to established, not terminated",
    ),
    "blind-failure-to-wrong-place": (
        lambda: _retarget(("transferring", "fail_transfer", "established", BLIND), "hold"),
        "transfer-failure-returns-to-established",
        f"transferring --fail_transfer[{BLIND}]--> hold",
    ),
    "failure-markers-swapped": (
        lambda: _swap_kinds("fail_transfer"),
        "transfer-failure-returns-to-established",
        f"{CONSULTATIVE} outcome marked {_label(TRANSFER_FAILURE, BLIND)}, "
        f"expected {_label(TRANSFER_FAILURE, CONSULTATIVE)}",
    ),
    "failure-without-transfer": (
        lambda: _with(Transition("established", "fail_transfer", "established", guard=BLIND)),
        "transfer-failure-returns-to-established",
        "no transfer is in progress (established)",
    ),
    "edge-out-of-terminated": (
        lambda: _with(Transition("terminated", "connect", "established")),
        "terminated-is-absorbing",
        "terminated --connect--> established",
    ),
    "accepted-from-established": (
        lambda: _with(Transition("established", "accept_transfer", "transferAccepted")),
        "transferAccepted-follows-transferring",
        "transferAccepted entered from established",
    ),
    "success-from-transferring": (
        lambda: _with(Transition("transferring", "complete_transfer", "terminated", guard=BLIND)),
        "successful-transfer-outcome",
        "transfer succeeded from transferring",
    ),
    "success-markers-swapped": (
        lambda: _swap_kinds("complete_transfer"),
        "successful-transfer-outcome",
        f"{CONSULTATIVE} outcome marked {_label(TRANSFER_SUCCESS, BLIND)}, "
        f"expected {_label(TRANSFER_SUCCESS, CONSULTATIVE)}",
    ),
    "two-success-markers-of-one-kind": (
        lambda: _markers(
            "complete_transfer",
            (
                *CALL_MACHINE.event("complete_transfer").markers,
                Marker(BLIND, 200, _BLIND_SUCCESS.subcode),
            ),
        ),
        "successful-transfer-outcome",
        f"{BLIND} outcome marked {_BLIND_SUCCESS.label}, 200/{_BLIND_SUCCESS.subcode}, "
        f"expected {_BLIND_SUCCESS.label}",
    ),
    "drop-success-edge": (
        lambda: _without(("transferAccepted", "complete_transfer", "terminated", CONSULTATIVE)),
        "successful-transfer-outcome",
        f"transferAccepted --complete_transfer[{CONSULTATIVE}]--> refused",
    ),
    "state-outside-definition": (
        lambda: _retarget(("established", "hold", "hold", None), "limbo"),
        "states-within-definition",
        "'limbo' is not a state of the definition",
    ),
    "unreachable-state": (
        lambda: _without(("established", "hold", "hold", None)),
        "every-state-reachable",
        "hold: no sequence of notifications from incoming reaches it",
    ),
    "trap-state": (
        lambda: _drop_all_from("hold"),
        "final-state-reachable",
        "hold: no sequence of notifications leads on to a final state",
    ),
    "answer-in-established": (
        lambda: _allow(_ANSWER, "established"),
        "answer-reject-redirect-only-from-incoming",
        f"established --{_request_name(_ANSWER)} (POST {_ANSWER})--> accepted",
    ),
    "redirect-in-ringing": (
        lambda: _allow(_REDIRECT, "ringing"),
        "answer-reject-redirect-only-from-incoming",
        f"{_REDIRECT} is only allowed while incoming, not ringing",
    ),
    "transfer-in-hold": (
        lambda: _allow(TRANSFER_ACTION, "hold"),
        "transfer-request-only-from-established",
        f"hold --{_request_name(TRANSFER_ACTION)} (POST {TRANSFER_ACTION})--> accepted: "
        "a transfer can only start from established, not hold",
    ),
    "keepalive-after-the-end": (
        lambda: _allow(_EVERYWHERE, _END),
        "no-request-after-the-end",
        f"a request accepted after the call ended ({_END})",
    ),
    "reject-after-the-end": (
        lambda: _allow(_REJECT, _END),
        "no-request-after-the-end",
        f"{_END} --{_request_name(_REJECT)} (POST {_REJECT})--> accepted",
    ),
    "nondeterministic": (
        lambda: _with(Transition("established", "hold", "terminating")),
        "deterministic",
        "established --hold--> {terminating, hold}",
    ),
}


def _result(definition: MachineDefinition, name: str) -> tuple[str, ...] | None:
    return {r.name: r.counterexample for r in explore(definition).invariants}[name]


@pytest.mark.parametrize("mutation", list(MUTATIONS))
class TestEachMutation:
    def test_invariant_fails_with_counterexample(self, mutation: str) -> None:
        """The invariant the mutation breaks fails, and its last line names the broken step."""
        build, name, text = MUTATIONS[mutation]
        counterexample = _result(build(), name)
        assert counterexample is not None
        assert text in counterexample[-1]

    def test_counterexample_is_shortest_path(self, mutation: str) -> None:
        """The counterexample's steps are the explorer's shortest path to where it breaks."""
        build, name, _text = MUTATIONS[mutation]
        definition = build()
        exploration = explore(definition)
        counterexample = {r.name: r.counterexample for r in exploration.invariants}[name]
        assert counterexample is not None
        prefix, last = counterexample[:-1], counterexample[-1]
        where = last.split(" ", 1)[0].rstrip(":")
        expected = [s.label for s in exploration.state_paths.get(where, ())]
        assert expected == list(prefix)

    def test_exploration_is_not_ok(self, mutation: str) -> None:
        """The exploration as a whole fails."""
        build, _name, _text = MUTATIONS[mutation]
        assert not explore(build()).ok

    def test_cli_exits_1_and_prints_it(
        self, mutation: str, run_cli: Callable[..., tuple[int, str, str]]
    ) -> None:
        """`callstate explore` exits 1 and names the failing invariant."""
        build, name, text = MUTATIONS[mutation]
        code, out, err = run_cli([], build())
        expected = (1, "")
        assert expected == (code, err)
        assert f"FAILS  {name}" in out
        assert text in out


def test_every_invariant_is_shown_failing() -> None:
    """Each invariant fails on some mutation: none is a property that cannot fail."""
    expected = {inv.name for inv in INVARIANTS}
    assert expected == {name for _b, name, _t in MUTATIONS.values()}


def test_real_machine_passes_every_check_the_mutations_fail() -> None:
    """The unmutated definition passes every check the mutations fail (none is always false)."""
    assert all(_result(CALL_MACHINE, name) is None for _b, name, _t in MUTATIONS.values())


class TestPathChecks:
    """The step checks, used on a path the way the property tests will use them."""

    def test_valid_path_passes(self) -> None:
        """A path of accepted steps of the real machine breaks no invariant."""
        exploration = explore()
        path = exploration.state_paths["transferAccepted"]
        path = (*path, *Moves(CALL_MACHINE).steps("transferAccepted"))
        expected = [None] * len(INVARIANTS)
        assert expected == [inv.check_path(CALL_MACHINE, path) for inv in INVARIANTS]

    def test_broken_step_reported_at_its_place(self) -> None:
        """A path whose second step leaves terminated is cut there, with the reason."""
        path = (
            Step("incoming", "terminate", None, "terminated", None),
            Step("terminated", "connect", None, "established", None),
            Step("established", "hold", None, "hold", None),
        )
        absorbing = {inv.name: inv for inv in INVARIANTS}["terminated-is-absorbing"]
        expected = (
            "incoming --terminate--> terminated (same-state update)",
            "terminated --connect--> established (same-state update): "
            "final state terminated accepts a notification",
        )
        assert expected == absorbing.check_path(CALL_MACHINE, path)
