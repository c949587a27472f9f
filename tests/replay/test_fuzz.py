"""Arbitrary traces through replay: only callstate's errors escape, and no line is lost.

Every non-blank line must come out as exactly one delivery at its own line number:
sent (and received by the bot byte for byte, in order), skipped as a request record,
or reported as too long. The bot answers 200 to everything.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, strategies as st

from callstate.errors import CallstateError
from callstate.replay import ReplayReport, replay
from tests.replay.conftest import Bot, serve_bot

_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=2**64, max_value=10**400)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20)
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
#: Objects shaped like what traces hold: envelopes, request records, and both at once.
_OBJECTS = st.one_of(
    st.fixed_dictionaries({"value": _VALUES}),
    st.fixed_dictionaries({"request": _VALUES}),
    st.fixed_dictionaries({"request": _VALUES, "value": _VALUES}),
    st.dictionaries(st.sampled_from(["request", "value", "x", "@odata.type"]), _VALUES),
    _VALUES,
)
#: Request records nested deep, but within what both JSON readers take (about 1,000).
_DEEP = st.integers(min_value=1, max_value=900).map(
    lambda depth: '{"request": ' + "[" * depth + "]" * depth + "}"
)
_ENDINGS = st.sampled_from(["\n", "\r\n", "\n\n", "\n \t\n"])


@st.composite
def _json_line(draw: st.DrawFn) -> str:
    """One JSON value, written compactly or spaced, ASCII-only or not."""
    if draw(st.booleans()):
        return draw(_DEEP)
    value = draw(_OBJECTS)
    separators = draw(st.sampled_from([(",", ":"), (", ", ": ")]))
    return json.dumps(value, ensure_ascii=draw(st.booleans()), separators=separators)


@st.composite
def _json_lines(draw: st.DrawFn) -> bytes:
    """A trace of JSON values with odd but legal line endings and blank lines."""
    lines = draw(st.lists(st.tuples(_json_line(), _ENDINGS), max_size=8))
    return "".join(text + ending for text, ending in lines).encode()


def _non_blank_lines(trace: bytes) -> list[tuple[int, bytes]]:
    """The trace's lines as the README defines them: split at LF, one CR before it dropped."""
    pieces = trace.split(b"\n")
    if pieces and pieces[-1] == b"":
        pieces.pop()  # the newline ending the last line starts no line of its own
    found = []
    for number, piece in enumerate(pieces, 1):
        body = piece.removesuffix(b"\r")
        if body.strip():
            found.append((number, body))
    return found


def _parse(body: bytes) -> Any:
    """The line as JSON by the standard library, or None when it is not JSON to it."""
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        return None


@pytest.fixture(scope="module")
def fuzz_bot() -> Iterator[Bot]:
    """One recording bot answering 200, shared by every example."""
    yield from serve_bot(Bot("", default=200))


def _replay(trace: bytes, bot: Bot) -> ReplayReport:
    with bot.lock:
        bot.received.clear()
    try:
        return replay(io.BytesIO(trace), bot.url, timeout=10)
    except CallstateError as exc:  # allowed to escape, but none is expected against this bot
        pytest.fail(f"replay of a readable trace to a healthy bot raised {exc!r}")


def _check_accounting(trace: bytes, report: ReplayReport, bot: Bot) -> None:
    lines = _non_blank_lines(trace)
    assert [n for n, _ in lines] == [d.line for d in report.deliveries]
    bodies = dict(lines)
    sent = [bodies[d.line] for d in report.deliveries if not d.skipped]
    assert sent == [r.body for r in bot.received]
    assert [200] * len(sent) == [d.status for d in report.deliveries if not d.skipped]
    for delivery in report.deliveries:
        if delivery.skipped and not delivery.refused:
            assert b'"request"' in bodies[delivery.line]


class TestFuzz:
    @given(trace=st.binary(max_size=600))
    def test_arbitrary_bytes(self, fuzz_bot: Bot, trace: bytes) -> None:
        """Any bytes: each non-blank line is sent as it is (or skipped as a request record)."""
        report = _replay(trace, fuzz_bot)
        _check_accounting(trace, report, fuzz_bot)

    @given(trace=_json_lines())
    def test_arbitrary_json_lines(self, fuzz_bot: Bot, trace: bytes) -> None:
        """Any JSON values: request records are skipped, every other line arrives."""
        report = _replay(trace, fuzz_bot)
        _check_accounting(trace, report, fuzz_bot)
        bodies = dict(_non_blank_lines(trace))
        for delivery in report.deliveries:
            value = _parse(bodies[delivery.line])
            record = isinstance(value, dict) and "request" in value and "value" not in value
            assert (record, False) == (delivery.skipped, delivery.refused), delivery

    @pytest.mark.parametrize("depth", [1100, 100_000])
    def test_too_deep_to_read_is_sent(self, fuzz_bot: Bot, depth: int) -> None:
        """A line nested deeper than JSON readers go is no readable record: it is sent as it is."""
        line = b'{"request": ' + b"[" * depth + b"]" * depth + b"}"
        report = _replay(line, fuzz_bot)
        expected: object = ([200], [line])
        assert expected == (
            [d.status for d in report.deliveries],
            [r.body for r in fuzz_bot.received],
        )

    @pytest.mark.parametrize(
        "line",
        [
            b'{"request": {"n": 1e999999}}',
            b'{"request": NaN}',
            b'{"request": 18446744073709551616}',
        ],
    )
    def test_records_orjson_refuses_are_still_skipped(self, fuzz_bot: Bot, line: bytes) -> None:
        """Numbers orjson will not read (NaN, over 64 bits) do not turn a record into a webhook."""
        report = _replay(line, fuzz_bot)
        expected: object = ([None], [])
        assert expected == ([d.status for d in report.deliveries], fuzz_bot.received)
