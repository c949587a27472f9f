"""One wire reader: each input the readers used to disagree on gets one answer everywhere.

The readers are :mod:`callstate.graph.wire` itself, the codec
(:func:`~callstate.graph.parse_notifications`), the tracker and the transfer-request
rules. Each test states one resolution and checks it in every reader that reads
the field.
"""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from hypothesis import given, strategies as st

from callstate.errors import ParseError
from callstate.graph import CommsNotifications, ResultInfo, dump, parse, parse_notifications
from callstate.graph.wire import (
    MAX_DEPTH,
    check_depth,
    parse_resource_url,
    read_int,
    read_resource,
    read_result,
)
from callstate.transfer import validate_transfer_request
from callstate.verdict import Tracker

URL = "/communications/calls/c1"
#: Messages about a bad value stay this short, whatever the value.
MESSAGE_BOUND = 400
BODY = {"transferTarget": {"identity": {"user": {"id": "u"}}}}


def notification(data: Any = None, *, url: str = URL, change: Any = "updated") -> dict[str, Any]:
    """A webhook envelope with one call notification."""
    note: dict[str, Any] = {"changeType": change, "resourceUrl": url}
    if data is not None:
        note["resourceData"] = data
    return {"value": [note]}


def incoming(url: str = URL) -> dict[str, Any]:
    """The first notification of an incoming call."""
    return notification({"state": "incoming"}, url=url, change="created")


def findings(*bodies: object) -> list[tuple[str, str]]:
    """``(rule, message)`` of every finding of one tracker fed ``bodies`` in order."""
    tracker = Tracker()
    return [(f.rule, f.message) for body in bodies for f in tracker.ingest(body)]


def rules(*bodies: object) -> list[str]:
    """The rules of every finding of one tracker fed ``bodies`` in order."""
    return [rule for rule, _ in findings(*bodies)]


def nested(depth: int) -> list[Any]:
    """An array nested ``depth`` deep, built without recursion."""
    value: list[Any] = []
    for _ in range(depth - 1):
        value = [value]
    return value


class TestCodes:
    """Integer codes: 64-bit integers, or strings of at most 20 digits with an optional ``-``."""

    def test_minus_one_is_minus_one_everywhere(self) -> None:
        """``"-1"`` reads as -1 in wire and the codec, and the tracker finds nothing in it."""
        info = {"code": "-1", "subcode": "-1"}
        body = notification({"state": "established", "resultInfo": info})
        expected: tuple[object, ...] = ((-1, -1), (-1, -1), [])
        codec = parse(ResultInfo, info)
        actual = (read_result(info, ""), (codec.code, codec.subcode), rules(incoming(), body))
        assert expected == actual

    @pytest.mark.parametrize(
        "code",
        ["9" * 30, "9" * 21, "9" * 5000, 10**5000, 2**64, -(2**63) - 1, "-", "+5", "1e3", "٣"],
        ids=[
            "30-digits",
            "21-digits",
            "5000-digits",
            "int-5000-digits",
            "2**64",
            "below-int64",
            "minus",
            "plus",
            "exponent",
            "arabic-digit",
        ],
    )
    def test_malformed_everywhere(self, code: object) -> None:
        """Too long, outside 64 bits or not digits: a ParseError, never a ValueError of int()."""
        info = {"code": code}
        with pytest.raises(ParseError) as by_wire:
            read_int(code, "/code")
        with pytest.raises(ParseError) as by_codec:
            parse_notifications(notification({"state": "established", "resultInfo": info}))
        found = findings(notification({"state": "established", "resultInfo": info}))
        expected = ("/code", "/value/0/resourceData/resultInfo/code", ["malformed"])
        actual = (by_wire.value.pointer, by_codec.value.pointer, [rule for rule, _ in found])
        assert expected == actual
        assert all(len(message) < MESSAGE_BOUND for _, message in found)

    @pytest.mark.parametrize("code", [2**64 - 1, -(2**63), str(2**64 - 1), "-" + "9" * 18, "007"])
    def test_the_64_bit_range_reads(self, code: object) -> None:
        """The ends of the range and leading zeros read as integers."""
        assert int(code) == read_int(code, "")  # type: ignore[call-overload]

    @given(
        value=st.sampled_from([2**64 - 1, 2**64, -(2**63), -(2**63) - 1, True])
        | st.integers(-(2**65), 2**65)
        | st.floats()
        | st.text(max_size=25),
        key=st.sampled_from(["code", "subcode", "subCode"]),
    )
    def test_result_codes_read_as_read_int_reads_them(self, value: object, key: str) -> None:
        """A code in resultInfo reads as read_int reads it, with the same pointer when not."""
        try:
            expected: object = read_int(value, f"/resultInfo/{key}")
        except ParseError as exc:
            expected = exc.pointer
        try:
            code, subcode = read_result({key: value}, "/resultInfo")
            actual: object = code if key == "code" else subcode
        except ParseError as exc:
            actual = exc.pointer
        assert expected == actual


