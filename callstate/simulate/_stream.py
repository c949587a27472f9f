"""Seeded calls: one scenario's call, or many calls interleaved as benchmark load.

:func:`random_plan` draws every choice of a :class:`Plan` from a ``random.Random``,
among what the definition allows (its kinds, the states a transfer fails from, the
markers of each outcome); :func:`simulate` renders one, :func:`mix` many.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterable, Iterator
from typing import Final, Protocol

import attrs
import orjson

from callstate.errors import UsageError
from callstate.machine.definition import CALL_MACHINE, MachineDefinition
from callstate.simulate._build import build, duplicable
from callstate.simulate._flows import OUTCOMES, Flows, flows
from callstate.simulate._payload import OPERATIONS, SUBCODE_KEYS, JSONObject
from callstate.simulate._plan import (
    CALL_END_CODES,
    ENDINGS,
    HANG_UPS,
    MEDIA_PLACEMENTS,
    Plan,
    Timing,
)

__all__ = ["MIX", "jsonl", "mix", "mix_choices", "plans", "random_plan", "simulate"]

_OPERATION_NAMES: Final = tuple(OPERATIONS)
# The scenarios without a transfer that may end on hold.
# The call the bot places: its establishing comes first (only answer's may come late).
_OUTGOING: Final = "outgoing"


def mix_choices(definition: MachineDefinition = CALL_MACHINE) -> tuple[tuple[str, str], ...]:
    """The ``(scenario, outcome)`` pairs a mix of ``definition``'s calls draws from, uniformly."""
    f = flows(definition)
    return (
        *((scenario, outcome) for scenario in f.transfer_scenarios for outcome in OUTCOMES),
        *(
            (scenario, "success")
            for scenario in f.scenarios
            if scenario not in f.transfer_scenarios
        ),
    )


#: The (scenario, outcome) pairs a mix of the call machine's calls draws from.
MIX: Final = mix_choices()


class Uniform(Protocol):
    """What :func:`situate` draws from: ``random.Random``, or a stand-in whose numbers
    Hypothesis draws (``random()`` is all it calls)."""

    def random(self) -> float:
        """A number in [0, 1)."""
        ...


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _check(argument: str, value: object, options: tuple[str, ...]) -> None:
    if value not in options:
        raise UsageError(argument, f"expected one of {', '.join(options)}; got {value!r}")


def _pick(options: tuple[str, ...], draw: float) -> str | None:
    return options[int(draw * len(options))] if options else None


def _markers(rng: Uniform, plan: Plan, f: Flows) -> Plan:
    """Pick among the markers an outcome may carry in the call's situation (meeting mode or
    not); drawn only when there is a choice."""
    if plan.kind is None:
        return plan
    flow = f.flow(plan.kind)
    failures = flow.failure.eligible(plan.meeting)
    successes = flow.success.eligible(plan.meeting)
    failure, success = plan.failure_marker, plan.success_marker
    if plan.failures and failures:
        failure = failures[int(rng.random() * len(failures))] if len(failures) > 1 else failures[0]
    if plan.outcome == "success" and successes:
        success = (
            successes[int(rng.random() * len(successes))] if len(successes) > 1 else successes[0]
        )
    if (failure, success) == (plan.failure_marker, plan.success_marker):
        return plan
    return attrs.evolve(plan, failure_marker=failure, success_marker=success)


# A year of seconds: how far from 2024-05-01 a timed call may start.
_YEAR: Final = 365 * 24 * 3600


def _timing(rng: Uniform, plan: Plan, f: Flows, faults: bool) -> Timing:
    """When the call's lines happen; with ``faults``, maybe late or with a keepAlive forgotten.

    The windows are the definition's: an answer falls within its window (or, a
    fault, past it); a long call gets a keepAlive every 15 to 45 minutes (the
    window's third to all of it, less a minute), or, a fault, none.
    """
    rand = rng.random
    window = min((f.definition.timeouts[i].seconds for i in f.machine.judged_always), default=None)
    answer = min(
        (t.seconds for t in f.definition.timeouts if t.judged and not t.reset_by), default=None
    )
    answer_after = 0.2 + rand() * 5.0
    if answer is not None:
        answer_after = 0.2 + rand() * (answer - 1.0)
        if faults and rand() < 0.25:
            answer_after = answer + 0.5 + rand() * 30.0
    length = 1.0 + rand() * 600.0
    every = None
    if window is not None and rand() < 0.4:
        length = window + rand() * 3 * window
        every = window / 3 + rand() * (window * 2 / 3 - 60.0)
        if faults and plan.kind is None and rand() < 0.5:
            every = None  # the forgotten keepAlive: Graph ends the call
    return Timing(
        start=Timing().start + int(rand() * _YEAR),
        gap=round(0.05 + rand() * 2.0, 3),
        answer_after=round(answer_after, 3),
        length=round(length, 3),
        keepalive_every=None if every is None else round(every, 3),
    )


