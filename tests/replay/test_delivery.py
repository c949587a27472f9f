"""Replay against a real HTTP server: bytes, order, headers, statuses, pacing, arguments.

The bot is a ThreadingHTTPServer on 127.0.0.1 (ephemeral port) that records every
request; the envelopes come from the simulator.
"""

from __future__ import annotations

import io
import socket
from pathlib import Path
from typing import Any

import pytest

from callstate.errors import UsageError
from callstate.replay import BotUnreachable, Delivery, parse_header, parse_rate, replay
from tests.replay.conftest import REQUEST, Bot, odd_trace


class TestDelivery:
    def test_every_envelope_arrives_byte_for_byte_in_order(
        self, bot: Bot, tmp_path: Path, envelopes: list[bytes]
    ) -> None:
        """The bot receives each non-blank, non-request line exactly, in trace order."""
        path, expected, _lines = odd_trace(tmp_path, envelopes)
        replay(path, bot.url)
        assert expected == [r.body for r in bot.received]

    def test_posts_to_the_url_path(self, bot: Bot, tmp_path: Path, envelopes: list[bytes]) -> None:
        """Every request is a POST to the webhook's path."""
        path, bodies, _lines = odd_trace(tmp_path, envelopes)
        replay(path, bot.url)
        expected = [("POST", "/api/calls")] * len(bodies)
        assert expected == [(r.method, r.path) for r in bot.received]

    def test_content_type_and_custom_headers(self, bot: Bot, envelopes: list[bytes]) -> None:
        """Each request has Content-Type application/json and every extra header."""
        headers = {"Authorization": "Bearer abc", "X-Test-Run": "42"}
        replay(io.BytesIO(b"\n".join(envelopes)), bot.url, headers=headers)
        seen = [
            (r.headers["content-type"], r.headers["authorization"], r.headers["x-test-run"])
            for r in bot.received
        ]
        expected: object = [("application/json", "Bearer abc", "42")] * len(envelopes)
        assert expected == seen

    def test_reports_each_status_and_goes_on_after_500(
        self, bot: Bot, tmp_path: Path, envelopes: list[bytes]
    ) -> None:
        """A 500 for one envelope is reported at its line, and the rest are still sent."""
        path, bodies, lines = odd_trace(tmp_path, envelopes)
        bot.statuses[2] = 500
        report = replay(path, bot.url)
        statuses = [(d.line, d.status) for d in report.deliveries if not d.skipped]
        expected: object = [(n, 500 if i == 1 else 202) for i, n in enumerate(lines)]
        assert expected == statuses
        expected = ((lines[1],), len(bodies))
        assert expected == (tuple(d.line for d in report.failed), report.sent)
        assert not report.ok

    def test_request_records_are_skipped_with_a_note(
        self, bot: Bot, tmp_path: Path, envelopes: list[bytes]
    ) -> None:
        """A request record is not sent; its line is reported as skipped and why."""
        path, _expected, _lines = odd_trace(tmp_path, envelopes)
        report = replay(path, bot.url)
        skipped = [
            (d.line, d.reason.startswith("request record")) for d in report.deliveries if d.skipped
        ]
        expected: object = ([(5, True)], 1)
        assert expected == (skipped, report.skipped)
        assert REQUEST not in [r.body for r in bot.received]

    def test_progress_callback_sees_every_line(self, bot: Bot, envelopes: list[bytes]) -> None:
        """on_delivery is called once per line, in order, with what the report holds."""
        seen: list[Delivery] = []
        report = replay(io.BytesIO(b"\n".join(envelopes)), bot.url, on_delivery=seen.append)
        assert list(report.deliveries) == seen


class TestUnreachable:
    def test_closed_port_raises_clear_error(self, closed_url: str, envelopes: list[bytes]) -> None:
        """Connection refused stops at line 1 with BotUnreachable naming the URL."""
        with pytest.raises(BotUnreachable) as caught:
            replay(io.BytesIO(b"\n".join(envelopes)), closed_url)
        expected: object = (1, closed_url, 0)
        assert expected == (caught.value.line, caught.value.url, caught.value.report.sent)
        assert str(caught.value).startswith(f"line 1: cannot reach {closed_url}: ")

    def test_silent_bot_times_out(self, envelopes: list[bytes]) -> None:
        """A bot that accepts the connection but never answers fails after the timeout."""
        with socket.socket() as listener:
            listener.bind(("127.0.0.1", 0))
            listener.listen()
            url = f"http://127.0.0.1:{listener.getsockname()[1]}/"
            with pytest.raises(
                BotUnreachable, match=r"no complete answer within 0\.2 s \(waiting for the answer\)"
            ):
                replay(io.BytesIO(envelopes[0]), url, timeout=0.2)


