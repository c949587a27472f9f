"""BotConformance, the sample bot, and the pytest plugin's fixtures."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import Phase, settings
from hypothesis.stateful import run_state_machine_as_test

from callstate.errors import IllegalTransition
from callstate.facts import BLIND
from callstate.machine import CALL_MACHINE
from callstate.simulate import SCENARIOS
from callstate.testing import BotConformance, SimulatedCall
from callstate.verdict import Tracker

REPO = Path(__file__).resolve().parents[2]
_URL = re.compile(r"/calls/(?P<id>[^/]+)(?P<sub>/.*)?$")


class _DictBot(BotConformance):
    """A bot as a table of call states; ``apply`` decides how one notification changes it."""

    def __init__(self) -> None:
        super().__init__()
        self.states: dict[str, str] = {}

    def handle(self, body: dict[str, Any]) -> None:
        for note in body["value"]:
            match = _URL.search(note.get("resourceUrl") or note["resource"])
            assert match is not None
            self.apply(match["id"], match["sub"], note)

    def apply(self, call_id: str, sub: str | None, note: dict[str, Any]) -> None:
        raise NotImplementedError

    def bot_state(self, call_id: str) -> str | None:
        return self.states.get(call_id)


class _TakesEveryState(_DictBot):
    """Bug: a late ``establishing`` moves an established call back."""

    def apply(self, call_id: str, sub: str | None, note: dict[str, Any]) -> None:
        data = note.get("resourceData") or {}
        state = data.get("state") if isinstance(data, dict) else None
        if sub is None and state is not None:
            self.states[call_id] = state
        elif sub is None and note["changeType"] == "deleted":
            self.states[call_id] = "terminated"


class _OperationEndsCall(_DictBot):
    """Bug: a completed operation (``deleted``) is taken for the end of the call."""

    def apply(self, call_id: str, sub: str | None, note: dict[str, Any]) -> None:
        data = note.get("resourceData") or {}
        state = data.get("state") if isinstance(data, dict) else None
        if note["changeType"] == "deleted" and state is None:
            self.states[call_id] = "terminated"
        elif sub is None and state is not None:
            late = state in {"establishing", "ringing"}
            if not (late and self.states.get(call_id) == "established"):
                self.states[call_id] = state


#: Seeded, so the bug is found the same way every run; not shrunk, because the claim is only that
#: the bug is caught and named (shrinking a stateful run took 5-40 s of the suite for nothing).
_HUNT = settings(
    max_examples=300,
    stateful_step_count=60,
    deadline=None,
    database=None,
    derandomize=True,
    phases=(Phase.generate,),
)


@pytest.mark.parametrize("bot", [_TakesEveryState, _OperationEndsCall], ids=lambda b: b.__name__)
def test_buggy_bot_fails_the_machine(bot: type[BotConformance]) -> None:
    """A handler with a classic bug is caught: the invariant names the call and both views."""
    with pytest.raises(AssertionError, match=r"the bot says .*, the model says"):
        run_state_machine_as_test(bot, settings=_HUNT)


def test_sample_bot_example_passes() -> None:
    """`python -m pytest examples/sample_bot` passes: the worked example is correct."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "examples/sample_bot",
            "-q",
            "-p",
            "no:cacheprovider",
            "-n",
            "0",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert (0, "1 passed") == (done.returncode, _summary(done.stdout))


def _summary(out: str) -> str:
    found = re.search(r"(\d+ passed)", out)
    return found.group(1) if found else out[-500:]


def test_base_class_needs_a_handler() -> None:
    """Without handle() and bot_state() the machine says what to implement."""
    with pytest.raises(NotImplementedError, match=r"implement (handle|bot_state)\("):
        run_state_machine_as_test(BotConformance, settings=settings(_HUNT, max_examples=5))


class TestFixtures:
    def test_simulated_call(self, callstate_simulated_call: SimulatedCall) -> None:
        """The fixture's call moves through the engine and returns each notification."""
        body = callstate_simulated_call.fire("establish")
        expected = ("establishing", "establishing")
        assert expected == (
            callstate_simulated_call.state,
            body["value"][0]["resourceData"]["state"],
        )

    def test_simulated_call_refuses_illegal_steps(
        self, callstate_simulated_call: SimulatedCall
    ) -> None:
        """The machine refuses an illegal step, and the call stays where it was."""
        with pytest.raises(IllegalTransition):
            callstate_simulated_call.fire("accept_transfer")
        assert CALL_MACHINE.initial == callstate_simulated_call.state

    @pytest.mark.parametrize("scenario", SCENARIOS)
    def test_stream_feeds_tracker(
        self,
        scenario: str,
        callstate_notification_stream: Callable[..., list[dict[str, Any]]],
        callstate_tracker: Tracker,
    ) -> None:
        """Each scenario's stream passes a fresh tracker without a violation."""
        findings = [
            f
            for body in callstate_notification_stream(scenario, seed=7)
            for f in callstate_tracker.ingest(body)
        ]
        assert [] == [str(f) for f in findings if f.severity == "violation"]

    def test_scripted_transfer_is_valid(
        self, callstate_simulated_call: SimulatedCall, callstate_tracker: Tracker
    ) -> None:
        """A call scripted with fire() through a blind transfer is accepted and ends terminated."""
        bodies = [callstate_simulated_call.offer()]
        for event, kind in [
            ("establish", None),
            ("connect", None),
            ("transfer", None),
            ("accept_transfer", None),
            ("complete_transfer", BLIND),
        ]:
            bodies.append(callstate_simulated_call.fire(event, kind))
        findings = [f for body in bodies for f in callstate_tracker.ingest(body)]
        expected: tuple[list[object], str] = ([], "terminated")
        assert expected == (findings, callstate_tracker.state(callstate_simulated_call.call_id))