def situate(
    rng: Uniform,
    plan: Plan,
    *,
    definition: MachineDefinition = CALL_MACHINE,
    timed: bool,
    faults: bool,
) -> Plan:
    """``plan`` with the freedoms a timed plan (or one with faults) adds: time, meeting mode.

    Strategies pass a stand-in whose every number is a Hypothesis draw, so both draw the same
    way and a drawn plan's numbers shrink.
    """
    f = flows(definition)
    changes: dict[str, object] = {}
    if faults and plan.kind is not None and not plan.group and plan.outcome == "failure":
        changes["meeting"] = rng.random() < 0.4
    if timed:
        changes["timing"] = _timing(rng, plan, f, faults)
    plan = attrs.evolve(plan, **changes)  # type: ignore[arg-type]
    if plan.meeting:
        plan = _markers(rng, plan, f)
    count = len(duplicable(plan, definition=f.definition))
    kept = frozenset(p for p in plan.duplicates if p < count)
    if kept != plan.duplicates:
        plan = attrs.evolve(plan, duplicates=kept)
    return plan


def random_plan(
    rng: random.Random,
    scenario: str,
    outcome: str = "success",
    *,
    call_id: str | None = None,
    definition: MachineDefinition = CALL_MACHINE,
    timed: bool = False,
    faults: bool = False,
) -> Plan:
    """A plan for ``scenario`` and ``outcome`` with every freedom drawn from ``rng``.

    The call always ends (a hang-up follows a transfer that finally failed); with
    ``outcome="failure"`` no transfer of the call succeeds. Ids are drawn from
    ``rng`` too, so the same generator state gives the same plan. ``timed`` draws a
    :class:`Timing` too (the bot's requests, and times); ``faults`` lets the call
    break a rule on purpose: a late answer, a forgotten keepAlive, a transfer in
    meeting mode (see :attr:`Expected.findings`). Neither changes the draws before
    them: an untimed plan is the same as it always was.
    """
    f = flows(definition)
    _check("scenario", scenario, f.every_scenario)
    _check("outcome", outcome, OUTCOMES)
    for name, flag in (("timed", timed), ("faults", faults)):
        if not isinstance(flag, bool):
            raise UsageError(name, f"expected True or False, got {flag!r}")
    rand = rng.random
    kind = f.kind_of(scenario)
    transfer = kind is not None
    if not transfer and outcome != "success":
        raise UsageError("outcome", f"scenario {scenario!r} has no transfer, so no failure")
    retry = transfer and rand() < 0.3
    sources = f.flow(kind).failure.sources if kind is not None else ()
    plan = Plan(
        scenario=scenario,
        call_id=call_id if call_id is not None else _uuid(rng),
        outcome=outcome,
        late_establishing=rand() < 0.3 and scenario != _OUTGOING,
        media_inactive=MEDIA_PLACEMENTS[int(rand() * 3)],
        fail_from=_pick(sources, rand()),
        retry=retry,
        replaces_context=rand() < 0.5,
        subcode_key=SUBCODE_KEYS[int(rand() * 2)],
        string_codes=rand() < 0.2,
        request=rand() < 0.5 and f.transfer is not None,
        operation=_OPERATION_NAMES[int(rand() * 3)] if rand() < 0.3 else None,
        participants=rand() < 0.3,
        ending=ENDINGS[0] if rand() < 0.6 else ENDINGS[1 + int(rand() * 2)],
        end_code=rng.choice(tuple(CALL_END_CODES)),
        chain_id=_uuid(rng),
        replaces_call_id=_uuid(rng),
        client_context=_uuid(rng),
        operation_id=_uuid(rng),
        caller_id=_uuid(rng),
    )
    plan = attrs.evolve(
        plan,
        ringing=rand() < 0.2,
        hold=("ends" if scenario in HANG_UPS and rand() < 0.5 else "resumed")
        if rand() < 0.2
        else "none",
    )
    dups = frozenset(p for p in duplicable(plan, definition=definition) if rand() < 0.08)
    plan = attrs.evolve(plan, duplicates=dups) if dups else plan
    plan = _markers(rng, plan, f)
    if timed or faults:
        plan = situate(rng, plan, definition=definition, timed=timed, faults=faults)
    return plan


