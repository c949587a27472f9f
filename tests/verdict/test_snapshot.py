"""snapshot()/restore(): a round-trip property over random streams, and across processes."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import orjson
from hypothesis import given, settings, strategies as st

from callstate.machine import CALL_MACHINE, MachineDefinition
from callstate.strategies import definitions
from callstate.verdict import Tracker
from tests.verdict.conftest import CALL as CALL_ID, drawn_traffic, envelope, note, request

CALL_IDS = ("a", "b", "c", "d")
STATES = (*CALL_MACHINE.states, "parked", "Established", None)
RESULTS: tuple[dict[str, Any], ...] = (
    {},
    {"resultInfo": {"code": 0, "subcode": 7015}},
    {"resultInfo": {"code": 500, "subCode": 7000}},
    {"resultInfo": {"code": 500, "subCode": 7700}, "replacesContext": "r"},
    {"resultInfo": {"code": "200", "subcode": "5001"}},
    {"terminationReason": "AppTransferred"},
    {"mediaState": {"audio": "inactive"}},
)
BLIND = {"transferTarget": {"identity": {"user": {"id": "u"}}}}
CONSULTATIVE = {"transferTarget": {"identity": {"user": {"id": "u"}}, "replacesCallId": "x"}}


@st.composite
def bodies(draw: st.DrawFn) -> object:
    """One webhook body: mostly a call notification, sometimes an operation, request or junk."""
    call = draw(st.sampled_from(CALL_IDS))
    kind = draw(st.sampled_from(["call"] * 8 + ["operation", "participants", "request", "junk"]))
    if kind == "operation":
        status = draw(st.sampled_from(["running", "completed", "failed", "bogus"]))
        change = draw(st.sampled_from(["updated", "deleted"]))
        return envelope(
            note(change=change, call=call, sub="/operations/op", data={"status": status})
        )
    if kind == "participants":
        roster = draw(st.sampled_from([[{"id": "p1"}], [{"id": "p1"}, {"id": "p2"}], [3]]))
        return envelope(note(call=call, sub="/participants", data=roster))
    if kind == "request":
        return request(draw(st.sampled_from([BLIND, CONSULTATIVE])), call=call)
    if kind == "junk":
        return draw(st.sampled_from([b"{nope", b"[]", b'{"value": 3}']))
    state = draw(st.sampled_from(STATES))
    change = draw(st.sampled_from(["updated", "updated", "created", "deleted"]))
    fields = draw(st.sampled_from(RESULTS))
    return envelope(note(state, change=change, call=call, **fields))


@st.composite
def streams(draw: st.DrawFn) -> list[object]:
    """A stream of bodies over a few calls, with webhook retries (a body twice in a row)."""
    out: list[object] = []
    for body, retry in draw(st.lists(st.tuples(bodies(), st.booleans()), max_size=40)):
        out += [body, body] if retry else [body]
    return out


def run(tracker: Tracker, stream: list[object], first_line: int) -> list[dict[str, Any]]:
    """Ingest ``stream`` numbered from ``first_line``; every finding as JSON."""
    found: list[dict[str, Any]] = []
    for i, body in enumerate(stream, first_line):
        found += [{**f.to_json(), "kind": f.severity} for f in tracker.ingest(body, line=i)]
    return found


def observed(tracker: Tracker) -> tuple[object, ...]:
    """Everything the tracker says about its calls."""
    return (
        tracker.snapshot(),
        {c: (tracker.state(c), tracker.history(c)) for c in CALL_IDS},
        list(tracker.live_calls()),
        list(tracker.ended_calls()),
    )


class TestRoundTrip:
    """Carrying on from a restored snapshot is indistinguishable from never stopping."""

    @given(
        stream=streams(),
        cut=st.integers(min_value=0, max_value=100),
        history=st.sampled_from([0, 3, 8, 20]),
    )
    def test_restored_tracker_carries_on(
        self, stream: list[object], cut: int, history: int
    ) -> None:
        """Same findings for the rest of the stream, and the same calls, states and history."""
        cut = min(cut, len(stream))
        options: dict[str, Any] = {"max_calls": 3, "ended_limit": 2, "history_limit": history}
        original = Tracker(**options)
        run(original, stream[:cut], 1)
        restored = Tracker.restore(original.snapshot_json())
        expected = (run(original, stream[cut:], cut + 1), observed(original))
        actual = (run(restored, stream[cut:], cut + 1), observed(restored))
        assert expected == actual

    @settings(max_examples=30, deadline=None)
    @given(data=st.data(), definition=definitions())
    def test_any_drawn_definition(self, data: st.DataObject, definition: MachineDefinition) -> None:
        """On any drawn definition, with timed or broken traffic, the same holds."""
        stream: list[object] = list(drawn_traffic(data, definition))
        cut = data.draw(st.integers(min_value=0, max_value=len(stream)))
        original = Tracker(definition=definition)
        run(original, stream[:cut], 1)
        restored = Tracker.restore(original.snapshot_json(), definition=definition)
        ids = list(original.live_calls())
        expected = (run(original, stream[cut:], cut + 1), original.snapshot())
        actual = (run(restored, stream[cut:], cut + 1), restored.snapshot())
        assert expected == actual
        assert [original.history(c) for c in ids] == [restored.history(c) for c in ids]

    def test_long_history_as_json(self) -> None:
        """A call with a full default history (more than 64 bits packed) survives JSON."""
        tracker = Tracker()
        hops: list[object] = [envelope(note(s)) for s in ("established", "hold") * 6]
        run(tracker, hops, 1)
        restored = Tracker.restore(tracker.snapshot_json())
        expected = (8, tracker.history(CALL_ID))
        assert expected == (len(restored.history(CALL_ID)), restored.history(CALL_ID))

    def test_snapshot_is_json(self) -> None:
        """snapshot_json() is the JSON of snapshot()."""
        tracker = Tracker()
        run(tracker, [envelope(note("hold", call="a")), envelope(note(change="deleted"))], 1)
        expected = tracker.snapshot()
        assert expected == orjson.loads(tracker.snapshot_json())


class TestFastPathAgrees:
    """The one-lookup fast path and the full path give the same verdicts."""

    @given(stream=streams())
    def test_same_findings_and_state(self, stream: list[object]) -> None:
        """A tracker with a step observer (full path only) agrees with a plain one."""
        fast = Tracker()
        full = Tracker(on_step=lambda *_: None)
        expected = (run(fast, stream, 1), observed(fast))
        actual = (run(full, stream, 1), observed(full))
        assert expected == actual


RESTORE_AND_INGEST = """
import sys, orjson
from callstate.verdict import Tracker
snap, *bodies = sys.stdin.buffer.read().split(b"\\n")
tracker = Tracker.restore(snap)
print(orjson.dumps([[f.rule for f in tracker.ingest(b)] for b in bodies]).decode())
"""


class TestAcrossProcesses:
    """A snapshot restored by another process (another hash seed) still knows a retry."""

    def test_retry_after_restore_elsewhere(self) -> None:
        """The exact retry of the ending is accepted; a different change is still reported."""
        end = envelope(note("terminated", change="deleted", resultInfo={"code": 200, "subcode": 1}))
        other = envelope(note("terminated", change="deleted"))
        tracker = Tracker()
        run(tracker, [envelope(note("established", call="a")), _for("a", end)], 1)
        payload = b"\n".join(
            [tracker.snapshot_json(), orjson.dumps(_for("a", end)), orjson.dumps(_for("a", other))]
        )
        env = {**os.environ, "PYTHONHASHSEED": "12345"}
        done = subprocess.run(
            [sys.executable, "-c", RESTORE_AND_INGEST],
            input=payload,
            capture_output=True,
            check=True,
            env=env,
            timeout=60,
        )
        expected = [[], ["terminated-is-absorbing"]]
        assert expected == orjson.loads(done.stdout)


def _for(call: str, body: dict[str, Any]) -> dict[str, Any]:
    """``body`` with every notification's resourceUrl pointed at ``call``."""
    value = [{**n, "resourceUrl": f"/communications/calls/{call}"} for n in body["value"]]
    return {**body, "value": value}


def test_snapshot_json_in_chunks_is_the_snapshot() -> None:
    """Written a chunk at a time, the JSON is still exactly the snapshot's."""
    import orjson

    from callstate.verdict import _snapshot

    tracker = Tracker()
    for i in range(_snapshot._CHUNK * 2 + 7):
        url = f"/communications/calls/c{i}"
        note = {"changeType": "created", "resourceUrl": url, "resourceData": {"state": "incoming"}}
        tracker.ingest({"value": [note]})
    assert tracker.snapshot() == orjson.loads(tracker.snapshot_json())
