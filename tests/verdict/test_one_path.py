"""One path for the rules: the verdict never depends on how a trace is fed or watched.

For drawn checked definitions (not only the call machine) and drawn streams with
every kind of noise, these give identical findings, states and snapshots: with an
observer and without; strict and not (apart from ``strict-start``); bytes and
decoded dicts; the CLI's loop (``read_stream``) and ``Tracker.ingest`` line by line.
"""

from __future__ import annotations

import io
import threading
from typing import Any

import orjson
import pytest
from hypothesis import given, settings, strategies as st

from callstate.machine import CALL_MACHINE, MachineDefinition, compiled
from callstate.simulate import event_notification
from callstate.strategies import definitions, mutated_streams
from callstate.verdict import Finding, StepRecord, Tracker

CALLS = ("c1", "c2", "c3")


def _envelope(body: dict[str, Any]) -> bytes:
    return orjson.dumps(body)


def _note(body: dict[str, Any]) -> dict[str, Any]:
    """The one notification of an envelope."""
    note: dict[str, Any] = body["value"][0]
    return note


@st.composite
def _lines(draw: st.DrawFn, definition: MachineDefinition) -> list[bytes]:
    """Notifications of any signal for a few calls, with retries, data-only updates,
    unknown states, misplaced markers, requests, roster changes and malformed lines among
    them."""
    machine = compiled(definition)
    lines: list[bytes] = []
    for _ in range(draw(st.integers(min_value=1, max_value=24))):
        call = draw(st.sampled_from(CALLS))
        what = draw(
            st.sampled_from(("signal",) * 6 + ("retry", "data", "odd", "request", "roster", "bad"))
        )
        if what == "retry" and lines:
            lines.append(draw(st.sampled_from(lines)))
        elif what == "data":
            body = event_notification(call, "connect", definition=definition)
            _note(body)["resourceData"] = {"mediaState": {"audio": "inactive"}}
            lines.append(_envelope(body))
        elif what == "odd":
            state = draw(st.sampled_from(("parked", "ESTABLISHED", "Terminated")))
            body = event_notification(call, "connect", definition=definition)
            _note(body)["resourceData"]["state"] = state
            lines.append(_envelope(body))
        elif what == "request":
            request: dict[str, Any] = {"transferTarget": {"identity": {"user": {"id": "u"}}}}
            if draw(st.booleans()):
                request["transferTarget"]["replacesCallId"] = "r"
            url = f"/communications/calls/{call}/transfer"
            record = {"request": {"method": "POST", "url": url, "body": request}}
            lines.append(orjson.dumps(record))
        elif what == "roster":  # a group call's record packs beside its roster
            ids = draw(st.lists(st.sampled_from(("p1", "p2", "p3")), max_size=3))
            change = draw(st.sampled_from(("updated", "deleted")))
            note = {
                "changeType": change,
                "resourceUrl": f"/communications/calls/{call}/participants",
                "resourceData": [{"id": pid} for pid in ids],
            }
            lines.append(_envelope({"value": [note]}))
        elif what == "bad":
            lines.append(draw(st.sampled_from((b"{", b"[]", b'{"value": 3}', b"  "))))
        else:
            event, kind = draw(st.sampled_from(machine.signals))
            body = event_notification(call, event, kind, definition=definition)
            if kind is not None and draw(st.integers(min_value=0, max_value=5)) == 0:
                _note(body)["resourceData"]["state"] = draw(st.sampled_from(definition.states))
            lines.append(_envelope(body))
    return lines


def _outcome(tracker: Tracker, found: list[Finding]) -> tuple[Any, ...]:
    findings = [
        (f.line, f.call_id, f.rule, f.message, f.state, f.received, f.severity) for f in found
    ]
    return findings, tracker.snapshot()


