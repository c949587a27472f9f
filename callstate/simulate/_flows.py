"""What the simulator reads from a machine definition: the transfer flows it can tell.

Scenarios are the definition's transfer kinds times the transfer targets, plus the
calls with no transfer. A kind's failure and success are the signals its declared
results mark, each with every marker of that outcome to choose from; a transfer
can fail from every state in which the compiled machine accepts its failure, and
the notifications on the way there are found in the compiled machine too. The
story itself is told in Graph's words (the states a notification carries), never
in the definition's event names.
"""

from __future__ import annotations

import functools
from collections import deque
from typing import Final

import attrs

from callstate.errors import UsageError
from callstate.facts import MEETING_MODE_FAILURE, Result
from callstate.machine.compiled import Compiled, Signal, compiled
from callstate.machine.definition import MachineDefinition, Marker, Request, TransferKind
from callstate.simulate._payload import TARGETS

__all__ = [
    "BOT_SCENARIOS",
    "ESTABLISHED",
    "GROUP",
    "LEGACY",
    "OUTCOMES",
    "PLAIN_SCENARIOS",
    "TARGETS",
    "Flows",
    "TransferFlow",
    "TransferOutcome",
    "flows",
]

#: The calls without a transfer: hung up, rejected, redirected.
PLAIN_SCENARIOS: Final = ("hang-up", "reject", "redirect")
#: The calls the bot's own requests tell: one it places, and the 2019 transfer flow.
BOT_SCENARIOS: Final = ("outgoing", "legacy")
#: The 2019 beta's transfer flow, on the operation: only old traces carry it.
LEGACY: Final = BOT_SCENARIOS[1]
#: The prefix of a transfer out of a group call: ``group-blind-user``.
GROUP: Final = "group"
#: How a call's transfers end: ``success`` (the last one completes) or ``failure`` (none does).
OUTCOMES: Final = ("success", "failure")
#: Where the call is when the bot asks for a transfer (Graph's word, as the spec has it).
ESTABLISHED: Final = "established"


@attrs.frozen
class TransferOutcome:
    """One way a transfer of one kind ends: its signal, its markers, and where it is accepted.

    ``markers`` are the event's markers of the kind, in definition order (they all
    mean this outcome; a plan picks one by index). ``sources`` are the states, in
    definition order, from which the compiled machine accepts the signal after a
    transfer has started.
    """

    event: str
    kind: str
    markers: tuple[Marker, ...]
    sources: tuple[str, ...]

    @property
    def signal(self) -> Signal:
        """``(event, kind)``: what the outcome's notification reports."""
        return (self.event, self.kind)

    def eligible(self, meeting: bool) -> tuple[int, ...]:
        """The markers (indexes) this outcome may carry on a call in meeting mode, or not.

        Graph fails every transfer on a call in meeting mode with
        ``MEETING_MODE_FAILURE``, and only there: the call's situation picks the marker.
        """
        return tuple(
            i for i, m in enumerate(self.markers) if (m.result == MEETING_MODE_FAILURE) == meeting
        )


@attrs.frozen
class TransferFlow:
    """A transfer kind as the simulator tells it: how it fails, and how it succeeds."""

    kind: TransferKind
    failure: TransferOutcome
    success: TransferOutcome


