"""Replay against a real HTTP server: bytes, order, headers, statuses, pacing, unreachable bots.

The bot is a ThreadingHTTPServer on 127.0.0.1 (ephemeral port) that records every
request; the envelopes come from the spec's JSON blocks (golden data in tests/data/spec).
"""

from __future__ import annotations

import io
import socket
import sys
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import attrs
import orjson
import pytest

from callstate.errors import UsageError
from callstate.replay import BotUnreachable, Delivery, parse_header, parse_rate, replay
from tests.conftest import load_spec_examples


@attrs.frozen
class Received:
    """One request as the bot saw it."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@attrs.define
class Bot:
    """What the recording bot received, and the status it answers each request with."""

    url: str
    received: list[Received] = attrs.field(factory=list)
    #: 1-based request number -> status; every other request gets 202.
    statuses: dict[int, int] = attrs.field(factory=dict)
    lock: threading.Lock = attrs.field(factory=threading.Lock)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    bot: Bot

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with self.bot.lock:
            self.bot.received.append(
                Received("POST", self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            )
            status = self.bot.statuses.get(len(self.bot.received), 202)
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output quiet."""


@pytest.fixture
def bot() -> Iterator[Bot]:
    """A recording webhook at ``bot.url`` (``/api/calls`` on an ephemeral port)."""
    record = Bot("")

    class Handler(_Handler):
        bot = record

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    record.url = f"http://127.0.0.1:{server.server_address[1]}/api/calls"
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield record
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def closed_url() -> str:
    """A URL on a port nothing listens on: connecting is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/api/calls"


@pytest.fixture(scope="session")
def spec_envelopes() -> list[bytes]:
    """Every commsNotifications envelope of the spec, one compact JSON line each."""
    lines = [orjson.dumps(n) for e in load_spec_examples() for n in e.notifications.values()]
    assert lines, "the spec holds commsNotifications envelopes"
    return lines


#: ``(argv) -> (exit code, stdout, stderr)``
RunCli = Callable[[list[str]], tuple[int, str, str]]


@pytest.fixture
def run_cli(run_command: RunCli) -> RunCli:
    """Run ``callstate replay`` in-process; argparse exits become exit codes."""
    return lambda argv: run_command(["replay", *argv])


REQUEST = b'{"request": {"method": "POST", "url": "/communications/calls/1/transfer", "body": {}}}'


def _trace(tmp_path: Path, envelopes: list[bytes]) -> tuple[Path, list[bytes], list[int]]:
    """A trace with odd but legal lines; returns it, the bodies to expect, and their lines."""
    odd = [
        b'  { "value" : [ ] , "note": "H\xc3\xa9 \xe2\x9c\x93" }  ',
        b'{"value":[{"changeType":"updated","resourceUrl":"/communications/calls/x"}]}\r',
        b"not json at all",
    ]
    raw = [envelopes[0], b"", odd[0], b"   \t", REQUEST, *envelopes[1:], odd[1], odd[2]]
    path = tmp_path / "trace.jsonl"
    path.write_bytes(b"\n".join(raw))  # no newline after the last line
    expected = [envelopes[0], odd[0], *envelopes[1:], odd[1][:-1], odd[2]]
    lines = [n for n, line in enumerate(raw, 1) if line.strip() and line != REQUEST]
    return path, expected, lines


class TestDelivery:
    def test_every_envelope_arrives_byte_for_byte_in_order(
        self, bot: Bot, tmp_path: Path, spec_envelopes: list[bytes]
    ) -> None:
        """The bot receives each non-blank, non-request line exactly, in trace order."""
        path, expected, _lines = _trace(tmp_path, spec_envelopes)
        replay(path, bot.url)
        assert expected == [r.body for r in bot.received]

    def test_posts_to_the_url_path(
        self, bot: Bot, tmp_path: Path, spec_envelopes: list[bytes]
    ) -> None:
        """Every request is a POST to the webhook's path."""
        path, bodies, _lines = _trace(tmp_path, spec_envelopes)
        replay(path, bot.url)
        expected = [("POST", "/api/calls")] * len(bodies)
        assert expected == [(r.method, r.path) for r in bot.received]

    def test_content_type_and_custom_headers(self, bot: Bot, spec_envelopes: list[bytes]) -> None:
        """Each request has Content-Type application/json and every extra header."""
        headers = {"Authorization": "Bearer abc", "X-Test-Run": "42"}
        replay(io.BytesIO(b"\n".join(spec_envelopes)), bot.url, headers=headers)
        seen = [
            (r.headers["content-type"], r.headers["authorization"], r.headers["x-test-run"])
            for r in bot.received
        ]
        expected: object = [("application/json", "Bearer abc", "42")] * len(spec_envelopes)
        assert expected == seen

    def test_reports_each_status_and_goes_on_after_500(
        self, bot: Bot, tmp_path: Path, spec_envelopes: list[bytes]
    ) -> None:
        """A 500 for one envelope is reported at its line, and the rest are still sent."""
        path, bodies, lines = _trace(tmp_path, spec_envelopes)
        bot.statuses[2] = 500
        report = replay(path, bot.url)
        statuses = [(d.line, d.status) for d in report.deliveries if not d.skipped]
        expected: object = [(n, 500 if i == 1 else 202) for i, n in enumerate(lines)]
        assert expected == statuses
        expected = ((lines[1],), len(bodies))
        assert expected == (tuple(d.line for d in report.failed), report.sent)
        assert not report.ok

    def test_request_records_are_skipped_with_a_note(
        self, bot: Bot, tmp_path: Path, spec_envelopes: list[bytes]
    ) -> None:
        """A request record is not sent; its line is reported as skipped and why."""
        path, _expected, _lines = _trace(tmp_path, spec_envelopes)
        report = replay(path, bot.url)
        skipped = [
            (d.line, d.reason.startswith("request record")) for d in report.deliveries if d.skipped
        ]
        expected: object = ([(5, True)], 1)
        assert expected == (skipped, report.skipped)
        assert REQUEST not in [r.body for r in bot.received]

    def test_progress_callback_sees_every_line(self, bot: Bot, spec_envelopes: list[bytes]) -> None:
        """on_delivery is called once per line, in order, with what the report holds."""
        seen: list[Delivery] = []
        report = replay(io.BytesIO(b"\n".join(spec_envelopes)), bot.url, on_delivery=seen.append)
        assert list(report.deliveries) == seen