def _by_ingest(
    definition: MachineDefinition, lines: list[bytes], **options: Any
) -> tuple[Any, ...]:
    tracker = Tracker(definition=definition, **options)
    found: list[Finding] = []
    for number, line in enumerate(lines, 1):
        if line.strip():
            tracker.ingest_into(line, found, line=number)
    return _outcome(tracker, found)


def _by_dicts(definition: MachineDefinition, lines: list[bytes]) -> tuple[Any, ...]:
    tracker = Tracker(definition=definition)
    found: list[Finding] = []
    for number, line in enumerate(lines, 1):
        if line.strip():
            try:
                body: object = orjson.loads(line)
            except orjson.JSONDecodeError:
                body = line
            tracker.ingest_into(body, found, line=number)
    return _outcome(tracker, found)


def _by_stream(
    definition: MachineDefinition, lines: list[bytes], **options: Any
) -> tuple[Any, ...]:
    tracker = Tracker(definition=definition, **options)
    found: list[Finding] = []
    tracker.read_stream(io.BytesIO(b"\n".join(lines) + b"\n"), found)
    return _outcome(tracker, found)


def _without_strict_start(outcome: tuple[Any, ...]) -> tuple[Any, ...]:
    findings, snapshot = outcome
    snapshot = {**snapshot, "options": {**snapshot["options"], "strict": False}}
    return [f for f in findings if f[2] != "strict-start"], snapshot


def differences(definition: MachineDefinition, lines: list[bytes]) -> list[str]:
    """Which ways of feeding ``lines`` disagree with plain ``Tracker.ingest``."""
    plain = _by_ingest(definition, lines)
    told: list[StepRecord] = []
    told_in_stream: list[StepRecord] = []
    ways = {
        "observer": _by_ingest(definition, lines, on_step=told.append),
        "strict": _without_strict_start(_by_ingest(definition, lines, strict=True)),
        "dicts": _by_dicts(definition, lines),
        "stream": _by_stream(definition, lines),
        "observed stream": _by_stream(definition, lines, on_step=told_in_stream.append),
    }
    found = [name for name, outcome in ways.items() if outcome != plain]
    # The CLI loop settles most lines itself: its observer must hear what ingest's hears.
    return found if told == told_in_stream else [*found, "steps told"]


class TestOnePath:
    """Every way of feeding a trace gives one verdict."""

    @settings(max_examples=60, deadline=None)
    @given(data=st.data(), definition=definitions())
    def test_drawn_definitions_and_streams(
        self, data: st.DataObject, definition: MachineDefinition
    ) -> None:
        """Observer, strict, dicts and the CLI loop all agree with ingest, on any definition."""
        lines = data.draw(_lines(definition))
        assert [] == differences(definition, lines)

    @settings(max_examples=25, deadline=None)
    @given(mutated=mutated_streams())
    def test_mutated_streams(self, mutated: Any) -> None:
        """The same holds on the kit's streams broken in one place."""
        assert [] == differences(CALL_MACHINE, list(mutated.lines))

    def test_observer_is_told_every_step_after_the_decision(self) -> None:
        """The observer sees each step with the tracker's state already updated (and may
        read the tracker: it is called outside the lock)."""
        seen: list[tuple[str | None, str, str | None]] = []
        tracker = Tracker(
            on_step=lambda s: seen.append((s.event, s.dest, tracker.state(s.call_id)))
        )
        for event in ("offer", "establish", "connect", "transfer"):
            tracker.ingest(_envelope(event_notification("c1", event)))
        expected = [
            (None, "incoming", "incoming"),
            ("establish", "establishing", "establishing"),
            ("connect", "established", "established"),
            ("transfer", "transferring", "transferring"),
        ]
        assert expected == seen


