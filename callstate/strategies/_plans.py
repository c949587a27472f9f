"""Valid notification streams: plans drawn as choices, rendered by the one builder.

Streams are drawn as :class:`~callstate.simulate.Plan` objects (so Hypothesis
shrinks the *choices*: fewer calls, simpler scenarios, fewer freedoms) and rendered
by :func:`callstate.simulate.build`, the one builder of faithful payloads. What a
plan may choose that depends on the machine (its transfer kinds, the states a
transfer fails from, the markers of each outcome) is read from the definition
(:func:`callstate.simulate.flows`), so any checked definition can be drawn from.
"""

from __future__ import annotations

import functools
import uuid

import attrs
import orjson
from hypothesis import reject, strategies as st

from callstate.errors import IllegalTransition, UsageError
from callstate.machine.definition import CALL_MACHINE, MachineDefinition
from callstate.simulate import (
    CALL_END_CODES,
    ENDINGS,
    HANG_UPS,
    HOLDS,
    MEDIA_PLACEMENTS,
    OPERATIONS,
    OUTCOMES,
    SUBCODE_KEYS,
    Flows,
    JSONObject,
    Plan,
    build,
    duplicable,
    expect,
    flows,
    situate,
)

__all__ = ["NotificationStream", "call_id_for", "notification_streams", "plans"]


def call_id_for(index: int) -> str:
    """The id of the ``index``-th call of a drawn stream: a readable, valid Graph call id."""
    return str(uuid.UUID(int=index + 1))


def choice(name: str, value: object, options: tuple[str, ...]) -> tuple[str, ...]:
    """``value`` (one option, several, or ``None`` for all) checked against ``options``."""
    if value is None:
        return options
    chosen = (value,) if isinstance(value, str) else tuple(value)  # type: ignore[arg-type]
    if not chosen or any(v not in options for v in chosen):
        raise UsageError(name, f"expected None or some of {list(options)}, got {value!r}")
    return chosen


#: One strategy per choice set, built once: Hypothesis validates a strategy at its first
#: draw, so one built afresh for each plan is validated again each time (about a third of
#: the time a property of drawn streams took).
_sampled = functools.lru_cache(maxsize=1024)(st.sampled_from)
_OPERATIONS = st.none() | st.sampled_from(tuple(OPERATIONS))
_END_CODES = st.sampled_from(tuple(CALL_END_CODES))
_CALL_IDS = st.uuids()


def _index(draw: st.DrawFn, eligible: tuple[int, ...], wanted: bool) -> int:
    """Which of the ``eligible`` markers an outcome carries (the first when there is no choice)."""
    if not eligible:
        reject()  # the definition's outcome has no marker for this situation
    return draw(_sampled(eligible)) if wanted else eligible[0]


