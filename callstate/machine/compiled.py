"""The definition compiled once: the one interpreter of "this signal in this state".

Everything that asks what a notification does to a call asks a :class:`Compiled`
machine: the tracker, the ``transitions`` engine (which a test proves agrees on
every ``(state, event, kind)``), the explorer and invariants, the simulator's
expectation and the strategies' model. It answers with a :class:`Step` that says
where the call goes, how the step is kept in the packed history, whether a
repeat of the same notification must be remembered, whether the step settles a
transfer kind, and whether it ends the call. It also classifies a
notification's values into the one signal they report.
"""

from __future__ import annotations

from typing import Final, NamedTuple

from callstate.errors import CallstateError
from callstate.machine.definition import MachineDefinition, Request, Timeout, Transition
from callstate.machine.history import HistoryPacking

__all__ = ["Compiled", "Signal", "SignalError", "Step", "compiled"]

#: ``(event, marker kind or None)``: what one notification reports.
Signal = tuple[str, str | None]


class SignalError(CallstateError):
    """A notification that reports no event: an unknown state, or a marker out of place."""

    def __init__(self, rule: str, message: str) -> None:
        self.rule = rule
        self.message = message
        super().__init__(message)


class Step(NamedTuple):
    """What one signal does in one state (``source`` is ``None`` for a call's first signal).

    ``transition`` is ``None`` for a same-state update, which only adds data and is
    not kept in the history (``code`` 0). ``remember`` says that an exact repeat of
    this notification would be refused, so the tracker keeps its fingerprint to
    recognise a webhook retry; ``settles`` that the signal ends a transfer, clearing
    the kind its request announced; ``ends`` that the call is over.
    """

    dest: str
    transition: Transition | None
    source: str | None
    event: str
    kind: str | None
    code: int
    remember: bool
    settles: bool
    ends: bool

    @property
    def moves(self) -> bool:
        """Whether this is a transition (internal ones included), not a same-state update."""
        return self.transition is not None or self.source is None


