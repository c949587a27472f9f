"""The fast branch of a transfer request record: the full path's verdict, for every record.

A record in Graph's exact spelling with a body the quick look takes skips the verdict
objects, and a packed call's untimed request may be answered from what ``ask`` said
before. For drawn traces (valid requests and hostile ones: other hosts, versions and
letter cases, trailing slashes, queries, odd ids and methods, wrong types, bad phone
numbers, tenant mismatches, responses), findings and the tracker's state are the same
as with both turned off; and broken on purpose, they are not.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import orjson
from hypothesis import given, settings, strategies as st

import callstate.verdict._request as request_module
from callstate.graph.wire import plain_request_path
from callstate.simulate import event_notification, rfc3339
from callstate.strategies import invalid_transfer_requests, transfer_requests
from callstate.verdict import Finding, Tracker
from callstate.verdict._asks import Asks
from tests.verdict.test_lifecycle import roster

CALLS = ("c1", "c2", "c3")
GRAPH = "https://graph.microsoft.com/v1.0"
T0 = 1_767_261_600.0
PHONE = {"transferTarget": {"identity": {"phone": {"id": "+12345678901"}}}}

#: Where a call's transfer is POSTed, ``{}`` its id: Graph's spelling first, then others.
_URLS = (
    f"{GRAPH}/communications/calls/{{}}/transfer",
    "https://graph.microsoft.com/beta/communications/calls/{}/transfer",
    "/communications/calls/{}/transfer",
    "/v1.0/communications/calls/{}/transfer",
    "https://graph.microsoft.us/v1.0/communications/calls/{}/transfer",
    "https://example.com/v1.0/communications/calls/{}/transfer",
    "http://graph.microsoft.com/v1.0/communications/calls/{}/transfer",
    "https://graph.microsoft.com:443/v1.0/communications/calls/{}/transfer",
    "/V1.0/communications/calls/{}/transfer",
    "/beta/Communications/calls/{}/transfer",
    "/communications/calls/{}/Transfer",
    "/communications/calls/{}/transfer/",
    "/communications/calls/{}/transfer?x=1",
    "/communications/calls/{}/transfer#f",
    "/app/calls/{}/transfer",
    "/communications/calls/{}/answer",
    "/communications/calls/{}",
    "/communications/calls/{}//transfer",
)
#: Ids beside the trace's calls: empty, too long, odd characters.
_ODD_IDS = ("", "c" * 257, "c 1", "c1%2F", "é")
#: Methods beside the exact ``POST`` (``None``: no method, which reads as POST).
_METHODS = ("post", "Post", "DELETE", "GET", 7, None)
#: Graph's answers, well-formed and not (``None``: none).
_RESPONSES = (
    None,
    {"status": 202},
    {"status": 400},
    {"status": 500},
    {"status": "202"},
    {"status": 99},
    {"body": {}},
    [],
    "x",
)
#: Values put in place of a body's member.
_ODD_VALUES = st.sampled_from(
    [None, "", "x", "+1", "+0123", "12345 678", "Default", "c" * 257, 0, True, [], {}]
)


def _with_transferee(body: dict[str, Any], tenant: str, participant: object) -> dict[str, Any]:
    """``body`` naming a transferee of ``tenant``, with ``participant`` as its participantId."""
    transferee = {"identity": {"user": {"id": "x", "tenantId": tenant}}}
    if participant is not None:
        transferee["participantId"] = participant
    return {**body, "transferee": transferee}


@st.composite
def _bodies(draw: st.DrawFn) -> object:
    """A transfer body: valid, breaking one rule, nudged, with a transferee, or no object."""
    what = draw(st.sampled_from(("valid",) * 4 + ("invalid", "nudged", "transferee", "odd")))
    if what == "invalid":
        return draw(invalid_transfer_requests()).body
    if what == "odd":
        return draw(st.sampled_from([None, [], "{}", orjson.dumps(PHONE).decode(), 7]))
    body: dict[str, Any] = copy.deepcopy(draw(transfer_requests()).body)
    if what == "nudged":
        target = body["transferTarget"]
        target[draw(st.sampled_from(["endpointType", "hidden", "languageId"]))] = draw(_ODD_VALUES)
    elif what == "transferee":
        tenant = draw(st.sampled_from(["t1", "T1", "t2", ""]))
        body = _with_transferee(body, tenant, draw(st.sampled_from([None, "p1", "p9", 3])))
    return body


#: The notifications that bring a call up, established.
_UP = ("offer", "establish", "connect")
#: What a change of a record touches.
_ASPECTS = ("url", "id", "method", "body", "response", "time")


@st.composite
def _request_line(draw: st.DrawFn) -> dict[str, Any]:
    """A transfer request record for one of the calls, as Graph's SDKs send it, with zero
    to two aspects changed (so the fast branch and each way out of it are drawn often)."""
    call = draw(st.sampled_from(CALLS))
    url: object = draw(st.sampled_from(_URLS[:4])).format(call)
    request: dict[str, Any] = {"method": "POST", "url": url}
    request["body"] = copy.deepcopy(draw(transfer_requests()).body)
    record: dict[str, Any] = {"request": request}
    for aspect in draw(st.lists(st.sampled_from(_ASPECTS), max_size=2)):
        if aspect == "url":
            request["url"] = draw(st.sampled_from(_URLS)).format(call)
        elif aspect == "id":
            odd = draw(
                st.sampled_from(
                    [None, 7, ["x"], *(u.format(i) for i in _ODD_IDS for u in _URLS[:2])]
                )
            )
            request["url"] = odd
        elif aspect == "method":
            method = draw(st.sampled_from(_METHODS))
            if method is None:
                request.pop("method", None)  # drawn twice, it is gone after the first
            else:
                request["method"] = method
        elif aspect == "body":
            request["body"] = draw(_bodies())
        elif aspect == "response":
            record["response"] = draw(st.sampled_from(_RESPONSES))
        else:
            record = {"at": rfc3339(T0 + draw(st.integers(0, 600))), **record}
    return record


@st.composite
def traces(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Calls brought up (some with a roster), requests among their notifications, repeats."""
    lines: list[dict[str, Any]] = []
    for call in CALLS:
        for event in draw(st.sampled_from([_UP] * 3 + [("offer",), ()])):
            lines.append(event_notification(call, event))
    if draw(st.booleans()):
        people = roster("p1", "p2", *draw(st.sampled_from([(), ("p3",)])))
        people["value"][0]["resourceUrl"] = "/communications/calls/c1/participants"
        lines.append(people)
    for _ in range(draw(st.integers(1, 16))):
        what = draw(st.sampled_from(("request",) * 4 + ("repeat", "notification")))
        if what == "repeat" and lines:
            lines.append(draw(st.sampled_from(lines)))
        elif what == "notification":
            event = draw(st.sampled_from(("transfer", "terminate", "connect")))
            lines.append(event_notification(draw(st.sampled_from(CALLS)), event))
        else:
            lines.append(draw(_request_line()))
    return lines