@st.composite
def _plans(
    draw: st.DrawFn,
    f: Flows,
    scenarios: tuple[str, ...],
    outcomes: tuple[str, ...],
    call_id: str | None,
    timed: bool | None = False,
    faults: bool = False,
) -> Plan:
    scenario = draw(_sampled(scenarios))
    kind = f.kind_of(scenario)
    flow = None if kind is None else f.flow(kind)
    outcome, retry = "success", False
    if flow is not None:
        # Only the ends the definition's transfer has somewhere to come from: one that can
        # never fail is drawn succeeding, at the first attempt.
        ends = tuple(
            o for o in outcomes if (flow.success if o == "success" else flow.failure).sources
        )
        if not ends:
            reject()
        outcome = draw(_sampled(ends))
        retry = draw(st.booleans()) if flow.failure.sources else False
    sources = () if flow is None else flow.failure.sources
    hangs_up = scenario in HANG_UPS
    plan = Plan(
        scenario=scenario,
        call_id=call_id if call_id is not None else str(draw(_CALL_IDS)),
        outcome=outcome,
        late_establishing=draw(st.booleans()) if scenario != "outgoing" else False,
        ringing=draw(st.booleans()),
        hold=draw(_sampled(HOLDS if hangs_up else HOLDS[:2])),
        media_inactive=draw(_sampled(MEDIA_PLACEMENTS)),
        fail_from=draw(_sampled(sources)) if sources else None,
        retry=retry,
        replaces_context=draw(st.booleans()),
        subcode_key=draw(_sampled(SUBCODE_KEYS)),
        string_codes=draw(st.booleans()),
        request=draw(st.booleans()) if f.transfer is not None else False,
        operation=draw(_OPERATIONS),
        participants=draw(st.booleans()),
        ending=draw(_sampled(ENDINGS if hangs_up else (*ENDINGS, None))),
        end_code=draw(_END_CODES),
    )
    if flow is not None:
        plan = attrs.evolve(
            plan,
            failure_marker=_index(draw, flow.failure.eligible(False), plan.failures > 0),
            success_marker=_index(draw, flow.success.eligible(False), outcome == "success"),
        )
    # A timed transfer is told by its request: a definition without one has none timed.
    untold = plan.kind is not None and f.transfer is None
    timing = (draw(st.booleans()) and not untold) if timed is None else timed
    if timing and untold:
        reject()
    if timing or faults:
        plan = situate(_Drawn(draw), plan, definition=f.definition, timed=timing, faults=faults)
    try:
        expect(plan, definition=f.definition)
    except IllegalTransition:
        reject()  # the definition cannot tell this story (it lacks a hold, say)
    positions = tuple(duplicable(plan, definition=f.definition))
    duplicates = draw(st.frozensets(_sampled(positions), max_size=2)) if positions else None
    return attrs.evolve(plan, duplicates=duplicates) if duplicates else plan


#: What ``random.Random.random`` returns, as a strategy built once.
_UNIT = st.floats(0.0, 1.0, exclude_max=True)


class _Drawn:
    """The numbers :func:`situate` asks for, each one draw, so each shrinks on its own.

    ``st.randoms()`` would do the same, but it builds a strategy and saves the generator's
    state at every call: most of what situating a plan cost in the kit's profile.
    """

    __slots__ = ("_draw",)

    def __init__(self, draw: st.DrawFn) -> None:
        self._draw = draw

    def random(self) -> float:
        """One number in [0, 1)."""
        return self._draw(_UNIT)


def _flag(name: str, value: object, *, maybe: bool = False) -> None:
    if not (isinstance(value, bool) or (maybe and value is None)):
        expected = "True, False or None" if maybe else "True or False"
        raise UsageError(name, f"expected {expected}, got {value!r}")


def plans(
    *,
    scenarios: str | tuple[str, ...] | None = None,
    outcomes: str | tuple[str, ...] | None = None,
    call_id: str | None = None,
    timed: bool | None = None,
    faults: bool = False,
    definition: MachineDefinition = CALL_MACHINE,
) -> st.SearchStrategy[Plan]:
    """Every choice for one call of ``definition``: scenario, outcome and every freedom.

    Scenarios are the definition's (its transfer kinds times the targets, and calls
    without a transfer), and those its requests tell: group-call transfers with a roster
    and a transferee, an outgoing call, the 2019 legacy flow. ``timed`` makes a call the
    bot's timed log (its requests with Graph's answers, a time on every line; ``None``
    draws it); ``faults`` lets a call break a rule on purpose (a late answer, a
    forgotten keepAlive, a transfer in meeting mode), and
    :func:`~callstate.simulate.expect` names what it breaks. Freedoms:
    establishing/established order, ringing, a hold (resumed, or ended on hold for a
    hang-up), media-inactive before or after transferAccepted, the state a failure comes
    from, which marker an outcome carries, ``subcode``/``subCode``, string codes,
    request records, operations and rosters, a failed transfer before the last one, the
    ending and its code, and duplicate deliveries. A call usually ends; ``ending=None``
    leaves it live, as a trace cut mid-call does. Only plans whose every notification
    the definition accepts are drawn. Shrinks towards a plain transfer of the first kind
    to a user that succeeds.
    """
    f = flows(definition)
    chosen = choice("scenarios", scenarios, f.every_scenario)
    wanted = choice("outcomes", outcomes, OUTCOMES)
    if call_id is not None and not isinstance(call_id, str):
        raise UsageError("call_id", f"expected a str or None, got {call_id!r}")
    _flag("timed", timed, maybe=True)
    _flag("faults", faults)
    return _plans(f, chosen, wanted, call_id, timed, faults)


