"""Whole calls against a bot over HTTP, drawn by Hypothesis: which calls, which freedoms.

:func:`emulated_calls` draws the calls the emulator offers, each with its situation and
Graph's documented freedoms (the tables :mod:`callstate.emulate` reads from the
definition and the simulator); :func:`run_calls` plays them against the bot through
an :class:`~callstate.testing.EmulatedGraph` and returns the verdict of those calls.
A failing property shrinks as Hypothesis shrinks: to fewer calls, and each freedom
to its first option, so the report is the smallest call that still fails.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Final

import attrs
from hypothesis import strategies as st

from callstate.emulate import FAIL_FROM, OUTCOMES, SITUATIONS, Freedoms, Offer, Verdict
from callstate.emulate._offer import BY_BOT
from callstate.errors import UsageError
from callstate.simulate import CALL_END_CODES, MEDIA_PLACEMENTS, OPERATIONS, SUBCODE_KEYS
from callstate.strategies._machine import size
from callstate.strategies._plans import choice
from callstate.testing._graph import EmulatedGraph

__all__ = ["emulated_calls", "graph_freedoms", "run_calls"]

#: Positions of a call's notifications a drawn duplicate may fall on.
_POSITIONS: Final = 12
_IDS: Final = uuid.UUID("0f6e5d4c-3b2a-4918-8776-655443322110")
_OTHER_ENDS: Final = tuple(code for code in CALL_END_CODES if code not in BY_BOT)


def graph_freedoms(*, outcomes: tuple[str, ...] = OUTCOMES[:2]) -> st.SearchStrategy[Freedoms]:
    """Graph's documented freedoms for one call; ``outcomes`` are those its transfers may have."""
    outcomes = choice("outcomes", outcomes, OUTCOMES)
    return st.builds(
        Freedoms,
        late_establishing=st.booleans(),
        media_inactive=st.sampled_from(MEDIA_PLACEMENTS[::-1]),  # shrinks to "none"
        subcode_key=st.sampled_from(SUBCODE_KEYS),
        duplicates=st.frozensets(st.integers(0, _POSITIONS - 1), max_size=3),
        participants=st.booleans(),
        operation=st.sampled_from((None, *OPERATIONS)),
        outcome=st.sampled_from(outcomes),
        fail_from=st.sampled_from((None, *FAIL_FROM)),
        end_code=st.sampled_from(_OTHER_ENDS),
        bot_end_code=st.sampled_from(BY_BOT),
    )


def emulated_calls(
    *,
    situations: tuple[str, ...] = SITUATIONS,
    outcomes: tuple[str, ...] = OUTCOMES[:2],
    max_calls: int = 3,
    freedoms: st.SearchStrategy[Freedoms] | None = None,
) -> st.SearchStrategy[list[Offer]]:
    """Lists of 1 to ``max_calls`` incoming calls, each with its situation and freedoms.

    ``freedoms`` replaces :func:`graph_freedoms` (``st.just(Freedoms())`` to fix them).
    The situations and the freedoms are drawn as two lists, the n-th call taking the
    n-th of each: Hypothesis then drops a call by dropping one situation, which it
    always manages, where a call drawn as one (situation, freedoms) pair often stays.
    """
    situations = choice("situations", situations, SITUATIONS)
    outcomes = choice("outcomes", outcomes, OUTCOMES)
    max_calls = size("max_calls", max_calls, low=1)
    if freedoms is not None and not isinstance(freedoms, st.SearchStrategy):
        raise UsageError("freedoms", f"expected None or a strategy of Freedoms, got {freedoms!r}")
    each = graph_freedoms(outcomes=outcomes) if freedoms is None else freedoms

    def offers(drawn: tuple[list[str], list[Freedoms]]) -> list[Offer]:
        # Ids are not drawn (nothing to shrink); run_calls gives each run fresh ones anyway.
        return [
            Offer(call_id=str(uuid.uuid5(_IDS, str(i))), situation=situation, freedoms=chosen)
            for i, (situation, chosen) in enumerate(zip(*drawn, strict=False))
        ]

    return st.tuples(
        st.lists(st.sampled_from(situations), min_size=1, max_size=max_calls),
        st.lists(each, min_size=max_calls, max_size=max_calls),
    ).map(offers)


def run_calls(
    graph: EmulatedGraph,
    calls: list[Offer],
    *,
    timeout: float = 10.0,
    quiet: float = 0.5,
    expire: bool = True,
    idle: Callable[[], bool] | None = None,
) -> Verdict:
    """Offer ``calls`` to the bot, let them run, and return their verdict.

    Once the bot is done with calls still live, ``expire`` moves the virtual clock
    past every window, so Graph ends them as it would (an answer never sent, a
    keepAlive forgotten); without it, they are reported live. The bot is done when
    ``idle()`` says it has no request left to send, or, without ``idle``, once it has
    gone ``quiet`` (real seconds): give ``idle`` when the bot runs in the test's
    process, so a loaded machine cannot make a slow bot look finished. ``timeout``
    bounds each wait, in real seconds. A call whose id the graph already had is
    offered under a new one.
    """
    # A drawn id may repeat one an earlier example ended: that call gets a new one.
    known = set(graph.calls)
    fresh = [
        attrs.evolve(offer, call_id=str(uuid.uuid4())) if offer.call_id in known else offer
        for offer in calls
    ]
    ids = {offer.call_id for offer in fresh}
    for offer in fresh:
        graph.offer_call(offer)

    def ended(g: EmulatedGraph) -> bool:
        views = g.calls
        return all(not views[cid].live for cid in ids)

    graph.quiet(quiet=quiet, timeout=timeout, idle=idle)
    if expire and not ended(graph):
        graph.advance(graph.longest_window + 1)
        graph.wait_for(ended, timeout=timeout)
    graph.quiet(quiet=min(quiet, 0.1), timeout=timeout, idle=idle)
    return graph.verdict_of(ids)
