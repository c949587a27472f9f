"""A transfer result several kinds share (500/8523): which kind's outcome it stands for."""

from __future__ import annotations

import pytest

from callstate.facts import BLIND, CONSULTATIVE, MEETING_MODE_FAILURE
from callstate.machine import CALL_MACHINE, compiled
from callstate.simulate import event_notification, transfer_request
from callstate.strategies._model import StreamModel, model_line
from callstate.verdict import Tracker

FAILURE = CALL_MACHINE.event("fail_transfer").name
#: Blind transfers cannot fail from transferring here; consultative ones still can.
NO_BLIND_FAILURE = CALL_MACHINE.replace(
    transitions=tuple(
        t
        for t in CALL_MACHINE.transitions
        if not (t.event == FAILURE and t.source == "transferring" and t.guard == BLIND)
    )
)
SHARED = (MEETING_MODE_FAILURE.code, MEETING_MODE_FAILURE.subcode)


class TestSharing:
    """The compiled machine's reading of a shared result, in a state, for a kind."""

    @pytest.mark.parametrize(
        ("announced", "expected"),
        [(None, CONSULTATIVE), (CONSULTATIVE, CONSULTATIVE), (BLIND, BLIND)],
    )
    def test_the_kind_whose_step_it_is(self, announced: str | None, expected: str) -> None:
        """Announced, the kind stands; unannounced, the kind whose step the state takes."""
        machine = compiled(NO_BLIND_FAILURE)
        signal = machine.by_result[SHARED]
        assert (FAILURE, expected) == machine.sharing("transferring", signal, announced, *SHARED)

    def test_a_result_no_kinds_share_is_itself(self) -> None:
        """500/7000 is blind's alone: it is read as blind whatever the state takes."""
        machine = compiled(NO_BLIND_FAILURE)
        signal = machine.by_result[(500, 7000)]
        assert signal == machine.sharing("transferring", signal, None, 500, 7000)


def _lines(announced: bool) -> list[dict[str, object]]:
    """A call that transfers (as a blind one, or unannounced) and fails with 8523 from
    transferring, on the variant."""
    markers = NO_BLIND_FAILURE.event(FAILURE).markers_of(CONSULTATIVE)
    shared = next(i for i, m in enumerate(markers) if m.result == MEETING_MODE_FAILURE)
    request = [transfer_request("c1", target="user", client_context="x")] if announced else []
    return [
        event_notification("c1", "offer", definition=NO_BLIND_FAILURE),
        event_notification("c1", "connect", definition=NO_BLIND_FAILURE),
        *request,
        event_notification("c1", "transfer", definition=NO_BLIND_FAILURE),
        event_notification("c1", FAILURE, CONSULTATIVE, marker=shared, definition=NO_BLIND_FAILURE),
    ]


def _failed(announced: bool) -> list[str]:
    """The rules the variant's tracker finds broken by :func:`_lines`."""
    tracker = Tracker(definition=NO_BLIND_FAILURE)
    return [f.rule for line in _lines(announced) for f in tracker.ingest(line)]


class TestTracker:
    """The tracker reads a shared result as the compiled machine says."""

    def test_unannounced_it_is_the_kind_that_can_fail_there(self) -> None:
        """Only a consultative transfer fails from transferring: 8523 there is its failure."""
        assert [] == _failed(announced=False)

    def test_announced_blind_it_is_blind_and_refused(self) -> None:
        """A blind transfer the bot asked for cannot fail from transferring here."""
        assert ["failure-without-transfer"] == _failed(announced=True)


class TestModel:
    """The strategies' reference model reads a shared result as the tracker does."""

    def test_unannounced_it_is_the_kind_that_can_fail_there(self) -> None:
        """The model refuses none of the lines the tracker accepts, 8523 among them."""
        model = StreamModel(NO_BLIND_FAILURE)
        lines = [model_line(o, model.machine) for o in _lines(announced=False)]
        refused, states = model.refusals(lines)
        assert ([], "established") == (refused, states[-1])
