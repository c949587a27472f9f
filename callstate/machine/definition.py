"""The one definition of the call machine, as plain data.

Everything that knows how a call moves reads this module, through the compiled
machine (:mod:`callstate.machine.compiled`): the tracker, the ``transitions``
engine, the diagrams, the simulator, the strategies and the explorer. States are
the Graph ``callState`` strings; an event is what one notification reports, and
the checks make sure a notification maps to exactly one event. Transfer kinds are
declared once (:class:`TransferKind`): their guards, markers and guarded edges
are derived by :func:`call_machine`.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping

import attrs

from callstate.facts import (
    BLIND,
    CALL_STATES,
    CONSULTATIVE,
    TRANSFER_FAILURE,
    TRANSFER_SUCCESS,
)
from callstate.machine._call_requests import call_requests, call_timeouts
from callstate.machine._checks import check_definition
from callstate.machine._parts import (
    Actor,
    Event,
    Expect,
    Guard,
    Marker,
    Request,
    Severity,
    Timeout,
    TransferKind,
    Transition,
)

__all__ = [
    "CALL_MACHINE",
    "TRANSFER_KINDS",
    "Actor",
    "Event",
    "Expect",
    "Guard",
    "MachineDefinition",
    "Marker",
    "Request",
    "Severity",
    "Timeout",
    "TransferKind",
    "Transition",
    "call_machine",
]


@attrs.frozen(cache_hash=True)
class MachineDefinition:
    """States, events, guards, transitions and final states, checked when built.

    ``ended`` is the state a ``deleted`` notification with no state reports (None:
    such a notification only carries data); ``kinds`` are the transfer kinds a
    request can select; ``requests`` are the bot's events, declared next to Graph's
    ``events``, and ``timeouts`` the time attached to states. Pass ``check=False``
    only to build a deliberately broken definition (mutation tests); every consumer
    in callstate assumes a checked one.
    """

    name: str
    states: tuple[str, ...]
    initial: str
    final: frozenset[str]
    events: tuple[Event, ...]
    guards: tuple[Guard, ...]
    transitions: tuple[Transition, ...]
    ended: str | None = attrs.field(default=None, kw_only=True)
    kinds: tuple[TransferKind, ...] = attrs.field(default=(), kw_only=True)
    requests: tuple[Request, ...] = attrs.field(default=(), kw_only=True)
    timeouts: tuple[Timeout, ...] = attrs.field(default=(), kw_only=True)
    check: bool = attrs.field(default=True, kw_only=True, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        if self.check:
            check_definition(self)

    @property
    def live(self) -> tuple[str, ...]:
        """The states that are not final, in definition order."""
        return tuple(s for s in self.states if s not in self.final)

    def event(self, name: str) -> Event:
        """The event called ``name``; ``KeyError`` if there is none."""
        for event in self.events:
            if event.name == name:
                return event
        raise KeyError(name)

    def request(self, name: str) -> Request:
        """The request called ``name``; ``KeyError`` if there is none."""
        for request in self.requests:
            if request.name == name:
                return request
        raise KeyError(name)

    def guard(self, name: str) -> Guard:
        """The guard called ``name``; ``KeyError`` if there is none."""
        for guard in self.guards:
            if guard.name == name:
                return guard
        raise KeyError(name)

    def outgoing(self, state: str) -> tuple[Transition, ...]:
        """The transitions that leave ``state``, in definition order."""
        return tuple(t for t in self.transitions if t.source == state)

    def is_same_state_update(self, state: str, event: str) -> bool:
        """Whether ``event`` in ``state`` only adds data: it reports the state the call is in.

        Only unmarked events count, and never in a final state: a marked event such
        as a transfer failure means something happened, and a final state is absorbing.
        """
        if state in self.final:
            return False
        spec = self.event(event)
        if spec.markers or spec.reports != state:
            return False
        return not any(t.event == event for t in self.outgoing(state))

    def matching(self, state: str, event: str, kind: str | None) -> tuple[Transition, ...]:
        """Every transition ``event`` (with a marker of ``kind``) could take from ``state``.

        A checked definition has at most one; an unchecked one may have more.
        """
        return tuple(
            t
            for t in self.transitions
            if t.source == state
            and t.event == event
            and (t.guard is None or self._guard_kind(t.guard) == kind)
        )

    def _guard_kind(self, name: str) -> str | None:
        for guard in self.guards:
            if guard.name == name:
                return guard.kind
        return None

    def resolve(self, state: str, event: str, kind: str | None) -> Transition | None:
        """The one transition ``event`` (with a marker of ``kind``) takes from ``state``.

        The compiled machine asks this once per ``(state, event, kind)``; everything
        else asks the compiled machine.
        """
        found = self.matching(state, event, kind)
        return found[0] if found else None

    def allowed_events(self, state: str) -> tuple[str, ...]:
        """Events accepted in ``state``, transitions and same-state updates alike."""
        names = [t.event for t in self.outgoing(state)]
        names += [e.name for e in self.events if self.is_same_state_update(state, e.name)]
        return tuple(dict.fromkeys(names))

    def replace(self, **changes: object) -> MachineDefinition:
        """A copy with ``changes`` applied, checked unless ``check=False`` is among them."""
        return attrs.evolve(self, **changes)  # type: ignore[arg-type]

    def kind_of(self, request: Mapping[str, object]) -> str | None:
        """The transfer kind a request body selects: the first kind whose field it has.

        ``None`` when the definition declares no kinds.
        """
        default = None
        for kind in self.kinds:
            if kind.selected_by is None:
                default = kind.name
                continue
            found: object = request
            for key in _pointer_keys(kind.selected_by):
                found = (
                    found.get(key) if type(found) is dict or isinstance(found, Mapping) else None
                )
            if found is not None:
                return kind.name
        return default

    def __repr__(self) -> str:
        return (
            f"MachineDefinition(name={self.name!r}, {len(self.states)} states, "
            f"{len(self.events)} events, {len(self.requests)} requests, "
            f"{len(self.transitions)} transitions)"
        )


@functools.lru_cache(maxsize=64)
def _pointer_keys(pointer: str) -> tuple[str, ...]:
    """The keys a JSON pointer into a request body walks (split once, asked per request)."""
    return tuple(pointer.split("/")[1:])


#: The documented transfer kinds (``call-transfer.md``): blind, and consultative.
TRANSFER_KINDS: tuple[TransferKind, ...] = (
    TransferKind(
        name=BLIND,
        failure=TRANSFER_FAILURE[BLIND],
        success=TRANSFER_SUCCESS[BLIND],
        doc="A blind transfer: no replacesCallId.",
    ),
    TransferKind(
        name=CONSULTATIVE,
        selected_by="/transferTarget/replacesCallId",
        failure=TRANSFER_FAILURE[CONSULTATIVE],
        success=TRANSFER_SUCCESS[CONSULTATIVE],
        doc="A consultative transfer: replacesCallId.",
    ),
)

#: The call's live states: Graph's documented ones, in the reference's order, but for the
#: end and Graph's sentinel for values added later.
_LIVE = tuple(s for s in CALL_STATES if s not in ("terminated", "unknownFutureValue"))
_IN_TRANSFER = ("transferring", "transferAccepted")


def _hang_ups(states: Iterable[str]) -> list[Transition]:
    edges: list[Transition] = []
    for state in states:
        if state != "terminating":
            edges.append(Transition(state, "hang_up", "terminating"))
        note = "reject, or deleted with no state" if state == "incoming" else ""
        edges.append(Transition(state, "terminate", "terminated", note=note))
    return edges


def call_machine(
    *, kinds: tuple[TransferKind, ...] = TRANSFER_KINDS, name: str = "call"
) -> MachineDefinition:
    """The Graph call machine for ``kinds``: each kind's guard, markers and edges derived.

    A new kind, or a second failure result of a kind, is one more declaration here;
    everything else follows from the definition this returns.
    """
    return MachineDefinition(
        name=name,
        states=(*_LIVE, "terminated"),
        initial="incoming",
        final=frozenset({"terminated"}),
        ended="terminated",
        kinds=kinds,
        events=(
            Event("offer", "incoming", doc="Graph offers the bot an incoming call."),
            Event("establish", "establishing", doc="Media and signalling are being set up."),
            Event("ring", "ringing", doc="The far end is ringing (beta only)."),
            Event("connect", "established", doc="The call is up, or back up after hold."),
            Event("hold", "hold", doc="The call is on hold."),
            Event("redirect", "redirecting", doc="An incoming call is being redirected."),
            Event(
                "transfer",
                "transferring",
                doc="Graph accepted a transfer request.",
                rule="transfer-from-non-established",
                refusal="a transfer can only start from established",
            ),
            Event(
                "accept_transfer",
                "transferAccepted",
                doc="The target accepted the transfer.",
                rule="transfer-not-in-progress",
                refusal="no transfer in progress",
            ),
            Event(
                "fail_transfer",
                "established",
                markers=tuple(Marker.of(k.name, r) for k in kinds for r in k.failure),
                doc="The transfer failed and the call is back with the transferor.",
                rule="failure-without-transfer",
                refusal="a transfer failure with no transfer in progress",
            ),
            Event(
                "complete_transfer",
                "terminated",
                markers=tuple(Marker.of(k.name, r) for k in kinds for r in k.success),
                doc="The transfer completed and the transferor's call ended.",
                rule="success-without-transfer",
                refusal="a transfer success with no transfer in progress",
            ),
            Event("hang_up", "terminating", doc="The call is being torn down."),
            Event("terminate", "terminated", doc="The call ended (``deleted``)."),
        ),
        requests=call_requests(_LIVE),
        timeouts=call_timeouts(_LIVE),
        guards=tuple(Guard(k.name, k.name, doc=k.doc) for k in kinds),
        transitions=(
            Transition("incoming", "establish", "establishing"),
            Transition("incoming", "connect", "established", note="establishing came late"),
            Transition("incoming", "redirect", "redirecting"),
            Transition("establishing", "ring", "ringing"),
            Transition("establishing", "connect", "established"),
            Transition("ringing", "connect", "established"),
            Transition(
                "established", "establish", "established", internal=True, note="late, out of order"
            ),
            Transition(
                "established", "ring", "established", internal=True, note="late, out of order"
            ),
            Transition("established", "hold", "hold"),
            Transition("hold", "connect", "established", note="resume"),
            Transition("established", "transfer", "transferring"),
            Transition("transferring", "accept_transfer", "transferAccepted"),
            *(
                Transition(source, "fail_transfer", "established", guard=k.name)
                for source in _IN_TRANSFER
                for k in kinds
            ),
            *(
                Transition("transferAccepted", "complete_transfer", "terminated", guard=k.name)
                for k in kinds
            ),
            *_hang_ups(_LIVE),
        ),
    )


#: The Graph call machine with the documented transfer kinds.
CALL_MACHINE = call_machine()