class TestUnreachable:
    def test_closed_port_raises_clear_error(
        self, closed_url: str, spec_envelopes: list[bytes]
    ) -> None:
        """Connection refused stops at line 1 with BotUnreachable naming the URL."""
        with pytest.raises(BotUnreachable) as caught:
            replay(io.BytesIO(b"\n".join(spec_envelopes)), closed_url)
        expected: object = (1, closed_url, 0)
        assert expected == (caught.value.line, caught.value.url, caught.value.report.sent)
        assert str(caught.value).startswith(f"line 1: cannot reach {closed_url}: ")

    def test_silent_bot_times_out(self, spec_envelopes: list[bytes]) -> None:
        """A bot that accepts the connection but never answers fails after the timeout."""
        with socket.socket() as listener:
            listener.bind(("127.0.0.1", 0))
            listener.listen()
            url = f"http://127.0.0.1:{listener.getsockname()[1]}/"
            with pytest.raises(BotUnreachable, match=r"no answer within 0\.2 s"):
                replay(io.BytesIO(spec_envelopes[0]), url, timeout=0.2)


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
    def test_sleeps_one_interval_between_envelopes(
        self, bot: Bot, spec_envelopes: list[bytes]
    ) -> None:
        """At 4/s with no time passing, replay sleeps 0.25 s before every envelope but the first."""
        pacing = _Pacing()
        replay(
            io.BytesIO(b"\n".join(spec_envelopes)),
            bot.url,
            rate=4.0,
            sleep=pacing.sleep,
            clock=pacing.clock,
        )
        expected: object = [0.25] * (len(spec_envelopes) - 1)
        assert expected == pacing.sleeps

    def test_time_already_spent_is_not_slept_again(
        self, bot: Bot, spec_envelopes: list[bytes]
    ) -> None:
        """Time that passed between sends (here one clock tick of 0.1 s) shortens the sleep."""
        pacing = _Pacing(step=0.1)
        replay(
            io.BytesIO(b"\n".join(spec_envelopes[:3])),
            bot.url,
            rate=2.0,
            sleep=pacing.sleep,
            clock=pacing.clock,
        )
        expected: object = [pytest.approx(0.4)] * 2
        assert expected == pacing.sleeps

    def test_skipped_lines_take_no_slot(self, bot: Bot, spec_envelopes: list[bytes]) -> None:
        """Request records are not paced: only sent envelopes wait."""
        pacing = _Pacing()
        trace = b"\n".join([spec_envelopes[0], REQUEST, REQUEST, spec_envelopes[1]])
        replay(io.BytesIO(trace), bot.url, rate=10.0, sleep=pacing.sleep, clock=pacing.clock)
        expected: object = [pytest.approx(0.1)]
        assert expected == pacing.sleeps

    def test_no_rate_never_sleeps(self, bot: Bot, spec_envelopes: list[bytes]) -> None:
        """Without a rate, envelopes go as fast as the bot answers."""
        pacing = _Pacing()
        replay(
            io.BytesIO(b"\n".join(spec_envelopes)), bot.url, sleep=pacing.sleep, clock=pacing.clock
        )
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