class TestObserverOfTheStream:
    """An observer of ``read_stream`` may use the tracker, as one of ``ingest`` may."""

    @staticmethod
    def _read_in_a_thread(tracker: Tracker, data: bytes) -> list[Finding]:
        """``read_stream`` in a thread bounded in time: a deadlock fails, never hangs."""
        found: list[Finding] = []
        worker = threading.Thread(
            target=tracker.read_stream, args=(io.BytesIO(data), found), daemon=True
        )
        worker.start()
        worker.join(30)
        assert False is worker.is_alive(), "read_stream did not finish: the observer waited"
        return found

    @staticmethod
    def _three_calls() -> list[bytes]:
        """Three calls' lines, interleaved, each call held and resumed."""
        return [
            _envelope(event_notification(f"c{n}", event))
            for event in ("offer", "establish", "connect", "hold", "connect")
            for n in range(3)
        ]

    def _unobserved(self, data: bytes) -> tuple[Any, ...]:
        """How the stream ends with no observer."""
        plain = Tracker()
        return _outcome(plain, self._read_in_a_thread(plain, data))

    def test_it_reads_the_tracker(self) -> None:
        """It sees each step's state, and the lines counted so far (no deadlock)."""
        seen: list[tuple[str, str | None, int]] = []
        tracker = Tracker(
            on_step=lambda s: seen.append((s.dest, tracker.state(s.call_id), tracker.bodies))
        )
        lines = [
            _envelope(event_notification(call, event))
            for event in ("offer", "establish", "connect")
            for call in ("c1", "c2")
        ]
        self._read_in_a_thread(tracker, b"\n".join(lines) + b"\n")
        states = ["incoming"] * 2 + ["establishing"] * 2 + ["established"] * 2
        assert [(s, s, n) for n, s in enumerate(states, 1)] == seen

    def test_it_takes_snapshots(self) -> None:
        """A snapshot at every step changes nothing: the stream ends as it would unobserved."""
        lines = self._three_calls()
        data = b"\n".join(lines) + b"\n"
        tracker = Tracker(on_step=lambda _: tracker.snapshot())
        found = self._read_in_a_thread(tracker, data)
        expected = self._unobserved(data)
        assert expected == _outcome(tracker, found)

    def test_a_snapshot_across_lines_reads_a_still_table(self) -> None:
        """A snapshot another thread takes while the stream goes on reads a table that no
        line changes, and the stream ends as it would unobserved."""
        lines = self._three_calls()
        data = b"\n".join(lines) + b"\n"
        told: list[StepRecord] = []
        held: dict[str, Any] = {}

        def observe(step: StepRecord) -> None:
            # Between lines, as another thread's snapshot would: freeze the table at the
            # third step, and fold it back at the last.
            told.append(step)
            if len(told) == 3:
                held["frozen"] = frozen = tracker._frozen()
                held["base"] = base = frozen.__enter__()[0]
                held["copy"] = dict(base)
            elif len(told) == len(lines):
                held["still"] = held["copy"] == dict(held["base"])
                held["frozen"].__exit__(None, None, None)

        tracker = Tracker(on_step=observe)
        found = self._read_in_a_thread(tracker, data)
        expected = self._unobserved(data)
        assert (True, expected) == (held["still"], _outcome(tracker, found))


class TestShownFailing:
    """The property goes red when one way of feeding takes its own path."""

    def test_an_observer_that_chooses_a_path_is_caught(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A tracker that skips the duplicate check while observed disagrees with itself."""
        import callstate.verdict._notice as notice_module

        real = notice_module.fingerprint
        calls = {"observed": False}

        original = Tracker.ingest_into

        def ingest_into(self: Tracker, body: object, out: list[Finding], **kw: Any) -> None:
            calls["observed"] = self.on_step is not None
            original(self, body, out, **kw)

        def fingerprint(n: object) -> int:
            return real(n) + 1 if calls["observed"] else real(n)

        monkeypatch.setattr(Tracker, "ingest_into", ingest_into)
        monkeypatch.setattr("callstate.verdict._step.fingerprint", fingerprint)
        terminated = _envelope(event_notification("c1", "terminate"))
        lines = [_envelope(event_notification("c1", "offer")), terminated, terminated]
        assert ["observer"] == differences(CALL_MACHINE, lines)
