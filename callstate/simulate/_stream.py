"""Seeded calls: one scenario's call, or many calls interleaved as benchmark load.

:func:`random_plan` draws every choice of a :class:`Plan` from a ``random.Random``,
among what the definition allows (its kinds, the states a transfer fails from, the
markers of each outcome); :func:`simulate` renders one, :func:`mix` many.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterable, Iterator
from typing import Final

import attrs
import orjson

from callstate.errors import UsageError
from callstate.machine.definition import CALL_MACHINE, MachineDefinition
from callstate.simulate._build import build, duplicable
from callstate.simulate._flows import OUTCOMES, Flows, flows
from callstate.simulate._payload import OPERATIONS, SUBCODE_KEYS, JSONObject
from callstate.simulate._plan import CALL_END_CODES, ENDINGS, MEDIA_PLACEMENTS, Plan

__all__ = ["MIX", "jsonl", "mix", "mix_choices", "plans", "random_plan", "simulate"]

_OPERATION_NAMES: Final = tuple(OPERATIONS)


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


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _check(argument: str, value: object, options: tuple[str, ...]) -> None:
    if value not in options:
        raise UsageError(argument, f"expected one of {', '.join(options)}; got {value!r}")


def _pick(options: tuple[str, ...], draw: float) -> str | None:
    return options[int(draw * len(options))] if options else None


def _markers(rng: random.Random, plan: Plan, f: Flows) -> Plan:
    """Pick among several markers of an outcome; drawn only when there is a choice."""
    if plan.kind is None:
        return plan
    flow = f.flow(plan.kind)
    failure, success = plan.failure_marker, plan.success_marker
    if plan.failures and len(flow.failure.markers) > 1:
        failure = int(rng.random() * len(flow.failure.markers))
    if plan.outcome == "success" and len(flow.success.markers) > 1:
        success = int(rng.random() * len(flow.success.markers))
    if (failure, success) == (plan.failure_marker, plan.success_marker):
        return plan
    return attrs.evolve(plan, failure_marker=failure, success_marker=success)


def random_plan(
    rng: random.Random,
    scenario: str,
    outcome: str = "success",
    *,
    call_id: str | None = None,
    definition: MachineDefinition = CALL_MACHINE,
) -> Plan:
    """A plan for ``scenario`` and ``outcome`` with every freedom drawn from ``rng``.

    The call always ends (a hang-up follows a transfer that finally failed); with
    ``outcome="failure"`` no transfer of the call succeeds. Ids are drawn from
    ``rng`` too, so the same generator state gives the same plan.
    """
    f = flows(definition)
    _check("scenario", scenario, f.scenarios)
    _check("outcome", outcome, OUTCOMES)
    rand = rng.random
    transfer = scenario in f.transfer_scenarios
    if not transfer and outcome != "success":
        raise UsageError("outcome", f"scenario {scenario!r} has no transfer, so no failure")
    retry = transfer and rand() < 0.3
    sources = f.flow(f.scenario_kinds[scenario]).failure.sources if transfer else ()
    plan = Plan(
        scenario=scenario,
        call_id=call_id if call_id is not None else _uuid(rng),
        outcome=outcome,
        late_establishing=rand() < 0.3,
        media_inactive=MEDIA_PLACEMENTS[int(rand() * 3)],
        fail_from=_pick(sources, rand()),
        retry=retry,
        replaces_context=rand() < 0.5,
        subcode_key=SUBCODE_KEYS[int(rand() * 2)],
        string_codes=rand() < 0.2,
        request=rand() < 0.5,
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
        hold=("ends" if scenario == "hang-up" and rand() < 0.5 else "resumed")
        if rand() < 0.2
        else "none",
    )
    dups = frozenset(p for p in duplicable(plan, definition=definition) if rand() < 0.08)
    plan = attrs.evolve(plan, duplicates=dups) if dups else plan
    return _markers(rng, plan, f)


def simulate(
    scenario: str,
    *,
    outcome: str = "success",
    seed: int = 0,
    call_id: str | None = None,
    definition: MachineDefinition = CALL_MACHINE,
) -> list[JSONObject]:
    """One call of ``scenario`` with seeded freedoms: the same seed gives the same lines.

    ``definition`` may be any checked definition: its transfer kinds are the
    scenarios' kinds, and the call is built and checked against it
    (:class:`~callstate.errors.IllegalTransition` if it refuses one of the call's
    notifications, as a definition without the spec's hold would).
    """
    rng = random.Random(seed)
    plan = random_plan(rng, scenario, outcome, call_id=call_id, definition=definition)
    return build(plan, definition=definition)


def _count(calls: object) -> int:
    if not isinstance(calls, int) or isinstance(calls, bool) or calls < 1:
        raise UsageError("calls", f"expected a whole number of calls >= 1, got {calls!r}")
    return calls


def plans(
    calls: int, *, seed: int = 0, definition: MachineDefinition = CALL_MACHINE
) -> Iterator[Plan]:
    """The plans of :func:`mix`, in the order their calls start: to assert on its output."""
    count = _count(calls)
    choices = mix_choices(definition)
    rng = random.Random(seed)

    def generate() -> Iterator[Plan]:
        for _ in range(count):
            scenario, outcome = choices[int(rng.random() * len(choices))]
            yield random_plan(rng, scenario, outcome, definition=definition)

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
) -> Iterator[bytes]:
    """``calls`` calls interleaved, as JSON Lines: the benchmark load.

    Every scenario and outcome, hang-ups, rejects and redirects, each call's own
    order kept. At most ``window`` calls are in flight; the next line comes from one
    of them at random, so memory stays bounded however many calls there are. The
    same seed always gives the same bytes.
    """
    source = plans(calls, seed=seed, definition=definition)
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
