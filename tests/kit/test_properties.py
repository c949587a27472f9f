"""The property suite holds on the one definition, and JSON and snapshots round-trip."""

from __future__ import annotations

from typing import Any

import attrs
import orjson
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from callstate.errors import UsageError
from callstate.facts import BLIND, Result
from callstate.graph import dump, parse_notifications
from callstate.machine import CALL_MACHINE, TRANSFER_KINDS, call_machine
from callstate.simulate import Plan, build
from callstate.strategies import notification_streams
from callstate.testing.properties import (
    PROPERTIES,
    Property,
    counterexample,
    properties,
    property_named,
    snapshot_restore,
)
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


#: A definition of one's own: the call machine with Graph's meeting-mode code as a blind failure.
_MINE = call_machine(
    kinds=tuple(
        attrs.evolve(k, failure=(*k.failure, Result(500, 7001))) if k.name == BLIND else k
        for k in TRANSFER_KINDS
    )
)


class TestOwnDefinition:
    """``properties(reference)`` checks a definition of one's own against its own streams."""

    @pytest.mark.parametrize("prop", properties(_MINE), ids=lambda p: p.name)
    @settings(_STREAMS, max_examples=10)
    @given(data=st.data())
    def test_property_holds_on_its_own_streams(self, prop: Property, data: Any) -> None:
        """Every property, its streams drawn from the definition, holds on it."""
        drawn = data.draw(prop.strategy(_MINE))
        assert None is prop.check(_MINE, drawn)

    def test_the_spec_suite_is_the_call_machine_one(self) -> None:
        """``PROPERTIES`` is ``properties()``, and names are looked up in the chosen suite."""
        assert properties() is PROPERTIES
        prop = property_named("valid-streams-accepted", reference=_MINE)
        assert prop in properties(_MINE)
        assert prop not in PROPERTIES

    def test_a_definition_is_judged_against_the_reference_streams(self) -> None:
        """Streams with the extra code fail the call machine; the spec's pass the wider one."""
        wider = property_named("failure-in-streams", reference=_MINE)
        assert counterexample(wider, CALL_MACHINE) is not None
        assert counterexample(property_named("failure-in-streams"), _MINE) is None

    def test_bad_reference_is_a_usage_error(self) -> None:
        """A reference that is not a definition is refused, naming the argument."""
        with pytest.raises(UsageError) as caught:
            properties("call")  # type: ignore[arg-type]
        assert "reference" == caught.value.argument


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
            retry=True,
            late_establishing=True,
        )
        tracker = Tracker()
        for line in build(plan)[:9]:
            tracker.ingest(line)
        assert tracker.snapshot() == orjson.loads(tracker.snapshot_json())