class _Pacing:
    """A fake clock and sleep: the clock moves ``step`` per reading, never by itself."""

    def __init__(self, step: float = 0.0) -> None:
        self.now = 100.0
        self.step = step
        self.sleeps: list[float] = []

    def clock(self) -> float:
        self.now += self.step
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class TestPacing:
    def test_sleeps_one_interval_between_envelopes(self, bot: Bot, envelopes: list[bytes]) -> None:
        """At 4/s with no time passing, replay sleeps 0.25 s before every envelope but the first."""
        pacing = _Pacing()
        replay(
            io.BytesIO(b"\n".join(envelopes)),
            bot.url,
            rate=4.0,
            sleep=pacing.sleep,
            clock=pacing.clock,
        )
        expected: object = [0.25] * (len(envelopes) - 1)
        assert expected == pacing.sleeps

    def test_time_already_spent_is_not_slept_again(self, bot: Bot, envelopes: list[bytes]) -> None:
        """Time that passed between sends (here one clock tick of 0.1 s) shortens the sleep."""
        pacing = _Pacing(step=0.1)
        replay(
            io.BytesIO(b"\n".join(envelopes[:3])),
            bot.url,
            rate=2.0,
            sleep=pacing.sleep,
            clock=pacing.clock,
        )
        expected: object = [pytest.approx(0.4)] * 2
        assert expected == pacing.sleeps

    def test_skipped_lines_take_no_slot(self, bot: Bot, envelopes: list[bytes]) -> None:
        """Request records are not paced: only sent envelopes wait."""
        pacing = _Pacing()
        trace = b"\n".join([envelopes[0], REQUEST, REQUEST, envelopes[1]])
        replay(io.BytesIO(trace), bot.url, rate=10.0, sleep=pacing.sleep, clock=pacing.clock)
        expected: object = [pytest.approx(0.1)]
        assert expected == pacing.sleeps

    def test_no_rate_never_sleeps(self, bot: Bot, envelopes: list[bytes]) -> None:
        """Without a rate, envelopes go as fast as the bot answers."""
        pacing = _Pacing()
        replay(io.BytesIO(b"\n".join(envelopes)), bot.url, sleep=pacing.sleep, clock=pacing.clock)
        expected: list[float] = []
        assert expected == pacing.sleeps


class TestArguments:
    @pytest.mark.parametrize(
        ("text", "per_second"),
        [("10/s", 10.0), ("10", 10.0), ("0.5/s", 0.5), ("30/min", 0.5), (" 2 / sec ", 2.0)],
    )
    def test_rate_forms(self, text: str, per_second: float) -> None:
        """N, N/s and N/min all read as envelopes per second."""
        assert per_second == parse_rate(text)

    @pytest.mark.parametrize("text", ["0", "0/s", "-1/s", "fast", "10/h", ""])
    def test_bad_rates(self, text: str) -> None:
        """Zero, negative or unreadable rates are usage errors naming --rate."""
        with pytest.raises(UsageError) as caught:
            parse_rate(text)
        expected: object = "--rate"
        assert expected == caught.value.argument

    def test_header_form(self) -> None:
        """K:V splits at the first colon and trims spaces; the value may hold colons."""
        expected: object = ("Authorization", "Bearer a:b")
        assert expected == parse_header("Authorization:  Bearer a:b ")

    @pytest.mark.parametrize(
        "text", ["NoColon", ": value", "Bad Name: x", "Content-Type: text/plain", "Host: x"]
    )
    def test_bad_headers(self, text: str) -> None:
        """A header without a colon, with a bad name, or one replay sets itself is refused."""
        with pytest.raises(UsageError) as caught:
            parse_header(text)
        expected: object = "--header"
        assert expected == caught.value.argument

    @pytest.mark.parametrize("url", ["ftp://bot/x", "bot.example/api", "http://", "http://[::1"])
    def test_bad_urls(self, url: str) -> None:
        """Only http(s) URLs with a host are accepted."""
        with pytest.raises(UsageError) as caught:
            replay(io.BytesIO(b"{}"), url)
        expected: object = "--to"
        assert expected == caught.value.argument

    @pytest.mark.parametrize(
        ("option", "value"), [("rate", 0.0), ("rate", float("inf")), ("timeout", -1.0)]
    )
    def test_bad_numbers(self, option: str, value: float) -> None:
        """Rates and timeouts must be finite and positive."""
        kwargs: dict[str, Any] = {option: value}
        with pytest.raises(UsageError) as caught:
            replay(io.BytesIO(b"{}"), "http://127.0.0.1/", **kwargs)
        assert option == caught.value.argument

    def test_missing_trace(self, tmp_path: Path) -> None:
        """A trace that cannot be opened is a usage error naming the file."""
        with pytest.raises(UsageError, match=r"cannot read .*missing\.jsonl"):
            replay(tmp_path / "missing.jsonl", "http://127.0.0.1/")
