"""``callstate replay``: POST a recorded trace to a bot's webhook, in order and paced.

Exit codes: 0 when the bot answered every envelope with 2xx; 1 when it answered
any with something else, a line was too long to send, or the bot could not be
reached or gave no complete answer in time (the replay stops there); 2 for a usage
error, a trace that cannot be read (standard input closed included) or output that
cannot be written (``/dev/full``, ``>&-``): the replay stops there too. Each failure
is one line on standard error. A write to standard output that fails is left to the
dispatcher, as for every command: it points stdout at /dev/null, prints the one
line and exits 2, or 141 for a closed pipe (``| head``), so replay and the other
commands cannot disagree.
"""

from __future__ import annotations

import argparse
import sys
from typing import IO, Any

from callstate.errors import UsageError
from callstate.replay import BotUnreachable, Delivery, parse_header, parse_rate, replay

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
            "unreadable trace or unwritable output; 141 when the output is closed early "
            "(| head)."
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
    """Print one line now: a failed write stops the replay, and the dispatcher reports it."""
    print(text, flush=True)


def _print_delivery(delivery: Delivery) -> None:
    result = "skipped" if delivery.status is None else str(delivery.status)
    _write(f"line {delivery.line:<5} {result:<7} {delivery.reason}")


def _stdin() -> IO[bytes]:
    """Standard input as bytes, tried before anything is sent.

    Closed (``<&-``), it is one error worded as every command words it,
    ``TRACE: cannot read -: standard input is closed``. Peeking consumes nothing.
    """
    buffer: IO[bytes] | None = getattr(sys.stdin, "buffer", None)
    if buffer is None:
        raise UsageError("TRACE", "cannot read -: standard input is closed")
    peek = getattr(buffer, "peek", None)
    if peek is not None:
        try:
            peek(1)
        except (OSError, ValueError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc)
            raise UsageError("TRACE", f"cannot read -: {reason}") from None
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