class TestHostsAndVersions:
    """Graph's national clouds and the version in any case, for notifications and requests."""

    @pytest.mark.parametrize(
        "prefix",
        [
            "https://graph.microsoft.us/v1.0",
            "https://dod-graph.microsoft.us/beta",
            "https://microsoftgraph.chinacloudapi.cn/v1.0",
            "https://graph.microsoft.com/V1.0",
            "https://GRAPH.MICROSOFT.US/Beta",
            "/V1.0",
            "/BETA",
            "",
        ],
    )
    def test_accepted_as_notification_url_and_transfer_path(self, prefix: str) -> None:
        """The same prefix names call c1 in wire, the codec, the tracker and check_path."""
        url = f"{prefix}/communications/calls/c1"
        verdict = validate_transfer_request(BODY, path=f"{url}/transfer")
        expected: tuple[object, ...] = ("c1", "c1", [], "c1", ())
        actual = (
            parse_resource_url(url).call_id,
            parse_notifications(incoming(url)).value[0].ref.call_id,
            rules(incoming(url)),
            verdict.call_id,
            verdict.problems,
        )
        assert expected == actual

    @pytest.mark.parametrize(
        "prefix",
        ["https://graph.microsoft.de/v1.0", "https://graph.microsoft.com/v2.0", "/V2.0"],
    )
    def test_rejected_as_both(self, prefix: str) -> None:
        """Any other host or version is rejected as a notification URL and as a path."""
        url = f"{prefix}/communications/calls/c1"
        with pytest.raises(ParseError):
            parse_resource_url(url)
        verdict = validate_transfer_request(BODY, path=f"{url}/transfer")
        expected = (["malformed"], ["invalid-path"])
        assert expected == (rules(incoming(url)), [p.rule for p in verdict.problems])


