"""What replay holds in memory stays small, whatever the bot answers or the trace holds."""

from __future__ import annotations

import io
import socket
import struct
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest

from callstate.replay import BotUnreachable, replay
from callstate.replay._http import BODY_CAP
from callstate.replay._trace import LINE_CAP
from tests.replay.conftest import Bot, RawBot, RunCli, Script, read_request

#: The most an endless body sends before it gives up by itself: far more than replay may hold.
_ENDLESS_CHUNKS = 4096
_CHUNK = b"x" * 65536


def _endless(head: bytes, chunk: bytes, sent: list[int]) -> Script:
    """Answer 200 with ``head``, then send ``chunk`` until the client closes (or 256 MiB)."""

    def script(conn: socket.socket) -> None:
        read_request(conn)
        conn.sendall(head)
        for _ in range(_ENDLESS_CHUNKS):
            conn.sendall(chunk)
            sent[0] += len(chunk)

    return script


def _answer_204(conn: socket.socket) -> None:
    """Answer one request with 204."""
    read_request(conn)
    conn.sendall(b"HTTP/1.1 204 No Content\r\n\r\n")


class TestEndlessBody:
    @pytest.mark.parametrize(
        ("head", "chunk"),
        [
            (b"HTTP/1.1 200 OK\r\n\r\n", _CHUNK),
            (
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
                b"10000\r\n" + _CHUNK + b"\r\n",
            ),
            (b"HTTP/1.1 200 OK\r\nContent-Length: 999999999999\r\n\r\n", _CHUNK),
        ],
        ids=["until-close", "chunked", "huge-length"],
    )
    def test_endless_body_is_cut_and_the_next_envelope_goes_on(
        self,
        raw_bot: Callable[[list[Script]], RawBot],
        envelopes: list[bytes],
        head: bytes,
        chunk: bytes,
    ) -> None:
        """The status counts, the body is dropped after the cap, and memory stays small."""
        sent = [0]
        server = raw_bot([_endless(head, chunk, sent), _answer_204])
        tracemalloc.start()
        try:
            report = replay(io.BytesIO(b"\n".join(envelopes[:2])), server.url, timeout=5)
            _now, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        expected: object = ([200, 204], 2)
        assert expected == ([d.status for d in report.deliveries], server.accepted)
        assert peak < 8 * BODY_CAP + (1 << 20), f"peak {peak} bytes while the bot sent {sent[0]}"
        assert sent[0] < _ENDLESS_CHUNKS * len(chunk), "replay closed the endless answer"


class TestLongLines:
    def test_line_over_the_cap_is_reported_not_sent(self, bot: Bot, envelopes: list[bytes]) -> None:
        """A line over 4 MiB is not sent; it is reported with its size, and the rest go on."""
        huge = b'{"value": "' + b"x" * LINE_CAP + b'"}'
        trace = b"\n".join([envelopes[0], huge, envelopes[1]]) + b"\r\n"
        report = replay(io.BytesIO(trace), bot.url)
        refused = report.deliveries[1]
        expected: object = ((2, None, len(huge)), [envelopes[0], envelopes[1]], False)
        assert expected == (
            (refused.line, refused.status, refused.oversize),
            [r.body for r in bot.received],
            report.ok,
        )
        assert f"not sent: {len(huge)} bytes, over the 4 MiB replay sends" == refused.reason

    @pytest.mark.parametrize("ending", [b"", b"\n", b"\r\n"])
    def test_line_at_the_cap_is_sent_whole(self, bot: Bot, ending: bytes) -> None:
        """A line of exactly 4 MiB, whatever its ending, is sent byte for byte."""
        line = b"[" + b" " * (LINE_CAP - 2) + b"]"
        report = replay(io.BytesIO(line + ending), bot.url)
        expected: object = ([202], [line])
        assert expected == ([d.status for d in report.deliveries], [r.body for r in bot.received])

    @pytest.mark.parametrize("ending", [b"", b"\n", b"\r\n"])
    def test_size_of_a_long_line_leaves_out_its_ending(self, bot: Bot, ending: bytes) -> None:
        """The reported size is the line's own, without its newline."""
        line = b"x" * (LINE_CAP + 100_000)
        report = replay(io.BytesIO(b"{}\n" + line + ending), bot.url)
        expected: object = ([None, len(line)], [b"{}"])
        assert expected == (
            [d.oversize for d in report.deliveries],
            [r.body for r in bot.received],
        )

    def test_cli_names_the_long_line_and_exits_1(
        self, bot: Bot, envelopes: list[bytes], tmp_path: Path, run_cli: RunCli
    ) -> None:
        """The summary says which line was too long to send; the exit code is 1."""
        trace = tmp_path / "t.jsonl"
        trace.write_bytes(envelopes[0] + b"\n" + b"y" * (LINE_CAP + 1) + b"\n")
        code, out, _err = run_cli([str(trace), "--to", bot.url])
        expected: object = (1, "1 line too long to send (line 2)")
        assert expected == (code, out.splitlines()[-1].rsplit("; ", 1)[-1])