@attrs.frozen
class NotificationStream:
    """Calls interleaved, each call's own order kept: the plans and the lines they make.

    ``definition`` is the one the plans were drawn from and rendered with;
    ``origins`` the index (in ``plans``) of the call each line belongs to.
    """

    plans: tuple[Plan, ...]
    lines: tuple[JSONObject, ...]
    definition: MachineDefinition = attrs.field(default=CALL_MACHINE, eq=False, repr=False)
    origins: tuple[int, ...] = attrs.field(default=(), eq=False, repr=False)

    def jsonl(self) -> tuple[bytes, ...]:
        """The lines as JSON Lines (no newline), ready for :func:`~callstate.validate_lines`."""
        return tuple(orjson.dumps(line) for line in self.lines)

    @property
    def call_ids(self) -> tuple[str, ...]:
        """The ids of its calls, in the order the calls were drawn."""
        return tuple(plan.call_id for plan in self.plans)


def sizes(min_calls: object, max_calls: object) -> tuple[int, int]:
    """``(min_calls, max_calls)``, checked."""
    for name, value in (("min_calls", min_calls), ("max_calls", max_calls)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise UsageError(name, f"expected a whole number >= 1, got {value!r}")
    assert isinstance(min_calls, int)
    assert isinstance(max_calls, int)
    if max_calls < min_calls:
        raise UsageError("max_calls", f"must be >= min_calls ({min_calls}), got {max_calls}")
    return min_calls, max_calls


@st.composite
def streams(
    draw: st.DrawFn,
    f: Flows,
    bounds: tuple[int, int],
    scenarios: tuple[str, ...],
    outcomes: tuple[str, ...],
    timed: bool | None = False,
    faults: bool = False,
) -> NotificationStream:
    """Calls drawn from ``f``'s definition and interleaved: :func:`notification_streams`."""
    count = draw(st.integers(*bounds))
    drawn = tuple(
        draw(_plans(f, scenarios, outcomes, call_id_for(i), timed, faults)) for i in range(count)
    )
    pending = [list(reversed(build(plan, definition=f.definition))) for plan in drawn]
    total = sum(len(p) for p in pending)
    picks = draw(st.lists(st.integers(0, count - 1), min_size=total, max_size=total))
    lines: list[JSONObject] = []
    origins: list[int] = []
    live = [i for i, p in enumerate(pending) if p]
    for pick in picks:
        index = pick % len(live)
        lines.append(pending[live[index]].pop())
        origins.append(live[index])
        if not pending[live[index]]:
            live.pop(index)
    return NotificationStream(drawn, tuple(lines), f.definition, tuple(origins))


def notification_streams(
    *,
    min_calls: int = 1,
    max_calls: int = 3,
    scenarios: str | tuple[str, ...] | None = None,
    outcomes: str | tuple[str, ...] | None = None,
    timed: bool | None = None,
    faults: bool = False,
    definition: MachineDefinition = CALL_MACHINE,
) -> st.SearchStrategy[NotificationStream]:
    """Valid streams of ``min_calls`` to ``max_calls`` calls, interleaved line by line.

    Each call is a :func:`plans` draw for one of ``scenarios`` (default all of
    ``definition``'s) and ``outcomes``, ``timed`` and ``faults`` as :func:`plans`
    has them; without ``faults``, a tracker of the same checked definition accepts
    every stream this draws. Shrinks towards one call, then towards its
    lines one call after another.
    """
    f = flows(definition)
    _flag("timed", timed, maybe=True)
    _flag("faults", faults)
    return streams(
        f,
        sizes(min_calls, max_calls),
        choice("scenarios", scenarios, f.every_scenario),
        choice("outcomes", outcomes, OUTCOMES),
        timed,
        faults,
    )
