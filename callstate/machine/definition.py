"""The one definition of the call machine, as plain data.

Everything that knows how a call moves (the ``transitions`` engine, the compiled
table, the diagrams, the Hypothesis rules and the explorer) reads this module and
nothing else. States are the Graph ``callState`` strings; an event is what one
notification reports, so a notification maps to exactly one event.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from callstate.machine._checks import check_definition

__all__ = [
    "CALL_MACHINE",
    "Event",
    "Guard",
    "MachineDefinition",
    "Marker",
    "Transition",
]


@attrs.frozen
class Marker:
    """A result a notification carries that tells how a transfer ended, and of which kind."""

    kind: str
    code: int | None = None
    subcode: int | None = None
    termination_reason: str | None = None

    @property
    def label(self) -> str:
        """The short form used on diagrams: ``0/7015`` or ``AppTransferred``."""
        if self.termination_reason is not None:
            return self.termination_reason
        return f"{self.code}/{self.subcode}"


@attrs.frozen
class Event:
    """What one notification reports: the state it carries, and a marker when it needs one."""

    name: str
    reports: str
    markers: tuple[Marker, ...] = ()
    doc: str = ""
    #: The rule a validator reports when this event arrives where no transition accepts it.
    rule: str = "illegal-transition"
    #: Why, in words, for that report.
    refusal: str = "the machine has no transition for it"

    def marker(self, kind: str) -> Marker | None:
        """The marker of ``kind`` this event is recognised by, if any."""
        for marker in self.markers:
            if marker.kind == kind:
                return marker
        return None


@attrs.frozen
class Guard:
    """A condition on an event: it holds when the notification's marker is of ``kind``."""

    name: str
    kind: str
    doc: str = ""


@attrs.frozen
class Transition:
    """One edge. ``internal`` edges accept the event but leave the call where it is."""

    source: str
    event: str
    dest: str
    guard: str | None = None
    internal: bool = False
    note: str = ""


@attrs.frozen
class MachineDefinition:
    """States, events, guards, transitions and final states, checked when built.

    Pass ``check=False`` only to build a deliberately broken definition (mutation
    tests); every consumer in callstate assumes a checked one.
    """

    name: str
    states: tuple[str, ...]
    initial: str
    final: frozenset[str]
    events: tuple[Event, ...]
    guards: tuple[Guard, ...]
    transitions: tuple[Transition, ...]
    check: bool = attrs.field(default=True, kw_only=True, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        if self.check:
            check_definition(self)

    def event(self, name: str) -> Event:
        """The event called ``name``; ``KeyError`` if there is none."""
        for event in self.events:
            if event.name == name:
                return event
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

    def resolve(self, state: str, event: str, kind: str | None) -> Transition | None:
        """The one transition ``event`` (with a marker of ``kind``) takes from ``state``."""
        for transition in self.transitions:
            if transition.source != state or transition.event != event:
                continue
            if transition.guard is None or self.guard(transition.guard).kind == kind:
                return transition
        return None

    def allowed_events(self, state: str) -> tuple[str, ...]:
        """Events accepted in ``state``, transitions and same-state updates alike."""
        names = [t.event for t in self.outgoing(state)]
        names += [e.name for e in self.events if self.is_same_state_update(state, e.name)]
        return tuple(dict.fromkeys(names))

    def replace(self, **changes: object) -> MachineDefinition:
        """A copy with ``changes`` applied, checked unless ``check=False`` is among them."""
        return attrs.evolve(self, **changes)  # type: ignore[arg-type]


BLIND = "blind"
CONSULTATIVE = "consultative"

LIVE = (
    "incoming",
    "establishing",
    "ringing",
    "established",
    "hold",
    "transferring",
    "transferAccepted",
    "redirecting",
    "terminating",
)


def _hang_ups(states: Iterable[str]) -> list[Transition]:
    edges: list[Transition] = []
    for state in states:
        if state != "terminating":
            edges.append(Transition(state, "hang_up", "terminating"))
        note = "reject, or deleted with no state" if state == "incoming" else ""
        edges.append(Transition(state, "terminate", "terminated", note=note))
    return edges


CALL_MACHINE = MachineDefinition(
    name="call",
    states=(*LIVE, "terminated"),
    initial="incoming",
    final=frozenset({"terminated"}),
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
            markers=(Marker(BLIND, 500, 7000), Marker(CONSULTATIVE, 500, 7700)),
            doc="The transfer failed and the call is back with the transferor.",
            rule="failure-without-transfer",
            refusal="a transfer failure with no transfer in progress",
        ),
        Event(
            "complete_transfer",
            "terminated",
            markers=(
                Marker(BLIND, 0, 7015),
                Marker(CONSULTATIVE, termination_reason="AppTransferred"),
            ),
            doc="The transfer completed and the transferor's call ended.",
            rule="success-without-transfer",
            refusal="a transfer success with no transfer in progress",
        ),
        Event("hang_up", "terminating", doc="The call is being torn down."),
        Event("terminate", "terminated", doc="The call ended (``deleted``)."),
    ),
    guards=(
        Guard(BLIND, BLIND, doc="A blind transfer: no replacesCallId."),
        Guard(CONSULTATIVE, CONSULTATIVE, doc="A consultative transfer: replacesCallId."),
    ),
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
        Transition("established", "ring", "established", internal=True, note="late, out of order"),
        Transition("established", "hold", "hold"),
        Transition("hold", "connect", "established", note="resume"),
        Transition("established", "transfer", "transferring"),
        Transition("transferring", "accept_transfer", "transferAccepted"),
        *(
            Transition(source, "fail_transfer", "established", guard=kind)
            for source in ("transferring", "transferAccepted")
            for kind in (BLIND, CONSULTATIVE)
        ),
        Transition("transferAccepted", "complete_transfer", "terminated", guard=BLIND),
        Transition("transferAccepted", "complete_transfer", "terminated", guard=CONSULTATIVE),
        *_hang_ups(LIVE),
    ),
)