def _answer(raw: bytes) -> Script:
    def script(conn: socket.socket) -> None:
        read_request(conn)
        conn.sendall(raw)

    return script


class TestHostileAnswers:
    def test_reason_phrase_is_escaped_and_bounded(
        self, raw_bot: Callable[[list[Script]], RawBot], envelopes: list[bytes]
    ) -> None:
        """Control characters in the bot's reason phrase cannot reach the terminal raw."""
        reason = b"O\x1b[2JK\rline 9 202 forged" + b"!" * 500
        server = raw_bot([_answer(b"HTTP/1.1 200 " + reason + b"\r\nContent-Length: 0\r\n\r\n")])
        report = replay(io.BytesIO(envelopes[0]), server.url)
        text = report.deliveries[0].reason
        expected: object = (True, True, "O\\x1b[2JK\\rline 9 202 forged")
        assert expected == (text.isprintable(), len(text) <= 120, text[:28])

    @pytest.mark.parametrize(
        ("raw", "reason"),
        [
            (b"HELLO\r\n\r\n", "the answer is not HTTP/1.1 (BadStatusLine"),
            (b"HTTP/1.1 200 OK\r\n" + b"X: y\r\n" * 200 + b"\r\n", "the answer is not HTTP/1.1"),
            (b"HTTP/1.1 200 OK\r\nX: " + b"y" * 70000 + b"\r\n\r\n", "the answer is not HTTP/1.1"),
            (
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
                "the answer broke off",
            ),
            (b"", "the bot closed the connection without answering"),
        ],
        ids=["not-http", "many-headers", "long-header", "bad-chunk", "nothing"],
    )
    def test_broken_answers_are_one_bounded_line(
        self,
        raw_bot: Callable[[list[Script]], RawBot],
        envelopes: list[bytes],
        raw: bytes,
        reason: str,
    ) -> None:
        """A malformed answer stops the replay with one short printable reason."""
        server = raw_bot([_answer(raw)])
        with pytest.raises(BotUnreachable) as caught:
            replay(io.BytesIO(envelopes[0]), server.url, timeout=5)
        message = str(caught.value)
        expected: object = (True, True, True)
        assert expected == (
            caught.value.reason.startswith(reason),
            message.isprintable(),
            len(message) < 300,
        )

    def test_body_shorter_than_its_length_keeps_the_status(
        self, raw_bot: Callable[[list[Script]], RawBot], envelopes: list[bytes]
    ) -> None:
        """A body cut short by the bot closing still leaves its status; the next line reconnects."""
        server = raw_bot(
            [_answer(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"), _answer_204]
        )
        report = replay(io.BytesIO(b"\n".join(envelopes[:2])), server.url, timeout=5)
        expected: object = ([200, 204], 2)
        assert expected == ([d.status for d in report.deliveries], server.accepted)

    def test_reset_after_the_status_keeps_the_status(
        self, raw_bot: Callable[[list[Script]], RawBot], envelopes: list[bytes]
    ) -> None:
        """A bot that resets the connection mid-body (uvicorn's 500) still answered its status."""

        def reset(conn: socket.socket) -> None:
            read_request(conn)
            conn.sendall(b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 10\r\n\r\nabc")
            time.sleep(0.2)  # let the client read the status line before the reset
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

        server = raw_bot([reset, _answer_204])
        report = replay(io.BytesIO(b"\n".join(envelopes[:2])), server.url, timeout=5)
        expected: object = ([500, 204], 2)
        assert expected == ([d.status for d in report.deliveries], server.accepted)
