"""How wire values are named in messages: JSON words, bounded, never a repr."""

from __future__ import annotations

import pytest

from callstate.graph.wire import describe, json_type
from callstate.verdict import Tracker
from tests.graph.test_wire import nested


class TestWords:
    """Values are named in JSON words and bounded, never by repr."""

    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            (None, "null"),
            (True, "a boolean"),
            ("x", "a string"),
            (1, "a number"),
            (1.5, "a number"),
            ([], "an array"),
            ((), "a Python tuple"),
            ({}, "an object"),
            ({1}, "a Python set"),
        ],
    )
    def test_json_type(self, value: object, expected: str) -> None:
        """The type word of each JSON type, and of a Python value that is none."""
        assert expected == json_type(value)

    def test_a_tuple_is_not_called_an_array(self) -> None:
        """No reader takes a tuple for an array, so its finding does not say it got one."""
        found = Tracker().ingest({"value": ({"changeType": "created"},)})
        expected = [("malformed", "/value: expected an array, got a Python tuple")]
        assert expected == [(f.rule, f.message) for f in found]

    @pytest.mark.parametrize(
        "value",
        ["x" * 1_000_000, 10**5000, nested(5000), {str(i): i for i in range(10_000)}],
        ids=["long-string", "big-number", "deep-array", "wide-object"],
    )
    def test_describe_is_bounded(self, value: object) -> None:
        """A huge or deep value is described in a few words."""
        assert len(describe(value)) < 80