class TestCli:
    def test_prints_each_status_and_a_summary(
        self, bot: Bot, tmp_path: Path, spec_envelopes: list[bytes], run_cli: RunCli
    ) -> None:
        """Each line's status is printed as it happens, then one summary line; exit 0."""
        path, bodies, lines = _trace(tmp_path, spec_envelopes)
        code, out, err = run_cli([str(path), "--to", bot.url, "--header", "X-Run: 7"])
        printed = [line.split()[:3] for line in out.splitlines()[:-1]]
        wanted = sorted(
            [["line", str(n), "202"] for n in lines] + [["line", "5", "skipped"]],
            key=lambda x: int(x[1]),
        )
        expected: object = (0, "", wanted)
        assert expected == (code, err, printed)
        sent = len(bodies)
        expected = (
            f"{sent} envelopes sent to {bot.url}, {sent} answered 2xx; 1 request record skipped"
        )
        assert expected == out.splitlines()[-1]
        expected = {"7"}
        assert expected == {r.headers["x-run"] for r in bot.received}

    def test_non_2xx_exits_1_and_names_the_line(
        self, bot: Bot, spec_envelopes: list[bytes], tmp_path: Path, run_cli: RunCli
    ) -> None:
        """A 500 makes the exit code 1 and the summary names its line."""
        path = tmp_path / "t.jsonl"
        path.write_bytes(b"\n".join(spec_envelopes[:3]) + b"\n")
        bot.statuses[3] = 500
        code, out, _err = run_cli([str(path), "--to", bot.url, "--rate", "1000/s"])
        expected: object = (1, "1 not (lines 3)")
        assert expected == (code, out.splitlines()[-1].rsplit(", ", 1)[-1])

    def test_unreachable_bot_exits_1_with_one_line(
        self, closed_url: str, spec_envelopes: list[bytes], tmp_path: Path, run_cli: RunCli
    ) -> None:
        """A refused connection prints one error line (no traceback) and exits 1."""
        path = tmp_path / "t.jsonl"
        path.write_bytes(b"\n".join(spec_envelopes))
        code, out, err = run_cli([str(path), "--to", closed_url])
        expected: object = (1, "", 1)
        assert expected == (code, out, err.count("\n"))
        assert err.startswith(f"callstate replay: error: line 1: cannot reach {closed_url}: ")

    def test_reads_standard_input(
        self,
        bot: Bot,
        spec_envelopes: list[bytes],
        monkeypatch: pytest.MonkeyPatch,
        run_cli: RunCli,
    ) -> None:
        """TRACE '-' reads the envelopes from standard input."""
        stdin = io.TextIOWrapper(io.BytesIO(b"\n".join(spec_envelopes)))
        monkeypatch.setattr(sys, "stdin", stdin)
        code, _out, _err = run_cli(["-", "--to", bot.url])
        expected: object = (0, spec_envelopes)
        assert expected == (code, [r.body for r in bot.received])

    @pytest.mark.parametrize(
        ("argv", "message"),
        [
            (["--to", "http://127.0.0.1/", "--rate", "0"], "--rate: must be more than 0"),
            (["--to", "http://127.0.0.1/", "--rate", "fast"], "expected N/s"),
            (["--to", "http://127.0.0.1/", "--header", "NoColon"], "expected K:V"),
            (["--to", "http://127.0.0.1/", "--timeout", "0"], "--timeout"),
            (["--to", "ftp://127.0.0.1/"], "expected an http:// or https:// URL"),
            ([], "the following arguments are required: --to"),
        ],
    )
    def test_usage_errors_exit_2(
        self, argv: list[str], message: str, tmp_path: Path, run_cli: RunCli
    ) -> None:
        """Bad options exit 2 with one clear line and send nothing."""
        path = tmp_path / "t.jsonl"
        path.write_bytes(b"{}\n")
        code, out, err = run_cli([str(path), *argv])
        expected: object = (2, "", 1)
        assert expected == (code, out, err.count("\n"))
        assert message in err

    def test_missing_trace_exits_2(self, tmp_path: Path, run_cli: RunCli) -> None:
        """A trace that cannot be read exits 2 with one line."""
        code, _out, err = run_cli([str(tmp_path / "nope.jsonl"), "--to", "http://127.0.0.1/"])
        expected: object = (2, 1)
        assert expected == (code, err.count("\n"))
        assert "nope.jsonl" in err
