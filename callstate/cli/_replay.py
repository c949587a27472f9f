"""``callstate replay``: POST a recorded trace to a bot's webhook, in order and paced.

Exit codes: 0 when the bot answered every envelope with 2xx; 1 when it answered
any with something else, a line was too long to send, or the bot could not be
reached or gave no complete answer in time (the replay stops there); 2 for a usage
error, a trace that cannot be read (standard input closed included) or output that
cannot be written (``/dev/full``, a closed pipe): the replay stops there too.
Each failure is one line on standard error.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import IO, Any

from callstate.errors import CallstateError, UsageError
from callstate.replay import BotUnreachable, Delivery, parse_header, parse_rate, replay


class _OutputFailed(CallstateError):
    """Standard output cannot be written: the replay stops, since nobody would see it."""

    def __init__(self, exc: OSError) -> None:
        super().__init__(f"cannot write to standard output: {exc.strerror or exc}")


__all__ = ["register", "run"]


def _argument(parse: Any) -> Any:
    """Turn a parser that raises UsageError into an argparse type (exit 2, one line)."""

    def convert(text: str) -> Any:
        try:
            return parse(text)
        except UsageError as exc:
            raise argparse.ArgumentTypeError(str(exc).partition(": ")[2]) from None

    convert.__name__ = parse.__name__.removeprefix("parse_")
    return convert


def register(sub: Any) -> None:
    """Add the ``replay`` command to the ``callstate`` parser."""
    p = sub.add_parser(
        "replay",
        help="POST each envelope of a JSON Lines trace to a bot's webhook",
        description=(
            "POST each non-blank line of TRACE, byte for byte, to the bot's webhook with "
            "Content-Type: application/json, in order and paced, and report each HTTP status. "
            "Request records are skipped; a line over 4 MiB is reported, not sent. Exits 0 when "
            "every envelope is sent and answered 2xx; 1 when one is not, or the bot cannot be "
            "reached or gives no complete answer within --timeout; 2 for a usage error, an "
            "unreadable trace or unwritable output."
        ),
    )
    p.add_argument("trace", metavar="TRACE", help="JSON Lines trace, or - for standard input")
    p.add_argument("--to", required=True, metavar="URL", help="the bot's webhook (http or https)")
    p.add_argument(
        "--rate",
        type=_argument(parse_rate),
        default=None,
        metavar="N/s",
        help="at most N envelopes per second (10/s, 10, 30/min); default: as fast as the bot "
        "answers",
    )
    p.add_argument(
        "--header",
        type=_argument(parse_header),
        action="append",
        default=[],
        metavar="K:V",
        help="extra request header, repeatable (for example 'Authorization: Bearer x')",
    )
    p.add_argument(
        "--timeout",
        type=_argument(_parse_timeout),
        default=10.0,
        metavar="SECONDS",
        help="how long each envelope may take as a whole: connecting, sending, redirects and "
        "the complete answer (default 10)",
    )
    p.add_argument(
        "--follow-redirects",
        action="store_true",
        help="on a 301/302/307/308 answer, POST the same envelope to its Location (at most 5 "
        "times; credential headers are not sent to another origin), as Graph does for a "
        "region-affinity 302",
    )
    p.set_defaults(handler=run)


def _parse_timeout(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise UsageError("--timeout", f"expected seconds, got {text!r}") from None
    if not 0 < value < float("inf"):
        raise UsageError("--timeout", f"must be more than 0, got {text!r}")
    return value


def _write(text: str) -> None:
    """Print one line now; a failed write stops the replay with one clear error."""
    try:
        print(text, flush=True)
    except OSError as exc:
        _drop_stdout()
        raise _OutputFailed(exc) from None


def _drop_stdout() -> None:
    """Point file descriptor 1 at /dev/null, so Python's flush at exit cannot fail again.

    Without it the text still buffered is flushed at exit, fails once more, and Python
    prints "Exception ignored" and exits 120.
    """
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return  # not a real file (a test's capture): nothing is flushed at exit
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, fd)
    finally:
        os.close(null)


def _print_delivery(delivery: Delivery) -> None:
    result = "skipped" if delivery.status is None else str(delivery.status)
    _write(f"line {delivery.line:<5} {result:<7} {delivery.reason}")


def _stdin() -> IO[bytes]:
    stream = sys.stdin
    if stream is None or getattr(stream, "buffer", None) is None:
        raise UsageError("TRACE", "standard input is closed: give a trace file, or pipe one in")
    buffer: IO[bytes] = stream.buffer
    return buffer


def run(args: argparse.Namespace) -> int:
    """Replay the trace, print each status and a summary; see the module for exit codes."""
    trace: str | IO[bytes] = _stdin() if args.trace == "-" else args.trace
    try:
        report = replay(
            trace,
            args.to,
            rate=args.rate,
            headers=args.header,
            timeout=args.timeout,
            follow_redirects=args.follow_redirects,
            on_delivery=_print_delivery,
        )
    except BotUnreachable as exc:
        print(f"callstate replay: error: {exc}", file=sys.stderr)
        return 1
    failed = report.failed
    summary = f"{report.sent} envelope{'s' if report.sent != 1 else ''} sent to {report.url}"
    summary += f", {report.sent - len(failed)} answered 2xx"
    if failed:
        summary += f", {len(failed)} not (lines {', '.join(str(d.line) for d in failed)})"
    if report.skipped:
        summary += f"; {report.skipped} request record{'s' if report.skipped != 1 else ''} skipped"
    if refused := report.refused:
        lines = ", ".join(str(d.line) for d in refused)
        summary += f"; {len(refused)} line{'s' if len(refused) != 1 else ''} too long to send "
        summary += f"(line{'s' if len(refused) != 1 else ''} {lines})"
    _write(summary)
    return 0 if report.ok else 1
