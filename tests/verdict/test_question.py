"""A notice's question (slot 12), put in by the reader: always ``asks`` of its own fields."""

from __future__ import annotations

from typing import Any

import orjson
from hypothesis import given, settings, strategies as st

from callstate.errors import ParseError
from callstate.machine import CALL_MACHINE, MachineDefinition, compiled
from callstate.strategies import definitions, mutated_streams, notification_streams
from callstate.verdict._notice import Notice, Reader, asks


def _notices(definition: MachineDefinition, lines: list[bytes]) -> list[Notice]:
    """Every call notice the reader makes of ``lines`` (sub-resources and bad ones aside)."""
    reader = Reader(compiled(definition))
    found: list[Notice] = []
    for line in lines:
        try:
            body: Any = orjson.loads(line)
        except orjson.JSONDecodeError:  # a mutant that is no JSON has no notice
            continue
        body = body.get("body", body)
        for n in body.get("value", []) if type(body) is dict else []:
            try:
                notice = reader.read(n)
            except ParseError:
                continue
            if notice[3] is None:
                found.append(notice)
    return found


def _asked(notice: Notice) -> object:
    """What :func:`asks` says of the notice's own fields."""
    return asks(notice[1], notice[2], notice[4], notice[7], notice[8], notice[11])


class TestQuestion:
    """The question in a notice is the one ``asks`` gives, however it was read."""

    @settings(max_examples=40, deadline=None)
    @given(mutated=mutated_streams())
    def test_mutated_streams(self, mutated: Any) -> None:
        """Markers out of place, unknown states and traits: the question follows asks."""
        notices = _notices(CALL_MACHINE, list(mutated.lines))
        assert [_asked(n) for n in notices] == [n[12] for n in notices]

    @settings(max_examples=40, deadline=None)
    @given(data=st.data(), definition=definitions())
    def test_drawn_definitions(self, data: st.DataObject, definition: MachineDefinition) -> None:
        """On any checked definition, the reader's table of plain questions is asks'."""
        stream = data.draw(notification_streams(definition=definition))
        notices = _notices(definition, [orjson.dumps(line) for line in stream.lines])
        assert [_asked(n) for n in notices] == [n[12] for n in notices]

    def test_lenient_spellings(self) -> None:
        """A state in another case, a group call, a result: each asks what asks says."""
        reader = Reader(compiled(CALL_MACHINE))
        url = "/communications/calls/c1"
        bodies = [
            {"state": "Established"},
            {"state": "established", "meetingInfo": {"x": 1}},
            {"state": "established", "resultInfo": {"code": "500", "subCode": 7700}},
            {"state": "nonsense"},
        ]
        notices = [
            reader.read({"changeType": "updated", "resourceUrl": url, "resourceData": data})
            for data in bodies
        ]
        assert [_asked(n) for n in notices] == [n[12] for n in notices]
        assert [True, False, True, False] == [n[12] is not None for n in notices]