class TestSubcodeSpellings:
    """``subcode`` and ``subCode`` given together: accepted when equal, malformed when not."""

    def test_different_values_are_malformed_everywhere(self) -> None:
        """wire, the codec and the tracker all point at ``subCode``."""
        info = {"code": 500, "subcode": 7000, "subCode": 7700}
        body = notification({"state": "established", "resultInfo": info})
        with pytest.raises(ParseError) as by_wire:
            read_result(info, "/resultInfo")
        with pytest.raises(ParseError) as by_codec:
            parse_notifications(body)
        expected = (
            "/resultInfo/subCode",
            "/value/0/resourceData/resultInfo/subCode",
            ["malformed"],
        )
        actual = (by_wire.value.pointer, by_codec.value.pointer, rules(body))
        assert expected == actual

    def test_equal_values_are_read_everywhere(self) -> None:
        """An integer and its digit string agree: one subcode, and no malformed finding."""
        info = {"code": 500, "subcode": 7000, "subCode": "7000"}
        body = notification({"state": "established", "resultInfo": info})
        codec = parse(ResultInfo, info)
        expected = ((500, 7000), 7000, False)
        actual = (read_result(info, ""), codec.subcode, "malformed" in rules(incoming(), body))
        assert expected == actual

    def test_both_spellings_written_back(self) -> None:
        """dump gives both spellings back, each as sent."""
        info = {"code": 500, "subcode": 7000, "subCode": "7000", "message": "m"}
        assert info == dump(parse(ResultInfo, info))

    def test_a_null_spelling_gives_way(self) -> None:
        """A null subcode beside a subCode reads the subCode, in wire and the codec alike."""
        info = {"code": 500, "subcode": None, "subCode": 7000}
        codec = parse(ResultInfo, info)
        expected = ((500, 7000), 7000, info)
        assert expected == (read_result(info, ""), codec.subcode, dump(codec))

    def test_a_changed_value_drops_the_other_spelling(self) -> None:
        """Once the subcode changes, the other spelling would disagree, so it is not written."""
        info = parse(ResultInfo, {"code": 500, "subcode": 7000, "subCode": 7000})
        info.subcode = 7015
        expected = {"code": 500, "subcode": 7015}
        assert expected == dump(info)


class TestResourceSpellings:
    """``resourceUrl`` and the legacy ``resource``."""

    def test_both_naming_the_call_are_read(self) -> None:
        """The /app form beside the current one names the same call: accepted by all."""
        body = incoming()
        body["value"][0]["resource"] = "/app/calls/c1"
        expected: tuple[object, ...] = ("c1", "c1", [])
        actual = (
            read_resource(body["value"][0]).call_id,
            parse_notifications(body).value[0].ref.call_id,
            rules(body),
        )
        assert expected == actual

    def test_naming_another_resource_is_malformed(self) -> None:
        """wire and the codec report the legacy key when the two name different calls."""
        body = incoming()
        body["value"][0]["resource"] = "/app/calls/c2"
        with pytest.raises(ParseError) as by_wire:
            read_resource(body["value"][0], "/value/0")
        with pytest.raises(ParseError) as by_codec:
            parse_notifications(body)
        expected = ("/value/0/resource", "/value/0/resource")
        assert expected == (by_wire.value.pointer, by_codec.value.pointer)

    def test_the_tracker_agrees_on_another_resource(self) -> None:
        """The tracker reports the mismatch too, once it reads through wire.read_resource."""
        body = incoming()
        body["value"][0]["resource"] = "/app/calls/c2"
        expected = ["malformed"]
        assert expected == rules(body)

    def test_missing_both(self) -> None:
        """Neither key: a ParseError at resourceUrl naming both."""
        with pytest.raises(ParseError, match=r"resourceUrl.*resource") as caught:
            read_resource({"changeType": "updated"})
        expected = "/resourceUrl"
        assert expected == caught.value.pointer


def _deep_bodies(depth: int) -> dict[str, Any]:
    """One body per field, with a value nested ``depth`` deep in that field."""
    deep = nested(depth)
    op_url = f"{URL}/operations/o1"
    return {
        "changeType": notification({"state": "established"}, change=deep),
        "resourceUrl": {"value": [{"changeType": "updated", "resourceUrl": deep}]},
        "state": notification({"state": deep}),
        "terminationReason": notification({"state": "terminated", "terminationReason": deep}),
        "code": notification({"state": "established", "resultInfo": {"code": deep}}),
        "operation status": notification({"status": deep}, url=op_url),
        "request method": {"request": {"method": deep, "url": f"{URL}/transfer", "body": BODY}},
    }


_FIELDS = list(_deep_bodies(1))
_CODEC_FIELDS = [f for f in _FIELDS if f != "request method"]
_POINTERS = {
    "changeType": "/value/0/changeType",
    "resourceUrl": "/value/0/resourceUrl",
    "state": "/value/0/resourceData/state",
    "terminationReason": "/value/0/resourceData/terminationReason",
    "code": "/value/0/resourceData/resultInfo/code",
    "operation status": "/value/0/resourceData/status",
}


