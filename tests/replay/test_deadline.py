"""``--timeout`` bounds each answer as a whole, not each socket read.

A bot that drips its answer one byte at a time never lets a single read wait long,
so a per-read timeout never fires. Each dripping server here sends a complete,
valid answer after a fixed number of drips: if replay waited for it, the test would
see that answer instead of the timeout it asserts.
"""

from __future__ import annotations

import io
import socket
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from callstate.replay import BotUnreachable, replay
from tests.replay.conftest import RawBot, RunCli, Script, read_request

#: Pause between two drips; with 0.3 s of timeout, several drips fit, the whole answer does not.
_DRIP = 0.05
_TIMEOUT = 0.3


def _dripping(head: bytes, dripped: bytes) -> Script:
    """Read one request, send ``head`` at once, then ``dripped`` one byte per pause."""

    def script(conn: socket.socket) -> None:
        read_request(conn)
        conn.sendall(head)
        for byte in dripped:  # bounded: len(dripped) drips, then the answer is complete
            time.sleep(_DRIP)
            conn.sendall(bytes([byte]))
        read_request(conn)  # hold the connection until the client closes it

    return script


_STATUS_AND_HEADERS = (
    b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nX-Padding: " + b"p" * 30 + b"\r\n\r\n"
)
_BODY = b"b" * 40


class TestWholeAnswer:
    def test_dripped_status_and_headers_time_out(
        self, raw_bot: Callable[[list[Script]], RawBot], envelopes: list[bytes]
    ) -> None:
        """A status line and headers dripped byte by byte hit the timeout before they end."""
        server = raw_bot([_dripping(b"", _STATUS_AND_HEADERS)])
        with pytest.raises(BotUnreachable) as caught:
            replay(io.BytesIO(envelopes[0]), server.url, timeout=_TIMEOUT)
        expected: object = (1, "no complete answer within 0.3 s (waiting for the answer)")
        assert expected == (caught.value.line, caught.value.reason)

    def test_dripped_body_times_out(
        self, raw_bot: Callable[[list[Script]], RawBot], envelopes: list[bytes]
    ) -> None:
        """A prompt status with a dripped body is no complete answer either."""
        head = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(_BODY)
        server = raw_bot([_dripping(head, _BODY)])
        with pytest.raises(BotUnreachable) as caught:
            replay(io.BytesIO(envelopes[0]), server.url, timeout=_TIMEOUT)
        expected: object = "no complete answer within 0.3 s (reading the body of its 200 answer)"
        assert expected == caught.value.reason

    def test_dripping_bot_is_one_clear_line_and_exit_1(
        self,
        raw_bot: Callable[[list[Script]], RawBot],
        envelopes: list[bytes],
        tmp_path: Path,
        run_cli: RunCli,
    ) -> None:
        """On the command line the drip is one timeout line on stderr, and exit 1."""
        server = raw_bot([_dripping(b"", _STATUS_AND_HEADERS)])
        trace = tmp_path / "t.jsonl"
        trace.write_bytes(b"\n".join(envelopes[:3]))
        code, out, err = run_cli([str(trace), "--to", server.url, "--timeout", "0.3"])
        expected: object = (1, "", 1)
        assert expected == (code, out, err.count("\n"))
        wanted = (
            f"callstate replay: error: line 1: cannot reach {server.url}: no complete answer "
            "within 0.3 s (waiting for the answer) (0 envelopes delivered before)\n"
        )
        assert wanted == err

    def test_each_envelope_gets_its_own_time(
        self, raw_bot: Callable[[list[Script]], RawBot], envelopes: list[bytes]
    ) -> None:
        """The deadline starts again for every envelope: prompt answers all get through."""

        def prompt(conn: socket.socket) -> None:
            for _ in range(4):
                read_request(conn)
                conn.sendall(b"HTTP/1.1 204 No Content\r\n\r\n")

        server = raw_bot([prompt])
        report = replay(io.BytesIO(b"\n".join(envelopes[:4])), server.url, timeout=_TIMEOUT)
        expected: object = [204] * 4
        assert expected == [d.status for d in report.deliveries]