class Flows:
    """A definition's scenarios and transfer flows, read once (see :func:`flows`)."""

    def __init__(self, definition: MachineDefinition) -> None:
        self.definition = definition
        self.machine: Compiled = compiled(definition)
        #: kind name -> its flow, in the definition's order.
        self.kinds: dict[str, TransferFlow] = {
            k.name: TransferFlow(k, self._outcome(k, k.failure), self._outcome(k, k.success))
            for k in definition.kinds
        }
        #: ``kind-target`` -> kind, for every kind and target.
        self.scenario_kinds: dict[str, str] = {
            f"{kind}-{target}": kind for kind in self.kinds for target in TARGETS
        }
        #: ``kind-target`` for every kind and target.
        self.transfer_scenarios: tuple[str, ...] = tuple(self.scenario_kinds)
        #: Every scenario told in Graph's notifications alone (and transfer records).
        self.scenarios: tuple[str, ...] = (*self.transfer_scenarios, *PLAIN_SCENARIOS)
        #: ``group-kind-target``: a transfer out of a group call, for every kind and target.
        self.group_scenarios: tuple[str, ...] = tuple(
            f"{GROUP}-{s}" for s in self.transfer_scenarios
        )
        #: The request that starts a transfer (sent while established, into a transfer), if
        #: the definition declares one.
        self.transfer: Request | None = next(
            (
                r
                for r in definition.requests
                if ESTABLISHED in r.allowed and r.leads_to in self.machine.in_transfer
            ),
            None,
        )
        #: The scenarios the bot's requests tell: group transfers, outgoing and legacy (all
        #: but outgoing only where a transfer request is declared: its record is the story).
        self.request_scenarios: tuple[str, ...] = (
            *(self.group_scenarios if self.transfer is not None else ()),
            *(s for s in BOT_SCENARIOS if s != LEGACY or self.legacy_success() is not None),
        )
        #: Every scenario: :attr:`scenarios`, then :attr:`request_scenarios`.
        self.every_scenario: tuple[str, ...] = (*self.scenarios, *self.request_scenarios)
        #: What today's Graph tells: every scenario but the 2019 ``legacy`` flow.
        self.current_scenarios: tuple[str, ...] = tuple(
            s for s in self.every_scenario if s != LEGACY
        )

    def kind_of(self, scenario: str) -> str | None:
        """The transfer kind of ``scenario`` (group or not), ``None`` for a call without one."""
        found = self.scenario_kinds.get(scenario)
        if found is None and scenario in self.group_scenarios:
            found = self.scenario_kinds[scenario.removeprefix(f"{GROUP}-")]
        return found

    def request_to(self, source: str, dest: str | None, *, argument: str) -> Request:
        """The bot's request sent in ``source`` that takes the call to ``dest``.

        ``dest=None`` names the request that creates a call. A :class:`UsageError`
        on ``argument`` when the definition declares none.
        """
        for request in self.definition.requests:
            if dest is None and request.opens is not None:
                return request
            if dest is not None and source in request.allowed and request.leads_to == dest:
                return request
        raise UsageError(
            argument,
            f"the {self.definition.name} machine declares no request from {source!r} "
            f"to {dest or 'a new call'!r}",
        )

    def transfer_request(self) -> Request:
        """The request that starts a transfer: sent while established, into a transfer."""
        if self.transfer is None:
            raise UsageError(
                "scenario", f"the {self.definition.name} machine declares no transfer request"
            )
        return self.transfer

    def legacy_success(self) -> tuple[TransferFlow, int, tuple[str, ...]] | None:
        """How the 2019 flow tells a transfer: the first kind with a success marker that
        carries a termination reason, that marker, and the route from established to where
        it succeeds; ``None`` when the definition cannot tell it (nor without its request)."""
        if self.transfer is None:
            return None
        for flow in self.kinds.values():
            for i, m in enumerate(flow.success.markers):
                if m.termination_reason is not None:
                    sources = flow.success.sources
                    route = self.route(ESTABLISHED, sources[0]) if sources else None
                    return None if not route else (flow, i, route)
        return None

    def keep_alive(self, argument: str) -> Request:
        """The request that restarts the timeouts judged at every line (keepAlive)."""
        for index in self.machine.judged_always:
            for name in self.definition.timeouts[index].reset_by:
                return self.definition.request(name)
        raise UsageError(argument, f"the {self.definition.name} machine declares no keepAlive")

    def _outcome(self, kind: TransferKind, results: tuple[Result, ...]) -> TransferOutcome:
        marked = tuple(
            dict.fromkeys(
                e.name
                for e in self.definition.events
                for m in e.markers_of(kind.name)
                if m.result in results
            )
        )
        if len(marked) != 1:
            raise UsageError(
                "definition",
                f"the {kind.name} results {[r.label for r in results]} must mark exactly one "
                f"event, got {list(marked) or 'none'}",
            )
        event = self.definition.event(marked[0])
        sources = tuple(
            s
            for s in self.definition.states
            if s != ESTABLISHED
            and self.machine.step(s, event.name, kind.name) is not None
            and self.route(ESTABLISHED, s) is not None
        )
        return TransferOutcome(event.name, kind.name, event.markers_of(kind.name), sources)

    def event_for(self, state: str, *, argument: str) -> str:
        """The unmarked event that reports ``state``; a :class:`UsageError` on ``argument``."""
        signal = self.machine.plain.get(state)
        if signal is None:
            raise UsageError(
                argument, f"the {self.definition.name} machine has no event reporting {state!r}"
            )
        return signal[0]

    def route(self, start: str, goal: str) -> tuple[str, ...] | None:
        """The unmarked events of a shortest walk from ``start`` to ``goal``, or ``None``.

        Only moves count (no same-state update, no internal edge), and the walk
        passes through no final state.
        """
        return _route(self.machine, start, goal)

    def flow(self, kind: str) -> TransferFlow:
        """The flow of ``kind``; a :class:`UsageError` naming the scenario when there is none."""
        found = self.kinds.get(kind)
        if found is None:
            raise UsageError(
                "scenario",
                f"the {self.definition.name} machine has no transfer kind {kind!r}: "
                f"expected one of {list(self.scenarios)}",
            )
        return found


@functools.lru_cache(maxsize=32)
def _route(machine: Compiled, start: str, goal: str) -> tuple[str, ...] | None:
    if start == goal:
        return ()
    if start not in machine.steps:
        return None
    paths: dict[str, tuple[str, ...]] = {start: ()}
    queue = deque([start])
    while queue:
        state = queue.popleft()
        for (event, kind), step in machine.steps[state].items():
            if kind is not None or step.transition is None or step.dest == state:
                continue
            if step.dest in paths or (step.ends and step.dest != goal):
                continue
            paths[step.dest] = (*paths[state], event)
            if step.dest == goal:
                return paths[goal]
            queue.append(step.dest)
    return None


def flows(definition: MachineDefinition) -> Flows:
    """The :class:`Flows` of ``definition``, read once and shared."""
    if not isinstance(definition, MachineDefinition):
        raise UsageError("definition", f"expected a MachineDefinition, got {definition!r}")
    return _flows(definition)


@functools.lru_cache(maxsize=32)
def _flows(definition: MachineDefinition) -> Flows:
    return Flows(definition)