class TestDeepNesting:
    """A value nested past the recursion limit in any field: a bounded report, never a crash."""

    @pytest.mark.parametrize("depth", [1000, 5000])
    @pytest.mark.parametrize("field", _FIELDS)
    def test_tracker_dict_bodies(self, field: str, depth: int) -> None:
        """One finding, with a message of bounded length."""
        found = findings(incoming(), _deep_bodies(depth)[field])
        assert 1 == len(found)
        assert len(found[0][1]) < MESSAGE_BOUND

    @pytest.mark.parametrize("field", _FIELDS)
    def test_tracker_bytes_bodies(self, field: str) -> None:
        """The same as JSON text (1000 deep: orjson reads it; the field's reader rejects it)."""
        marker = "@deep@"
        text = orjson.dumps(_deep_bodies(1)[field]).decode().replace("[]", f'"{marker}"', 1)
        body = text.replace(f'"{marker}"', "[" * 1000 + "]" * 1000).encode()
        found = findings(incoming(), body)
        assert 1 == len(found)
        assert len(found[0][1]) < MESSAGE_BOUND

    @pytest.mark.parametrize("depth", [200, 1000, 5000])
    @pytest.mark.parametrize("field", _CODEC_FIELDS)
    def test_codec(self, field: str, depth: int) -> None:
        """A ParseError located at (or within) the field, with a bounded message."""
        with pytest.raises(ParseError) as caught:
            parse_notifications(_deep_bodies(depth)[field])
        assert caught.value.pointer.startswith(_POINTERS[field])
        assert len(str(caught.value)) < MESSAGE_BOUND

    def test_codec_rejects_deep_unknown_members(self) -> None:
        """Deeper than MAX_DEPTH anywhere, even in a member the codec keeps as plain JSON."""
        body = notification({"state": "established", "newThing": {"a": nested(1200)}})
        with pytest.raises(ParseError, match="nested more than") as caught:
            parse_notifications(body)
        expected = "/value/0/resourceData/newThing/a/0/0/0"
        assert expected == caught.value.pointer

    def test_codec_accepts_what_it_can_write_back(self) -> None:
        """MAX_DEPTH deep in all is read, and written back by dumps, as the text it came from."""
        # the envelope, value, the notification, resourceData and toneInfo: 5 levels
        body = notification({"state": "established", "toneInfo": {"x": nested(MAX_DEPTH - 5)}})
        text = orjson.dumps(body)
        expected = orjson.loads(text)
        assert expected == orjson.loads(orjson.dumps(dump(parse(CommsNotifications, text))))

    @pytest.mark.parametrize("depth", [MAX_DEPTH, MAX_DEPTH + 1])
    def test_the_limit_is_what_orjson_writes(self, depth: int) -> None:
        """check_depth accepts exactly the nesting orjson can write back."""
        try:
            orjson.dumps(nested(depth))
            writable = True
        except orjson.JSONEncodeError:
            writable = False
        try:
            check_depth(nested(depth))
            readable = True
        except ParseError:
            readable = False
        assert writable == readable

    def test_a_value_that_contains_itself(self) -> None:
        """A cycle (only a Python value can have one) is reported as too deep, not looped on."""
        cycle: list[Any] = []
        cycle.append(cycle)
        with pytest.raises(ParseError, match="below here") as caught:
            check_depth(cycle, "/x")
        expected = "/x/0/0/0/0/0/0/0/0"
        assert expected == caught.value.pointer

    def test_the_tracker_agrees_on_deep_unknown_members(self) -> None:
        """A dict body nested past MAX_DEPTH in an unknown member is malformed for the tracker."""
        body = notification({"state": "established", "newThing": nested(1200)})
        expected = ["malformed"]
        assert expected == rules(incoming(), body)
