"""``examples/emulated_bot`` on the real msgraph-sdk, under uvicorn, against the real emulator.

The bot's ``GraphServiceClient`` points at ``EmulatedGraph.base_url`` with its static
token; the emulator offers it calls and judges every request. The recorded trace must
validate, the bot must see the documented outcomes, and each deliberately buggy
variant must be caught with the right rule id. Time is virtual: the late answer is
late because the test moves the clock, not because anything waits.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import orjson
import pytest

from callstate.emulate import Freedoms, Offer
from callstate.facts import ANSWER_WINDOW
from callstate.testing import EmulatedGraph, run_calls
from callstate.verdict import validate_lines
from tests.contrib.conftest import uvicorn_server

#: msgraph-sdk warns about its own generated request configurations.
pytestmark = [
    pytest.mark.filterwarnings("ignore:This class is deprecated:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:GetQueryParameters is deprecated:DeprecationWarning"),
]

WAIT = 10.0
TRANSFERRED = ["incoming", "establishing", "established", "transferring", "transferAccepted"]
Start = Callable[..., tuple[EmulatedGraph, Any]]


@pytest.fixture
def emulated(bot: ModuleType) -> Iterator[Start]:
    """``emulated(delay=..., **create_app options)``: the emulator (``delay``: Graph's processing
    time, real seconds), and the bot under uvicorn pointed at it."""
    with contextlib.ExitStack() as stack:

        def start(*, delay: float = 0.05, **options: Any) -> tuple[EmulatedGraph, Any]:
            graph = stack.enter_context(EmulatedGraph(delay=delay))
            app = bot.create_app(graph.base_url, **options)
            graph.bot = stack.enter_context(uvicorn_server(app, path="/callback", lifespan="on"))
            return graph, app

        yield start


def _violations(graph: EmulatedGraph) -> list[str]:
    """The violations ``callstate validate`` finds in the recorded trace."""
    report = validate_lines([orjson.dumps(line) for line in graph.trace])
    return [v.rule for v in report.violations]


class TestConformingBot:
    @pytest.mark.parametrize("mode", ["blind", "consultative", "pstn"])
    def test_transfer_completes(self, emulated: Start, mode: str) -> None:
        """Each mode's transfer completes: the bot sees it, the trace validates, it conforms."""
        graph, app = emulated(mode=mode)
        call = graph.offer_call()
        assert graph.wait(timeout=WAIT)
        view = app.state.calls[call]
        expected = ([*TRANSFERRED, "terminated"], "completed", [], [], True)
        assert expected == (
            view.states,
            view.outcome,
            view.errors,
            _violations(graph),
            graph.verdict.conformed,
        )

    def test_transfer_fails(self, emulated: Start) -> None:
        """A failed transfer is seen as failed; Graph later ends the idle call (keepAlive)."""
        graph, app = emulated()
        offer = Offer(freedoms=Freedoms(outcome="failure", media_inactive="after"))
        verdict = run_calls(graph, [offer], timeout=WAIT)
        view = app.state.calls[offer.call_id]
        assert ("failed", [], [], True) == (
            view.outcome,
            view.errors,
            _violations(graph),
            verdict.conformed,
        )

    def test_consultative_failure_out_of_transfer_accepted(self, emulated: Start) -> None:
        """A consultative transfer failing after transferAccepted is seen as failed."""
        graph, app = emulated(mode="consultative")
        offer = Offer(freedoms=Freedoms(outcome="failure", fail_from="transferAccepted"))
        run_calls(graph, [offer], timeout=WAIT)
        view = app.state.calls[offer.call_id]
        assert ([*TRANSFERRED, "established"], "failed", []) == (
            view.states[:6],
            view.outcome,
            _violations(graph),
        )


class TestBuggyBots:
    def test_transfer_before_established(self, emulated: Start) -> None:
        """The early-transfer bot is refused 400 and caught with request-not-allowed."""
        # The transfer follows the answer's 202 at once; a generous processing time keeps it
        # ahead of establishing on a loaded machine.
        graph, app = emulated(bug="early-transfer", delay=0.25)
        call = graph.offer_call()
        assert graph.quiet(timeout=WAIT)
        view = app.state.calls[call]
        assert (("request-not-allowed",), ["request-not-allowed"], True) == (
            graph.verdict.rules,
            _violations(graph),
            view.errors[0].startswith("transfer 400"),
        )

    def test_answer_after_the_window(self, emulated: Start) -> None:
        """The late-answer bot answers past the window: 404, and answer-window-expired."""
        graph, app = emulated(bug="late-answer")
        call = graph.offer_call()
        graph.clock.advance(ANSWER_WINDOW + 1)  # virtual: nothing waits
        graph.redeliver(call)  # Graph's retry is what the buggy bot answers on
        assert graph.wait(timeout=WAIT)
        view = app.state.calls[call]
        assert (("answer-window-expired",), ["answer-window-expired"], True, "terminated") == (
            graph.verdict.rules,
            _violations(graph),
            view.errors[0].startswith("answer 404"),
            view.states[-1],
        )
