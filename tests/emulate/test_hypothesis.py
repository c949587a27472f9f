"""Whole calls drawn by Hypothesis against a bot over HTTP, and the shrinking to the smallest."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, find, given, settings, strategies as st

from callstate.emulate import Freedoms, Offer
from callstate.errors import UsageError
from callstate.testing import EmulatedGraph, emulated_calls, run_calls
from tests.emulate.conftest import WAIT, MiniBot

Start = Callable[..., MiniBot]
#: Few examples: each runs real HTTP calls.
FEW = settings(
    max_examples=8,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def test_conforming_bot_passes_every_drawn_call(graph: EmulatedGraph, minibot: Start) -> None:
    """A bot that names the transferee of a group call conforms on every call drawn."""
    bot = minibot(transferee=True)

    @FEW
    @given(emulated_calls(max_calls=2))
    def check(calls: list[Offer]) -> None:
        verdict = run_calls(graph, calls, timeout=WAIT, idle=bot.idle)
        found = {f.rule for f in (*verdict.requests, *verdict.notes)}
        # A bot cannot know a call is in meeting mode before the roster reaches it.
        assert (True, set()) == (verdict.conformed, found - {"meeting-mode-transfer"}), (
            verdict.lines()
        )

    check()


def test_failure_shrinks_to_one_group_call(graph: EmulatedGraph, minibot: Start) -> None:
    """A bot that forgets the transferee fails only on group calls: it shrinks to one."""
    bot = minibot()
    assert ["group"] == [c.situation for c in _smallest(graph, bot, st.just(Freedoms()))]


@pytest.mark.slow
def test_the_shrinker_drops_a_call_it_does_not_need() -> None:
    """With every freedom drawn, a failure needing one group call shrinks to it, at rest.

    A call drawn as one (situation, freedoms) pair stayed in about 1 of 5 shrinks.
    """
    smallest = [
        find(
            emulated_calls(max_calls=2),
            lambda calls: any(c.situation == "group" for c in calls),
            settings=settings(max_examples=200, database=None),
        )
        for _ in range(20)
    ]
    expected = [[("group", Freedoms())]] * 20
    assert expected == [[(c.situation, c.freedoms) for c in calls] for calls in smallest]


@pytest.mark.parametrize(
    ("options", "argument"),
    [
        ({"max_calls": 0}, "max_calls"),
        ({"max_calls": True}, "max_calls"),
        ({"situations": ("lobby",)}, "situations"),
        ({"situations": ()}, "situations"),
        ({"outcomes": ("maybe",)}, "outcomes"),
        ({"freedoms": Freedoms()}, "freedoms"),
    ],
)
def test_invalid_arguments_name_themselves(options: dict[str, object], argument: str) -> None:
    """A wrong option is a UsageError naming it, raised when the strategy is built."""
    with pytest.raises(UsageError) as caught:
        emulated_calls(**options)  # type: ignore[arg-type]
    assert argument == caught.value.argument


@pytest.mark.slow
def test_failure_shrinks_every_freedom() -> None:
    """With every freedom drawn too, the smallest failure is one group call, freedoms at rest."""
    with EmulatedGraph(delay=0.005) as graph:
        bot = MiniBot(graph.base_url)
        graph.bot = bot.url
        try:
            smallest = _smallest(graph, bot)
        finally:
            bot.close()
    assert [("group", Freedoms())] == [(c.situation, c.freedoms) for c in smallest]


def _smallest(
    graph: EmulatedGraph, bot: MiniBot, freedoms: st.SearchStrategy[Freedoms] | None = None
) -> list[Offer]:

    def fails(calls: list[Offer]) -> bool:
        return not run_calls(graph, calls, timeout=WAIT, idle=bot.idle).conformed

    return find(
        emulated_calls(max_calls=2, freedoms=freedoms),
        fails,
        settings=settings(max_examples=20, deadline=None, database=None),
    )