def simulate(
    scenario: str,
    *,
    outcome: str = "success",
    seed: int = 0,
    call_id: str | None = None,
    definition: MachineDefinition = CALL_MACHINE,
    timed: bool = False,
    faults: bool = False,
) -> list[JSONObject]:
    """One call of ``scenario`` with seeded freedoms: the same seed gives the same lines.

    ``timed`` gives the bot's timed log (its requests, Graph's answers, a time on each
    line); ``faults`` lets the call break a rule on purpose (see :func:`random_plan`).

    ``definition`` may be any checked definition: its transfer kinds are the
    scenarios' kinds, and the call is built and checked against it
    (:class:`~callstate.errors.IllegalTransition` if it refuses one of the call's
    notifications, as a definition without the spec's hold would).
    """
    rng = random.Random(seed)
    plan = random_plan(
        rng,
        scenario,
        outcome,
        call_id=call_id,
        definition=definition,
        timed=timed,
        faults=faults,
    )
    return build(plan, definition=definition)


def _count(calls: object) -> int:
    if not isinstance(calls, int) or isinstance(calls, bool) or calls < 1:
        raise UsageError("calls", f"expected a whole number of calls >= 1, got {calls!r}")
    return calls


def plans(
    calls: int,
    *,
    seed: int = 0,
    definition: MachineDefinition = CALL_MACHINE,
    timed: bool = False,
) -> Iterator[Plan]:
    """The plans of :func:`mix`, in the order their calls start: to assert on its output."""
    count = _count(calls)
    choices = mix_choices(definition)
    rng = random.Random(seed)

    def generate() -> Iterator[Plan]:
        for _ in range(count):
            scenario, outcome = choices[int(rng.random() * len(choices))]
            yield random_plan(rng, scenario, outcome, definition=definition, timed=timed)

    return generate()


def jsonl(lines: Iterable[JSONObject]) -> Iterator[bytes]:
    """Each JSON object as one newline-terminated JSON Lines line."""
    option = orjson.OPT_APPEND_NEWLINE
    return (orjson.dumps(line, option=option) for line in lines)


def mix(
    calls: int,
    *,
    seed: int = 0,
    window: int = 128,
    definition: MachineDefinition = CALL_MACHINE,
    timed: bool = False,
) -> Iterator[bytes]:
    """``calls`` calls interleaved, as JSON Lines: the benchmark load (``timed``: each
    line carries its time, requests included).

    Every scenario and outcome, hang-ups, rejects and redirects, each call's own
    order kept. At most ``window`` calls are in flight; the next line comes from one
    of them at random, so memory stays bounded however many calls there are. The
    same seed always gives the same bytes.
    """
    source = plans(calls, seed=seed, definition=definition, timed=timed)
    if not isinstance(window, int) or isinstance(window, bool) or window < 1:
        raise UsageError("window", f"expected a whole number >= 1, got {window!r}")
    pick = random.Random(f"interleave/{seed}").random
    option = orjson.OPT_APPEND_NEWLINE
    dumps = orjson.dumps

    def lines_of(plan: Plan) -> list[bytes]:
        return [dumps(line, option=option) for line in reversed(build(plan, definition=definition))]

    def generate() -> Iterator[bytes]:
        active = [lines_of(plan) for _, plan in zip(range(window), source, strict=False)]
        while active:
            index = int(pick() * len(active))
            pending = active[index]
            yield pending.pop()
            if not pending:
                following = next(source, None)
                if following is not None:
                    active[index] = lines_of(following)
                else:
                    active[index] = active[-1]
                    active.pop()

    return generate()
