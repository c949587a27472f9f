"""Valid notification streams: plans drawn as choices, rendered by the one builder.

Streams are drawn as :class:`~callstate.simulate.Plan` objects (so Hypothesis
shrinks the *choices*: fewer calls, simpler scenarios, fewer freedoms) and rendered
by :func:`callstate.simulate.build`, the one builder of faithful payloads. What a
plan may choose that depends on the machine (its transfer kinds, the states a
transfer fails from, the markers of each outcome) is read from the definition
(:func:`callstate.simulate.flows`), so any checked definition can be drawn from.
"""

from __future__ import annotations

import uuid

import attrs
import orjson
from hypothesis import reject, strategies as st

from callstate.errors import IllegalTransition, UsageError
from callstate.machine.definition import CALL_MACHINE, MachineDefinition
from callstate.simulate import (
    CALL_END_CODES,
    ENDINGS,
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


def _index(draw: st.DrawFn, count: int, wanted: bool) -> int:
    """Which of ``count`` markers an outcome carries (0 when there is no choice)."""
    return draw(st.integers(0, count - 1)) if wanted and count > 1 else 0


@st.composite
def _plans(
    draw: st.DrawFn,
    f: Flows,
    scenarios: tuple[str, ...],
    outcomes: tuple[str, ...],
    call_id: str | None,
) -> Plan:
    scenario = draw(st.sampled_from(scenarios))
    kind = f.scenario_kinds.get(scenario)
    outcome = draw(st.sampled_from(outcomes)) if kind is not None else "success"
    retry = draw(st.booleans()) if kind is not None else False
    flow = None if kind is None else f.flow(kind)
    sources = () if flow is None else flow.failure.sources
    plan = Plan(
        scenario=scenario,
        call_id=call_id if call_id is not None else str(draw(st.uuids())),
        outcome=outcome,
        late_establishing=draw(st.booleans()),
        ringing=draw(st.booleans()),
        hold=draw(st.sampled_from(HOLDS if scenario == "hang-up" else HOLDS[:2])),
        media_inactive=draw(st.sampled_from(MEDIA_PLACEMENTS)),
        fail_from=draw(st.sampled_from(sources)) if sources else None,
        retry=retry,
        replaces_context=draw(st.booleans()),
        subcode_key=draw(st.sampled_from(SUBCODE_KEYS)),
        string_codes=draw(st.booleans()),
        request=draw(st.booleans()),
        operation=draw(st.none() | st.sampled_from(tuple(OPERATIONS))),
        participants=draw(st.booleans()),
        ending=draw(st.sampled_from(ENDINGS if scenario == "hang-up" else (*ENDINGS, None))),
        end_code=draw(st.sampled_from(tuple(CALL_END_CODES))),
    )
    if flow is not None:
        plan = attrs.evolve(
            plan,
            failure_marker=_index(draw, len(flow.failure.markers), plan.failures > 0),
            success_marker=_index(draw, len(flow.success.markers), outcome == "success"),
        )
    try:
        expect(plan, definition=f.definition)
    except IllegalTransition:
        reject()  # the definition cannot tell this story (it lacks a hold, say)
    positions = tuple(duplicable(plan, definition=f.definition))
    duplicates = draw(st.frozensets(st.sampled_from(positions), max_size=2)) if positions else None
    return attrs.evolve(plan, duplicates=duplicates) if duplicates else plan


def plans(
    *,
    scenarios: str | tuple[str, ...] | None = None,
    outcomes: str | tuple[str, ...] | None = None,
    call_id: str | None = None,
    definition: MachineDefinition = CALL_MACHINE,
) -> st.SearchStrategy[Plan]:
    """Every choice for one call of ``definition``: scenario, outcome and every freedom.

    Scenarios are the definition's (its transfer kinds times the targets, and calls
    without a transfer). Freedoms: establishing/established order, ringing, a hold
    (resumed, or ended on hold for a hang-up), media-inactive before or after
    transferAccepted, the state a failure comes from, which marker an outcome
    carries, ``subcode``/``subCode``, string codes, request records, operations and
    rosters, a failed transfer before the last one, the ending and its code, and
    duplicate deliveries. A call usually ends; ``ending=None`` leaves it live, as a
    trace cut mid-call does. Only plans whose every notification the definition
    accepts are drawn. Shrinks towards a plain transfer of the first kind to a user
    that succeeds.
    """
    f = flows(definition)
    chosen = choice("scenarios", scenarios, f.scenarios)
    wanted = choice("outcomes", outcomes, OUTCOMES)
    if call_id is not None and not isinstance(call_id, str):
        raise UsageError("call_id", f"expected a str or None, got {call_id!r}")
    return _plans(f, chosen, wanted, call_id)


@attrs.frozen
class NotificationStream:
    """Calls interleaved, each call's own order kept: the plans and the lines they make.

    ``definition`` is the one the plans were drawn from and rendered with.
    """

    plans: tuple[Plan, ...]
    lines: tuple[JSONObject, ...]
    definition: MachineDefinition = attrs.field(default=CALL_MACHINE, eq=False, repr=False)

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
) -> NotificationStream:
    """Calls drawn from ``f``'s definition and interleaved: :func:`notification_streams`."""
    count = draw(st.integers(*bounds))
    drawn = tuple(draw(_plans(f, scenarios, outcomes, call_id_for(i))) for i in range(count))
    pending = [list(reversed(build(plan, definition=f.definition))) for plan in drawn]
    total = sum(len(p) for p in pending)
    picks = draw(st.lists(st.integers(0, count - 1), min_size=total, max_size=total))
    lines: list[JSONObject] = []
    live = [p for p in pending if p]
    for pick in picks:
        index = pick % len(live)
        lines.append(live[index].pop())
        if not live[index]:
            live.pop(index)
    return NotificationStream(drawn, tuple(lines), f.definition)


def notification_streams(
    *,
    min_calls: int = 1,
    max_calls: int = 3,
    scenarios: str | tuple[str, ...] | None = None,
    outcomes: str | tuple[str, ...] | None = None,
    definition: MachineDefinition = CALL_MACHINE,
) -> st.SearchStrategy[NotificationStream]:
    """Valid streams of ``min_calls`` to ``max_calls`` calls, interleaved line by line.

    Each call is a :func:`plans` draw for one of ``scenarios`` (default all of
    ``definition``'s) and ``outcomes``; a tracker of the same checked definition
    accepts every stream this draws. Shrinks towards one call, then towards its
    lines one call after another.
    """
    f = flows(definition)
    return streams(
        f,
        sizes(min_calls, max_calls),
        choice("scenarios", scenarios, f.scenarios),
        choice("outcomes", outcomes, OUTCOMES),
    )