@contextmanager
def _full_path_only() -> Iterator[None]:
    """Both fast branches off: every record read and asked the full way."""
    with (
        mock.patch.object(request_module, "_plain_transfer", return_value=None),
        mock.patch.object(Asks, "learn", return_value=None),
    ):
        yield


def _outcome(lines: list[dict[str, Any]], *, as_bytes: bool) -> tuple[Any, ...]:
    """Every finding (all its fields) and the tracker's snapshot after ``lines``."""
    tracker = Tracker()
    found: list[Finding] = []
    for number, line in enumerate(lines, 1):
        tracker.ingest_into(orjson.dumps(line) if as_bytes else line, found, line=number)
    findings = [
        (f.line, f.call_id, f.rule, f.message, f.state, f.received, f.severity) for f in found
    ]
    return findings, tracker.snapshot()


def differences(lines: list[dict[str, Any]]) -> list[str]:
    """Which ways of feeding ``lines`` (bytes, dicts) disagree with the full path alone."""
    with _full_path_only():
        full = _outcome(lines, as_bytes=False)
    ways = {
        "dicts": _outcome(lines, as_bytes=False),
        "bytes": _outcome(lines, as_bytes=True),
    }
    return [name for name, outcome in ways.items() if outcome != full]


def _plain(call: str = "c1", body: object = None) -> dict[str, Any]:
    """A transfer request record in Graph's spelling, a body the quick look takes."""
    url = f"{GRAPH}/communications/calls/{call}/transfer"
    body = {"transferTarget": {"identity": {"user": {"id": "u"}}}} if body is None else body
    return {"request": {"method": "POST", "url": url, "body": body}}


