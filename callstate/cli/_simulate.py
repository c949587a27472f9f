"""``callstate simulate``: a scenario's notifications, or a mix of many calls, as JSON Lines."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from itertools import islice
from typing import Any

from callstate.errors import UsageError
from callstate.simulate import EVERY_SCENARIO, OUTCOMES, jsonl, mix, simulate

__all__ = ["register", "run"]

# Lines written per ``write``: few system calls, yet the output streams.
_BATCH = 512


def register(sub: Any) -> None:
    """Add the ``simulate`` subcommand."""
    p = sub.add_parser(
        "simulate",
        help="print a simulated call's notifications (or a mix of calls) as JSON Lines",
        description=(
            "Print commsNotifications envelopes (and transfer request records) as JSON Lines, "
            "faithful to the call: transfer spec, with seeded documented freedoms: "
            "establishing/established order, where the media-inactive update falls, "
            "subcode/subCode, string codes and duplicate deliveries. "
            "--timed makes it the bot's timed log: every request the bot sends, with Graph's "
            "answer, and an RFC 3339 time on every line; --faults lets a call break a rule on "
            "purpose (a late answer, a forgotten keepAlive, a transfer in meeting mode). "
            "'mix' interleaves --calls N calls of every scenario and outcome."
        ),
    )
    p.add_argument(
        "scenario",
        metavar="SCENARIO",
        choices=(*EVERY_SCENARIO, "mix"),
        help=f"one of {', '.join(EVERY_SCENARIO)}, or mix",
    )
    p.add_argument(
        "--outcome",
        choices=OUTCOMES,
        help="how the call's transfers end: success (the last one completes, maybe after a "
        "failed one) or failure (none completes); default: success",
    )
    p.add_argument("--seed", type=int, default=0, help="seed of the variation (default: 0)")
    p.add_argument("--call-id", help="the call id (default: a uuid drawn from the seed)")
    p.add_argument("--calls", type=int, help="mix only: how many calls")
    p.add_argument(
        "--timed",
        action="store_true",
        help="the bot's timed log: its requests with Graph's answers, and a time on each line",
    )
    p.add_argument(
        "--faults",
        action="store_true",
        help="let the call break a rule on purpose: a late answer, a forgotten keepAlive, "
        "a transfer in meeting mode",
    )
    p.set_defaults(handler=run)


def _lines(args: argparse.Namespace) -> Iterator[bytes]:
    if args.scenario == "mix":
        if args.calls is None:
            raise UsageError("--calls", "mix needs the number of calls, as --calls N")
        for option, value in (
            ("--outcome", args.outcome),
            ("--call-id", args.call_id),
            ("--timed", args.timed or None),
            ("--faults", args.faults or None),
        ):
            if value is not None:
                raise UsageError(option, "applies to one scenario, not to mix")
        return mix(args.calls, seed=args.seed)
    if args.calls is not None:
        raise UsageError("--calls", "applies only to mix")
    outcome = args.outcome or "success"
    lines = simulate(
        args.scenario,
        outcome=outcome,
        seed=args.seed,
        call_id=args.call_id,
        timed=args.timed,
        faults=args.faults,
    )
    return jsonl(lines)


def run(args: argparse.Namespace) -> int:
    """Stream the lines to stdout; a closed pipe (``| head``) ends quietly."""
    lines = _lines(args)
    out = sys.stdout.buffer
    try:
        while batch := b"".join(islice(lines, _BATCH)):
            out.write(batch)
        out.flush()
    except BrokenPipeError:
        # Point stdout at devnull so the interpreter's final flush cannot fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    return 0
