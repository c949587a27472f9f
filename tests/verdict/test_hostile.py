"""Hostile input to the tracker: every repro becomes a located report or a clear error."""

from __future__ import annotations

import contextlib
import tracemalloc
from typing import Any

import orjson
import pytest
from hypothesis import given, settings, strategies as st

from callstate.errors import CallstateError, ParseError, UsageError
from callstate.verdict import Finding, StepRecord, Tracker, validate_lines
from callstate.verdict._notice import MAX_BODY_BYTES
from tests.verdict.conftest import CALL, envelope, note, opening, request

#: JSON scalars, integers within what JSON encoders write.
SCALARS = st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.floats() | st.text()


def _containers(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.lists(inner) | st.dictionaries(st.text(), inner)


def rules(tracker: Tracker, *bodies: object) -> list[str]:
    """The rules of every finding the bodies cause."""
    return [f.rule for body in bodies for f in tracker.ingest(body)]


def snapshot_with(**changes: Any) -> dict[str, Any]:
    """A snapshot of one live call (mid-transfer) and one ended call, then ``changes``."""
    tracker = Tracker()
    for body in (*opening(), envelope(note("transferring"))):
        tracker.ingest(body)
    tracker.ingest(envelope(note("terminated", change="deleted", call="gone")))
    snap = tracker.snapshot()
    for path, value in changes.items():
        node: Any = snap
        keys = path.split("__")
        for key in keys[:-1]:
            node = node[int(key)] if isinstance(node, list) else node[key]
        last = keys[-1]
        node[int(last) if isinstance(node, list) else last] = value
    return snap


class TestHugeAndDeep:
    """Values that crash a naive reader."""

    @pytest.mark.parametrize("digits", [30, 4301, 10_000])
    def test_long_digit_strings_are_malformed(self, digits: int) -> None:
        """A code of thousands of digits is malformed, and the next line is still read."""
        tracker = Tracker()
        bad = envelope(note("terminated", change="deleted", resultInfo={"code": "9" * digits}))
        assert ["malformed"] == rules(tracker, *opening(), bad)
        assert "established" == tracker.state(CALL)

    def test_a_huge_python_int_is_malformed(self) -> None:
        """10**5000 in a dict body is malformed, never a ValueError."""
        bad = envelope(note("terminated", resultInfo={"code": 10**5000, "subcode": 1}))
        assert ["malformed"] == rules(Tracker(), bad)

    @pytest.mark.parametrize(
        "field", ["changeType", "resourceUrl", "state", "terminationReason", "code"]
    )
    def test_deep_values_are_malformed_with_a_short_message(self, field: str) -> None:
        """A value nested 1,000 deep in any field: one malformed finding, a bounded message."""
        deep: Any = 1
        for _ in range(1000):
            deep = [deep]
        n = note("established")
        if field in ("changeType", "resourceUrl"):
            n[field] = deep
        elif field == "code":
            n["resourceData"]["resultInfo"] = {"code": deep}
        else:
            n["resourceData"][field] = deep
        found = Tracker().ingest(envelope(n))
        assert ["malformed"] == [f.rule for f in found]
        assert len(found[0].message) < 300

    def test_deep_dict_body_at_any_depth(self) -> None:
        """A dict body nested 2,000 deep anywhere is malformed, not a RecursionError."""
        deep: Any = {}
        for _ in range(2000):
            deep = {"x": deep}
        body = envelope(note("established", extra=deep))
        assert ["malformed"] == rules(Tracker(), body)

    @pytest.mark.parametrize("shape", [bytes, bytearray, memoryview, lambda b: b.decode()])
    @pytest.mark.parametrize("depth", [1, 100, 300])
    def test_every_text_shape_is_read_alike(self, shape: Any, depth: int) -> None:
        """Bytes, bytearray, memoryview and str bodies, long or deep, give the same findings."""
        text = orjson.dumps(envelope(note("established", change="created", extra="X")))
        text = text.replace(b'"X"', b"[" * depth + b"1" + b"]" * depth)  # past what orjson writes
        expected = rules(Tracker(), text)
        assert expected == rules(Tracker(), shape(text))
        assert (["malformed"] if depth > 254 else []) == expected

    @pytest.mark.parametrize(
        "url",
        [
            "https://graph.microsoft.com:99999/v1.0/communications/calls/c/transfer",
            "https://graph.microsoft.com:abc/v1.0/communications/calls/c/transfer",
            "https://[::1/v1.0/communications/calls/c/transfer",
        ],
    )
    def test_bad_request_urls_are_invalid_paths(self, url: str) -> None:
        """A bad port or a broken IPv6 bracket is an invalid path, never a crash."""
        body = request({"transferTarget": {"identity": {"user": {"id": "u"}}}}, url=url)
        assert "invalid-path" in rules(Tracker(), body)

    def test_long_call_ids_are_malformed(self) -> None:
        """A call id over 256 characters is not one Graph sends."""
        assert ["malformed"] == rules(Tracker(), envelope(note("incoming", call="c" * 257)))


class TestLineLimit:
    """The 1 MiB bound, on the whole line, in bytes."""

    def test_padding_then_junk_past_the_limit(self) -> None:
        """A valid body padded with spaces past 1 MiB, then junk, is over the limit."""
        line = orjson.dumps(envelope(note("incoming"))) + b" " * MAX_BODY_BYTES + b"x"
        found = Tracker().ingest(line)
        assert [("malformed", True)] == [(f.rule, "over 1 MiB" in f.message) for f in found]

    def test_trailing_whitespace_does_not_count(self) -> None:
        """A body followed by white space past the limit is read (the line's own end aside)."""
        line = orjson.dumps(envelope(note("incoming"))) + b" " * MAX_BODY_BYTES
        assert [] == rules(Tracker(), line)

    def test_str_bodies_count_bytes(self) -> None:
        """A str of 300,000 four-byte characters is over 1 MiB, with its size in bytes."""
        text = '{"value": [], "pad": "' + "\U0001f600" * 300_000 + '"}'
        found = Tracker().ingest(text)
        assert [("malformed", "1200")] == [(f.rule, f.message.split("(")[1][:4]) for f in found]


class TestShapes:
    """Bodies that are not webhook bodies are reported, and API misuse is a usage error."""

    @pytest.mark.parametrize("body", [b"[]", b'[{"changeType": "updated"}]', [], [note("x")]])
    def test_top_level_arrays_are_reported(self, body: object) -> None:
        """A JSON array is not a webhook body."""
        assert ["malformed"] == rules(Tracker(), body)

    def test_validate_lines_refuses_one_whole_text(self) -> None:
        """Handing validate_lines a whole file's text (or bytes) is a usage error."""
        for text in ("line one\nline two\n", b"line one\n"):
            with pytest.raises(UsageError, match="splitlines"):
                validate_lines(text)  # type: ignore[arg-type]

    def test_an_unknown_python_object_is_a_usage_error(self) -> None:
        """An object that is neither bytes, str nor decoded JSON is the caller's mistake."""
        with pytest.raises(UsageError, match=r"^body: "):
            Tracker().ingest(object())


class TestCaches:
    """Memory is bounded by bytes, not only by entries."""

    def test_long_urls_are_not_cached(self) -> None:
        """3,000 distinct 200-character ids leave the URL cache small in bytes."""
        tracker = Tracker(max_calls=100, ended_limit=100)
        for i in range(3000):
            tracker.ingest(envelope(note("incoming", call=f"{i:0200d}", sub="/participants",
                                         data=[{"id": "p"}])))  # fmt: skip
        from callstate.graph._calls_url import SEEN, SEEN_MAX, SEEN_URL

        assert len(SEEN) <= SEEN_MAX
        assert all(len(url) <= SEEN_URL for url in SEEN)

    def test_classification_cache_ignores_long_reasons(self) -> None:
        """600 distinct 100 KB termination reasons are not remembered."""
        tracker = Tracker()
        tracemalloc.start()
        for i in range(600):
            reason = f"{i}" + "r" * 100_000
            tracker.ingest(envelope(note("terminated", change="deleted", call=f"c{i}",
                                         terminationReason=reason)))  # fmt: skip
        current, _peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert current < 20_000_000


class TestObservers:
    """An observer is told after the decision, outside the lock."""

    def test_an_observer_may_read_the_tracker(self) -> None:
        """Reading the tracker from an observer does not deadlock."""
        seen: list[str | None] = []
        tracker: Tracker

        def watch(step: StepRecord) -> None:
            seen.append(tracker.state(step.call_id))

        tracker = Tracker(on_step=watch)
        tracker.ingest(envelope(note("incoming", change="created")))
        assert ["incoming"] == seen

    def test_a_raising_observer_leaves_a_whole_state(self) -> None:
        """When the observer raises, the call is fully started and every step was told."""
        told: list[str] = []

        def explode(step: StepRecord) -> None:
            told.append(step.dest)
            raise RuntimeError("observer bug")

        tracker = Tracker(on_step=explode)
        body = {"value": [note("incoming", change="created"), note("incoming", call="other")]}
        with pytest.raises(RuntimeError, match="observer bug"):
            tracker.ingest(body)
        assert (["incoming", "incoming"], "incoming", "incoming") == (
            told,
            tracker.state(CALL),
            tracker.state("other"),
        )


class TestHostileSnapshots:
    """restore() rejects every malformed snapshot with a ParseError naming the field."""

    @pytest.mark.parametrize(
        ("changes", "pointer"),
        [
            ({"live__0__4": "-1"}, "/live/0/4"),
            ({"live__0__4": "f" * 1000}, "/live/0/4"),
            ({"options__strict": "false"}, "/options/strict"),
            ({"counters__bodies": "3"}, "/counters/bodies"),
            ({"counters__bodies": 3.0}, "/counters/bodies"),
            ({"counters__bodies": -1}, "/counters/bodies"),
            ({"live__0__1": "terminated"}, "/live/0/1"),
            ({"live__0__0": None}, "/live/0/0"),
            ({"ended__0__0": CALL}, "/ended/0/0"),
            ({"live__0__2": "sideways"}, "/live/0/2"),
            ({"live__0__3": "x"}, "/live/0/3"),
            ({"options__maxCalls": float("inf")}, "/options/maxCalls"),
            ({"options__maxCalls": 2**64}, "/options/maxCalls"),
            ({"options__maxCalls": 0}, "/options/maxCalls"),
            ({"live": "nope"}, "/live"),
        ],
    )
    def test_rejected(self, changes: dict[str, Any], pointer: str) -> None:
        """Each broken field is named by its pointer."""
        with pytest.raises(ParseError) as caught:
            Tracker.restore(snapshot_with(**changes))
        assert pointer == caught.value.pointer

    def test_duplicated_live_ids(self) -> None:
        """The same call listed twice among the live ones."""
        snap = snapshot_with()
        snap["live"] = snap["live"] * 2
        snap["options"]["maxCalls"] = 10
        with pytest.raises(ParseError) as caught:
            Tracker.restore(snap)
        assert "/live/1/0" == caught.value.pointer

    def test_more_live_calls_than_max_calls(self) -> None:
        """A snapshot holding more live calls than its own bound."""
        with pytest.raises(ParseError) as caught:
            Tracker.restore(
                snapshot_with(options__maxCalls=1)
                | {"live": [["a", None, None, None, "0"], ["b", None, None, None, "0"]]}
            )
        assert "/live" == caught.value.pointer

    def test_new_limits_trim_at_once(self) -> None:
        """Restoring with a lower ended limit trims the ended ids at once."""
        tracker = Tracker.restore(snapshot_with(), ended_limit=0)
        assert ([], [CALL]) == (list(tracker.ended_calls()), list(tracker.live_calls()))

    @settings(max_examples=200, deadline=None)
    @given(value=st.recursive(SCALARS, _containers, max_leaves=12))
    def test_any_json_is_a_snapshot_or_a_parse_error(self, value: object) -> None:
        """Whatever JSON is handed in, restore gives a tracker or a ParseError, nothing else."""
        for data in (value, orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)
                     if not isinstance(value, float) or value == value else b"null"):  # fmt: skip
            with contextlib.suppress(CallstateError):
                Tracker.restore(data)  # type: ignore[arg-type]


def test_findings_of_hostile_lines_are_located() -> None:
    """validate_lines names the line of each hostile body."""
    lines = [orjson.dumps(envelope(note("incoming", change="created"))), b"[]", b"{"]
    found: list[Finding] = [*validate_lines(lines).violations]
    assert [(2, "malformed"), (3, "malformed")] == [(f.line, f.rule) for f in found]


def test_whole_text_is_a_type_error_too() -> None:
    """The issue's word for it: handing one text where lines are due is a TypeError."""
    with pytest.raises(TypeError, match="splitlines"):
        validate_lines("one\ntwo\n")  # type: ignore[arg-type]
