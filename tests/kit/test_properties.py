"""The property suite holds on the one definition, and JSON and snapshots round-trip."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from callstate.graph import dump, parse_notifications
from callstate.machine import CALL_MACHINE
from callstate.simulate import Plan, build
from callstate.strategies import notification_streams
from callstate.testing._properties import PROPERTIES, Property, snapshot_restore
from callstate.verdict import Tracker

_STREAMS = settings(
    deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]
)


@pytest.mark.parametrize("prop", PROPERTIES, ids=lambda p: p.name)
@_STREAMS
@given(data=st.data())
def test_property_holds_on_call_machine(prop: Property, data: Any) -> None:
    """Every property of the suite holds on CALL_MACHINE."""
    drawn = data.draw(prop.strategy(CALL_MACHINE))
    assert None is prop.check(CALL_MACHINE, drawn)


class TestRoundTrips:
    # Every Graph resource written and read back is equal: tests/graph/test_roundtrip_property.py.

    @given(notification_streams())
    def test_stream_lines_read_then_write(self, stream: Any) -> None:
        """Every generated notification body read and written again is the same JSON."""
        for line in stream.lines:
            if "value" in line:
                assert line == dump(parse_notifications(orjson.dumps(line)))

    @_STREAMS
    @given(st.tuples(notification_streams(), st.integers(0, 60)))
    def test_snapshot_as_mapping(self, drawn: Any) -> None:
        """A tracker restored from snapshot() carries on as if it never stopped."""
        assert None is snapshot_restore(CALL_MACHINE, drawn)

    @_STREAMS
    @given(st.tuples(notification_streams(), st.integers(0, 60)))
    def test_snapshot_as_json(self, drawn: Any) -> None:
        """A tracker restored from snapshot_json() carries on as if it never stopped."""
        assert None is snapshot_restore(CALL_MACHINE, drawn, as_json=True)

    def test_long_call_snapshots_as_json(self) -> None:
        """A live call with a long history is written by snapshot_json() (found by the property)."""
        plan = Plan(
            scenario="consultative-pstn",
            call_id="abc",
            outcome="failure",
            retry="failure",
            late_establishing=True,
        )
        tracker = Tracker()
        for line in build(plan)[:9]:
            tracker.ingest(line)
        assert tracker.snapshot() == orjson.loads(tracker.snapshot_json())