class Compiled:
    """A checked definition's every answer, precomputed; build one with :func:`compiled`."""

    def __init__(self, definition: MachineDefinition) -> None:
        d = definition
        self.definition = d
        self.states = d.states
        self.final = d.final
        self.initial = d.initial
        #: The state a ``deleted`` notification without a state reports, if any.
        self.ended = d.ended
        self.history = HistoryPacking(d)
        #: Every ``(event, kind)`` a notification can carry, in definition order.
        self.signals: tuple[Signal, ...] = tuple(
            (e.name, k) for e in d.events for k in (e.kinds if e.markers else (None,))
        )
        #: What each event reports, and why it is refused where no transition takes it.
        self.reports = {e.name: e.reports for e in d.events}
        self.refusals = {e.name: (e.rule, e.refusal) for e in d.events}
        marked = {e.name for e in d.events if e.markers}
        #: state -> the unmarked signal reporting it (the checks allow at most one).
        self.plain: dict[str, Signal] = {}
        for e in d.events:
            if not e.markers:
                self.plain.setdefault(e.reports, (e.name, None))
        #: Any spelling of a state (exact, or lower case) -> the definition's spelling.
        self.state_names = {s.lower(): s for s in d.states} | {s: s for s in d.states}
        self.by_result: dict[tuple[int, int], Signal] = {}
        self.by_reason: dict[str, Signal] = {}
        for e in d.events:
            for m in e.markers:
                if m.code is not None and m.subcode is not None:
                    self.by_result.setdefault((m.code, m.subcode), (e.name, m.kind))
                if m.termination_reason is not None:
                    self.by_reason.setdefault(m.termination_reason.lower(), (e.name, m.kind))
        #: A result several kinds of one event share -> those kinds: it tells the outcome,
        #: and the kind the request announced tells which.
        self.shared_kinds: dict[tuple[int, int] | str, frozenset[str]] = {}
        for e in d.events:
            for m in e.markers:
                key = m.termination_reason.lower() if m.termination_reason else (m.code, m.subcode)
                kinds = frozenset(x.kind for x in e.markers if x.result == m.result)
                if len(kinds) > 1 and key is not None:
                    self.shared_kinds[key] = kinds  # type: ignore[index]
        self.labels: dict[Signal, str] = {
            (e.name, m.kind): m.label for e in d.events for m in e.markers
        }
        #: state -> signal -> step: every legal step.
        self.steps: dict[str, dict[Signal, Step]] = {s: {} for s in d.states}
        for state in d.states:
            for event, kind in self.signals:
                transition = d.resolve(state, event, kind)
                if transition is not None:
                    dest = transition.dest
                elif d.is_same_state_update(state, event):
                    dest = state
                else:
                    continue
                self.steps[state][(event, kind)] = self._step(
                    state, event, kind, dest, transition, event in marked
                )
        #: signal -> the step of a call's first notification, which has no source.
        self.openings: dict[Signal, Step] = {
            (event, kind): self._step(None, event, kind, self.reports[event], None, event in marked)
            for event, kind in self.signals
        }
        #: signal -> where a refused signal takes the call: the state it reports, for
        #: Graph's view is the truth; a repeat is always remembered.
        self.refused: dict[Signal, Step] = {}
        for event, kind in self.signals:
            dest = self.reports[event]
            code = self.history.code(event, dest)
            self.refused[(event, kind)] = Step(
                dest, None, None, event, kind, code, True, event in marked, dest in self.final
            )
        #: States in the middle of a transfer: some signal that settles one is accepted there.
        self.in_transfer: frozenset[str] = frozenset(
            state for state, row in self.steps.items() if any(st.settles for st in row.values())
        )
        #: The state of a call that has ended: the declared one, or the only final state.
        self.end_state = d.ended
        if self.end_state is None and len(d.final) == 1:
            (self.end_state,) = d.final
        #: ``(state, event, kind) -> step``: the same steps, keyed flat.
        self.table: dict[tuple[str, str, str | None], Step] = {
            (state, *signal): step
            for state, row in self.steps.items()
            for signal, step in row.items()
        }
        self._allowed = {s: d.allowed_events(s) for s in d.states}
        self._requests(d)

    def _requests(self, d: MachineDefinition) -> None:
        """The bot's side: which request a method and path name, and where each is allowed."""
        #: Request name -> its declaration.
        self.requests: dict[str, Request] = {r.name: r for r in d.requests}
        #: ``(method, action, creates a call)`` -> the request's name.
        self.request_paths: dict[tuple[str, str | None, bool], str] = {
            (r.method, r.action, r.opens is not None): r.name for r in d.requests
        }
        #: state -> the requests the bot may send in it.
        self.allowed_requests: dict[str, frozenset[str]] = {
            s: frozenset(r.name for r in d.requests if s in r.allowed) for s in d.states
        }
        #: Where a call the bot created starts (the create request's ``opens``).
        self.opened_at = next((r.opens for r in d.requests if r.opens), d.initial)
        self.timeouts: tuple[Timeout, ...] = d.timeouts
        #: Timeouts judged at any line of a call, and those judged at each request.
        self.judged_always = tuple(i for i, t in enumerate(d.timeouts) if not t.judged)
        self.judged_at: dict[str, tuple[int, ...]] = {
            r.name: tuple(i for i, t in enumerate(d.timeouts) if r.name in t.judged)
            for r in d.requests
        }
        self.reset_at: dict[str, tuple[int, ...]] = {
            r.name: tuple(i for i, t in enumerate(d.timeouts) if r.name in t.reset_by)
            for r in d.requests
        }
        self.timeout_states: tuple[frozenset[str], ...] = tuple(
            frozenset(t.states) for t in d.timeouts
        )

    def _step(
        self,
        source: str | None,
        event: str,
        kind: str | None,
        dest: str,
        transition: Transition | None,
        settles: bool,
    ) -> Step:
        update = source is not None and transition is None
        ends = dest in self.final
        code = 0 if update else self.history.code(None if source is None else event, dest)
        # Whether the same signal is accepted again in ``dest`` (whose row may not be
        # built yet, so the definition answers).
        repeat = self.definition.resolve(dest, event, kind) is not None or (
            self.definition.is_same_state_update(dest, event)
        )
        return Step(dest, transition, source, event, kind, code, not repeat, settles, ends)

    # -- questions ------------------------------------------------------------------

    def step(self, state: str, event: str, kind: str | None = None) -> Step | None:
        """The step ``(event, kind)`` takes from ``state``, or ``None`` when it is refused."""
        row = self.steps.get(state)
        return None if row is None else row.get((event, kind))

    def sharing(
        self,
        state: str | None,
        signal: Signal,
        kind: str | None,
        code: int | None,
        subcode: int | None,
    ) -> Signal:
        """What ``signal``, classified from a transfer result several kinds share (8523),
        stands for in ``state``: the announced ``kind``'s outcome when it shares the
        result, else the first sharing kind (in definition order) whose step ``state``
        takes; ``signal`` itself when the result is no shared one, or none takes it.

        By the result codes alone, which a remembered answer's key holds too: a shared
        ``terminationReason`` (the 2019 flow's AppTransferred) is read as before.
        """
        if code is None or subcode is None:
            return signal
        kinds = self.shared_kinds.get((code, subcode))
        if kinds is None:
            return signal
        event = signal[0]
        if kind in kinds:
            return (event, kind)
        row = self.steps.get(state) if state is not None else None
        if row is not None and signal not in row:
            for other in self.definition.kinds:
                if other.name in kinds and (event, other.name) in row:
                    return (event, other.name)
        return signal

    def allowed_events(self, state: str) -> tuple[str, ...]:
        """Events accepted in ``state``, transitions and same-state updates alike."""
        return self._allowed.get(state, ())

    def label(self, event: str, kind: str | None) -> str:
        """How a signal is shown: the marker's label, or the kind, or nothing."""
        return self.labels.get((event, kind), kind or "")

    def classify(
        self,
        state: str | None,
        *,
        deleted: bool = False,
        code: int | None = None,
        subcode: int | None = None,
        termination_reason: str | None = None,
    ) -> Signal | None:
        """The signal a call notification reports, or ``None`` when it only carries data.

        ``state`` is the definition's spelling (see :attr:`state_names`). A
        ``deleted`` notification with no state reports :attr:`ended`. Raises
        :class:`SignalError` for a state the machine does not know, or a transfer
        result on a notification of another state.
        """
        if state is None:
            if not deleted or self.ended is None:
                return None
            state = self.ended
        found = None
        if code is not None and subcode is not None:
            found = self.by_result.get((code, subcode))
        if termination_reason is not None:
            by_reason = self.by_reason.get(termination_reason.lower())
            if by_reason is not None:
                if found is not None and found != by_reason:
                    raise SignalError(
                        "misplaced-marker",
                        f"resultInfo {code}/{subcode} and terminationReason "
                        f"{termination_reason!r} report different transfer outcomes",
                    )
                found = by_reason
        if found is not None:
            event, kind = found
            reports = self.reports[event]
            if reports != state:
                raise SignalError(
                    "misplaced-marker",
                    f"{self.label(event, kind)} ({event.replace('_', ' ')}, {kind}) arrived "
                    f"with state {state!r}; it belongs to {reports!r}",
                )
            return found
        signal = self.plain.get(state)
        if signal is None:
            raise SignalError(
                "unknown-state",
                f"state {state!r} is not a state of the {self.definition.name} machine",
            )
        return signal


_CACHE: dict[MachineDefinition, Compiled] = {}
_CACHE_MAX: Final = 64


def compiled(definition: MachineDefinition) -> Compiled:
    """The compiled form of ``definition``, built once and shared (a bounded cache)."""
    found = _CACHE.get(definition)
    if found is None:
        if len(_CACHE) >= _CACHE_MAX:
            _CACHE.pop(next(iter(_CACHE)))
        found = _CACHE[definition] = Compiled(definition)
    return found
