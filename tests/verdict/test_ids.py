"""Ids as Graph sends them: one with white space or a control character is no id, wherever read."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from callstate import Tracker
from callstate.errors import ParseError
from callstate.graph.wire import (
    ID_WORDS,
    CallPathError,
    is_id,
    parse_request_path,
    parse_resource_url,
)
from tests.verdict.conftest import CALL, envelope, note

#: Characters no id of Graph's holds: C0 and C1 controls, DEL, white space of every kind,
#: and the invisible format characters that could hide one id inside another.
BAD = ["\x00", "\n", "\t", "\x1b", "\x7f", "\x85", " ", "\u00a0", "\u2028", "\u200b", "\u202e"]


def _found(body: object) -> list[tuple[str, str | None, str]]:
    return [(f.rule, f.call_id, f.message) for f in Tracker().ingest(body, line=1)]


class TestIsId:
    """is_id: the one test of an id, which every reader of one applies."""

    @pytest.mark.parametrize("value", [CALL, "c1", "x" * 256, "a%20b", "é-ü", "7:9@x"])
    def test_taken(self, value: str) -> None:
        """GUIDs, short ids and any other printable text of 1 to 256 characters."""
        assert is_id(value)

    @pytest.mark.parametrize(
        "value", ["", "x" * 257, None, 7, b"c1", *(f"c{c}1" for c in BAD), *BAD]
    )
    def test_refused(self, value: object) -> None:
        """Empty, too long, not a string, or holding a character of BAD."""
        assert not is_id(value)


class TestUrls:
    """The calls-URL grammar refuses such an id in a notification's URL and a request path."""

    @pytest.mark.parametrize("bad", BAD)
    @pytest.mark.parametrize(
        ("url", "what"),
        [
            ("/communications/calls/c{}1", "an id"),
            ("https://graph.microsoft.com/v1.0/communications/calls/c{}1", "an id"),
            ("/communications/calls/c1/participants/p{}2", "a segment"),
            ("/communications/calls/c1/operations/o{}1", "a segment"),
            ("/app/calls/c{}1", "an id"),
        ],
    )
    def test_resource_url(self, url: str, what: str, bad: str) -> None:
        """Refused at the pointer given, saying which part and quoting the URL escaped."""
        text = url.format(bad)
        with pytest.raises(CallPathError) as caught:
            parse_resource_url(text)
        expected = ("/resourceUrl", f"{what} with white space or a control character")
        assert expected == (caught.value.pointer, caught.value.why)
        assert repr(text) in caught.value.message

    @pytest.mark.parametrize("bad", BAD)
    def test_request_path(self, bad: str) -> None:
        """A bot's request path, fast spelling or not, is read by the same grammar."""
        for path in (f"/communications/calls/c{bad}1/transfer", f"/beta/app/calls/c{bad}1"):
            with pytest.raises(ParseError, match="an id with white space or a control"):
                parse_request_path(path, "/request/url")


class TestTracker:
    """The tracker reports such an id as malformed, from bytes and dicts alike."""

    @pytest.mark.parametrize("bad", ["\x00", "\n", " ", "\u2028"])
    def test_call_url(self, bad: str) -> None:
        """A notification naming call ``c<bad>1`` changes nothing and is malformed, located."""
        body = envelope(note("incoming", change="created", call=f"c{bad}1"))
        found = _found(body)
        assert found == _found(orjson.dumps(body))
        assert [("malformed", None)] == [f[:2] for f in found]
        assert found[0][2].startswith("/value/0/resourceUrl: unrecognised resource URL")

    def test_participant_id(self) -> None:
        """A roster entry whose id holds a newline is malformed at its id, naming the call."""
        people: list[dict[str, Any]] = [{"id": "p1"}, {"id": "p\n2"}]
        body = envelope(note(sub="/participants", data=people))
        expected = [
            (
                "malformed",
                CALL,
                f"/value/0/resourceData/1/id: expected a participant id of {ID_WORDS}, "
                "got the string 'p\\n2'",
            )
        ]
        assert expected == _found(body)

    def test_created_call_id(self) -> None:
        """A create request answered with an id holding a control character names no call."""
        record = {
            "request": {"method": "POST", "url": "/communications/calls"},
            "response": {"status": 201, "body": {"id": "c\x001"}},
        }
        expected = ["call-id-unknown"]
        assert expected == [rule for rule, _, _ in _found(record)]

    def test_snapshot_call_id(self) -> None:
        """A snapshot whose live call's id holds a control character is refused, located."""
        tracker = Tracker()
        tracker.ingest(envelope(note("incoming", change="created")))
        snap = tracker.snapshot()
        snap["live"][0][0] = "c\x1b1"
        with pytest.raises(ParseError) as caught:
            Tracker.restore(snap)
        expected = ("/live/0/0", f"expected a call id of {ID_WORDS}, got the string")
        assert expected == (caught.value.pointer, caught.value.message[: len(expected[1])])
