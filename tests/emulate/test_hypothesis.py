"""Whole calls drawn by Hypothesis against a bot over HTTP, and the shrinking to the smallest."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, find, given, settings, strategies as st

from callstate.emulate import Freedoms, Offer
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
        assert [verdict.lines()[-1].replace("did not conform", "conformed")] == verdict.lines()

    check()


def test_failure_shrinks_to_one_group_call(graph: EmulatedGraph, minibot: Start) -> None:
    """A bot that forgets the transferee fails only on group calls: it shrinks to one."""
    bot = minibot()
    assert ["group"] == [c.situation for c in _smallest(graph, bot, st.just(Freedoms()))]


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
