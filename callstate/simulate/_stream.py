"""Whole streams: one scenario's call, or many calls interleaved as benchmark load."""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from typing import Final

import orjson

from callstate.errors import UsageError
from callstate.simulate._payload import JSONObject
from callstate.simulate._plan import (
    OUTCOMES,
    SCENARIOS,
    TRANSFER_SCENARIOS,
    Plan,
    build,
    random_plan,
)

__all__ = ["MIX", "jsonl", "mix", "plans", "simulate"]

#: The (scenario, outcome) pairs a mix draws from, uniformly.
MIX: Final = (
    *((scenario, outcome) for scenario in TRANSFER_SCENARIOS for outcome in OUTCOMES),
    *((scenario, "success") for scenario in SCENARIOS if scenario not in TRANSFER_SCENARIOS),
)


def _check(argument: str, value: object, options: tuple[str, ...]) -> None:
    if value not in options:
        raise UsageError(argument, f"expected one of {', '.join(options)}; got {value!r}")


def simulate(
    scenario: str, *, outcome: str = "success", seed: int = 0, call_id: str | None = None
) -> list[JSONObject]:
    """One call of ``scenario`` with seeded freedoms: the same seed gives the same lines."""
    _check("scenario", scenario, SCENARIOS)
    _check("outcome", outcome, OUTCOMES)
    return build(random_plan(random.Random(seed), scenario, outcome, call_id=call_id))


def _count(calls: object) -> int:
    if not isinstance(calls, int) or isinstance(calls, bool) or calls < 1:
        raise UsageError("calls", f"expected a whole number of calls >= 1, got {calls!r}")
    return calls


def plans(calls: int, *, seed: int = 0) -> Iterator[Plan]:
    """The plans of :func:`mix`, in the order their calls start: to assert on its output."""
    count = _count(calls)
    rng = random.Random(seed)

    def generate() -> Iterator[Plan]:
        for _ in range(count):
            scenario, outcome = MIX[int(rng.random() * len(MIX))]
            yield random_plan(rng, scenario, outcome)

    return generate()


def jsonl(lines: Iterable[JSONObject]) -> Iterator[bytes]:
    """Each JSON object as one newline-terminated JSON Lines line."""
    option = orjson.OPT_APPEND_NEWLINE
    return (orjson.dumps(line, option=option) for line in lines)


def mix(calls: int, *, seed: int = 0, window: int = 128) -> Iterator[bytes]:
    """``calls`` calls interleaved, as JSON Lines: the benchmark load.

    Every scenario and outcome, hang-ups, rejects and redirects, each call's own
    order kept. At most ``window`` calls are in flight; the next line comes from one
    of them at random, so memory stays bounded however many calls there are. The
    same seed always gives the same bytes.
    """
    source = plans(calls, seed=seed)
    if not isinstance(window, int) or isinstance(window, bool) or window < 1:
        raise UsageError("window", f"expected a whole number >= 1, got {window!r}")
    pick = random.Random(f"interleave/{seed}").random
    option = orjson.OPT_APPEND_NEWLINE
    dumps = orjson.dumps

    def lines_of(plan: Plan) -> list[bytes]:
        return [dumps(line, option=option) for line in reversed(build(plan))]

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
