"""``simulate`` and ``mix``: seeded, deterministic, every call whole and in its own order."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from itertools import pairwise
from typing import Any

import orjson
import pytest

from callstate.errors import UsageError
from callstate.simulate import MIX, SCENARIOS, build, expect, jsonl, mix, plans, simulate
from tests.conftest import CountWork


def call_of(line: dict[str, Any]) -> str:
    """The call id a line belongs to (notification or request record)."""
    url = line["request"]["url"] if "request" in line else line["value"][0]["resourceUrl"]
    parts: list[str] = url.split("/communications/calls/")[1].split("/")
    return parts[0]


class TestSimulate:
    """One seeded call."""

    @pytest.mark.parametrize("scenario", SCENARIOS)
    def test_same_seed_same_lines(self, scenario: str) -> None:
        """The same seed gives the same lines."""
        expected = simulate(scenario, seed=7)
        assert expected == simulate(scenario, seed=7)

    def test_seeds_vary_the_freedoms(self) -> None:
        """With the call id fixed, different seeds still give different streams."""
        streams = {
            b"".join(jsonl(simulate("blind-user", seed=s, call_id="c-1"))) for s in range(10)
        }
        assert len(streams) > 5

    def test_call_id(self) -> None:
        """``call_id`` names every line's call; without it, a uuid is drawn from the seed."""
        expected = {"my-call.1"}
        assert expected == {call_of(x) for x in simulate("blind-pstn", call_id="my-call.1")}
        drawn = {call_of(x) for x in simulate("blind-pstn", seed=3)}
        expected_lengths = [36]
        assert expected_lengths == [len(c) for c in drawn]

    @pytest.mark.parametrize(
        ("kwargs", "argument"),
        [
            ({"scenario": "blind"}, "scenario"),
            ({"scenario": "blind-user", "outcome": "partial"}, "outcome"),
            ({"scenario": "hang-up", "outcome": "failure"}, "outcome"),
            ({"scenario": "blind-user", "call_id": "x y"}, "call_id"),
        ],
    )
    def test_bad_arguments(self, kwargs: dict[str, Any], argument: str) -> None:
        """Bad arguments raise a UsageError naming the argument."""
        with pytest.raises(UsageError) as caught:
            simulate(**kwargs)
        assert argument == caught.value.argument


class TestMix:
    """Many calls interleaved."""

    def test_same_seed_same_bytes(self) -> None:
        """The same seed gives the same bytes; another seed gives others."""
        expected = b"".join(mix(60, seed=4))
        assert expected == b"".join(mix(60, seed=4))
        assert expected != b"".join(mix(60, seed=5))

    def test_json_lines(self) -> None:
        """Every item is one newline-terminated JSON object."""
        lines = list(mix(40, seed=1))
        assert [1] * len(lines) == [line.count(b"\n") for line in lines]
        assert all(line.endswith(b"\n") and isinstance(orjson.loads(line), dict) for line in lines)

    def test_each_call_whole_and_in_order(self) -> None:
        """Grouped by call, the lines are exactly each plan's lines, in order."""
        grouped: dict[str, list[bytes]] = defaultdict(list)
        for line in mix(300, seed=2):
            grouped[call_of(orjson.loads(line))].append(line)
        expected = {plan.call_id: list(jsonl(build(plan))) for plan in plans(300, seed=2)}
        assert expected == dict(grouped)

    def test_interleaved(self) -> None:
        """Calls overlap: the stream is not one call after another."""
        order = [call_of(orjson.loads(line)) for line in mix(50, seed=3)]
        switches = sum(1 for a, b in pairwise(order) if a != b)
        assert switches > 2 * 50

    def test_window_bounds_calls_in_flight(self) -> None:
        """No more than ``window`` calls have started and not yet ended at any line."""
        order = [call_of(orjson.loads(line)) for line in mix(200, seed=6, window=10)]
        last = {call: i for i, call in enumerate(order)}
        live: set[str] = set()
        peak = 0
        for i, call in enumerate(order):
            live.add(call)
            peak = max(peak, len(live))
            if last[call] == i:
                live.discard(call)
        expected = 10
        assert expected == peak

    def test_every_call_ends_terminated(self, replay: Callable[..., Any]) -> None:
        """Replayed through the machine, every call of a mix ends terminated."""
        calls = replay(orjson.loads(line) for line in mix(400, seed=8))
        expected = {"terminated"}
        assert expected == {call.state for call in calls.values()}
        assert expected == {expect(plan).final_state for plan in plans(400, seed=8)}
        expected_calls = 400
        assert expected_calls == len(calls)

    def test_mixes_every_scenario_and_outcome(self) -> None:
        """Every scenario and outcome pair occurs in a mix."""
        expected = set(MIX)
        assert expected == {(p.scenario, p.outcome) for p in plans(300, seed=0)}

    @pytest.mark.parametrize(
        ("kwargs", "argument"),
        [
            ({"calls": 0}, "calls"),
            ({"calls": -3}, "calls"),
            ({"calls": "10"}, "calls"),
            ({"calls": True}, "calls"),
            ({"calls": 5, "window": 0}, "window"),
        ],
    )
    def test_bad_arguments(self, kwargs: dict[str, Any], argument: str) -> None:
        """Bad arguments raise at the call, before any line is made."""
        with pytest.raises(UsageError) as caught:
            mix(**kwargs)
        assert argument == caught.value.argument

    @pytest.mark.slow
    def test_benchmark_load_costs_the_same_per_line(self, count_work: CountWork) -> None:
        """Eight times the calls is eight times the lines for no more work per line (counted).

        The benchmark generates 30,000 calls; the work per line must not grow with the number of
        calls. Counted, not timed, so a busy machine cannot fail it (the time is ``bench/``'s).
        """
        count_work(lambda: list(mix(3, seed=1)))  # a first traced run may be under-counted
        per_line = []
        for calls in (200, 1600):
            lines: list[bytes] = []
            work = count_work(lambda calls=calls, lines=lines: lines.extend(mix(calls, seed=0)))
            assert len(lines) > 8 * calls
            per_line.append(work / len(lines))
        small, large = per_line
        assert large <= 1.05 * small, f"{small:.0f} steps a line at 200 calls, {large:.0f} at 1600"