def _up(call: str = "c1") -> list[dict[str, Any]]:
    return [event_notification(call, e) for e in _UP]


class TestSameAsTheFullPath:
    """The fast branches give the full path's findings and state, for any record."""

    @settings(max_examples=60, deadline=None)  # the suite's time; TestShownFailing pins breaks
    @given(lines=traces())
    def test_drawn_traces(self, lines: list[dict[str, Any]]) -> None:
        """Valid and hostile request records among notifications: one verdict."""
        assert [] == differences(lines)

    def test_a_timed_request_after_an_untimed_one(self) -> None:
        """A timed request starts the keepalive clock: no answer of an untimed one stands."""
        timed = {"at": rfc3339(T0), **_plain("c2")}
        assert [] == differences([*_up("c1"), *_up("c2"), _plain("c1"), timed])

    def test_a_bad_phone_number(self) -> None:
        """A number that is not E.164, in Graph's spelling otherwise: the full path reports it."""
        bad = _plain(body={"transferTarget": {"identity": {"phone": {"id": "+0123"}}}})
        assert [] == differences([*_up(), bad])

    def test_a_tenant_mismatch(self) -> None:
        """A transferee of another tenant than the target's: reported as ever."""
        body = {"transferTarget": {"identity": {"user": {"id": "u", "tenantId": "t1"}}}}
        assert [] == differences([*_up(), _plain(body=_with_transferee(body, "t2", "p1"))])


class TestTaken:
    """The fast branches are taken where they may be, so the property is not vacuous."""

    def test_a_plain_record_skips_the_verdict_objects(self) -> None:
        """Graph's spelling, an exact method and a body the quick look takes: the fast branch."""
        machine = Tracker()._machine
        request = _plain()["request"]
        expected = ("c1", machine.request_paths[("POST", "transfer", False)])
        actual = request_module._plain_transfer(
            request["method"], request["url"], request["body"], machine
        )
        assert expected == actual

    def test_a_packed_calls_request_is_remembered(self) -> None:
        """Two calls asked the same: ask answers the first, the table the second."""
        tracker = Tracker()
        for line in [*_up("c1"), *_up("c2"), _plain("c1")]:
            tracker.ingest(line)
        with mock.patch("callstate.verdict._asks.ask", side_effect=AssertionError):
            found = tracker.ingest(_plain("c2"))
        assert ((), 1) == (found, len(tracker._asks.known))


class TestShownFailing:
    """Broken on purpose, the fast branch disagrees with the full path, and is caught."""

    def test_accepting_what_the_quick_look_rejects_is_caught(self) -> None:
        """A fast branch that skips the quick look lets a bad phone number through."""
        bad = _plain(body={"transferTarget": {"identity": {"phone": {"id": "+0123"}}}})
        with mock.patch.object(request_module, "quick_look", return_value=True):
            assert ["dicts", "bytes"] == differences([*_up(), bad])

    def test_accepting_another_host_is_caught(self) -> None:
        """A fast branch that reads any host's URL takes a request Graph never receives."""

        def any_host(url: str) -> tuple[str, str | None] | None:
            return plain_request_path(url.replace("example.com", "graph.microsoft.com"))

        record = _plain()
        record["request"]["url"] = "https://example.com/v1.0/communications/calls/c1/transfer"
        with mock.patch.object(request_module, "plain_request_path", any_host):
            assert ["dicts", "bytes"] == differences([*_up(), record])

    def test_a_table_that_forgets_the_request_is_caught(self) -> None:
        """Answers remembered by the record alone give a consultative transfer the blind kind."""

        class Careless(dict[Any, int]):
            def get(self, key: Any, default: Any = None) -> Any:
                return super().get(key[0], default)

            def __setitem__(self, key: Any, value: int) -> None:
                super().__setitem__(key[0], value)

        consultative = {"transferTarget": {"identity": {"user": {"id": "u"}}}}
        consultative["transferTarget"]["replacesCallId"] = "r"
        lines = [*_up("c1"), *_up("c2"), _plain("c1"), _plain("c2", consultative)]

        def careless_init(self: Asks) -> None:
            self.known = Careless()

        with mock.patch.object(Asks, "__init__", careless_init):
            assert ["dicts", "bytes"] == differences(lines)
