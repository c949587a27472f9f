"""``callstate emulate``: serve Graph's calls API for a bot, offer it calls, judge what it does."""

from __future__ import annotations

import argparse
import asyncio
import math
import random
import sys
from typing import Any, Final
from urllib.parse import urlsplit

from callstate.errors import UsageError

__all__ = ["MAX_CALLS", "MAX_TIMEOUT", "register", "run"]

#: The most calls one run offers, and the longest it lasts (seconds): every run is bounded.
MAX_CALLS: Final = 1000
MAX_TIMEOUT: Final = 24 * 3600.0
# callstate.emulate's SITUATIONS (and mixed) and OUTCOMES, spelt here so that the parser is
# built without aiohttp (a test holds them equal).
_SITUATIONS: Final = ("peer-to-peer", "group", "meeting", "mixed")
_OUTCOMES: Final = ("success", "failure", "mixed")


def register(sub: Any) -> None:
    """Add the ``emulate`` subcommand."""
    p = sub.add_parser(
        "emulate",
        help="play Graph's calls API for a bot under test, and judge what it does",
        description=(
            "Serve the Graph calls API on http://HOST:PORT/v1.0 and /beta, offer --calls incoming "
            "calls to --bot, answer the bot's requests as Graph does (judged by the call machine: "
            "400 for a request the rules refuse, 404 on an ended call) and send the documented "
            "notifications, with seeded freedoms. When every call has ended, or --timeout passes, "
            "print a verdict. Exit 0 when the bot conformed, 1 when it did not, 2 for usage "
            "errors or a bot that cannot be reached. Needs callstate[emulate]."
        ),
    )
    p.add_argument("--bot", required=True, help="the bot's notification URL (its callback)")
    p.add_argument("--host", default="127.0.0.1", help="where to listen (default: 127.0.0.1)")
    p.add_argument("--port", type=int, default=0, help="where to listen; 0 picks a free port")
    p.add_argument("--calls", type=int, default=1, help=f"incoming calls to offer, 1..{MAX_CALLS}")
    p.add_argument(
        "--scenario",
        choices=_SITUATIONS,
        default=_SITUATIONS[0],
        help="the calls offered: peer-to-peer, group (meetingInfo, a roster of three), meeting "
        "(a peer-to-peer call that enters meeting mode: transfers fail 8523), or mixed",
    )
    p.add_argument(
        "--outcome",
        choices=_OUTCOMES,
        default=_OUTCOMES[0],
        help="how transfers end: success, failure, or mixed (each call draws one)",
    )
    p.add_argument("--seed", type=int, default=0, help="seed of the freedoms (default: 0)")
    p.add_argument("--record", metavar="PATH", help="write the exchange as a timed trace")
    p.add_argument(
        "--timeout",
        type=float,
        default=60.0,
        help="seconds to run at most (default: 60); calls still live then are reported",
    )
    p.set_defaults(handler=run)


def _check(args: argparse.Namespace) -> None:
    if not 1 <= args.calls <= MAX_CALLS:
        raise UsageError("calls", f"expected 1 to {MAX_CALLS}, got {args.calls}")
    if not math.isfinite(args.timeout) or not 0 < args.timeout <= MAX_TIMEOUT:
        raise UsageError("timeout", f"expected seconds in (0, {MAX_TIMEOUT:g}], got {args.timeout}")
    bot = urlsplit(args.bot)
    if bot.scheme not in ("http", "https") or not bot.hostname:
        raise UsageError("bot", f"expected an http or https URL, got {args.bot!r}")


async def _serve(args: argparse.Namespace) -> int:
    from callstate.emulate import Emulator, Recorder, draw

    emulator = Emulator(
        bot=args.bot,
        host=args.host,
        port=args.port,
        recorder=Recorder(args.record),
        seed=args.seed,
    )
    base = await emulator.start()
    try:
        print(f"serving {base}", flush=True)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + args.timeout
        rng = random.Random(args.seed)
        for _ in range(args.calls):
            await emulator.offer(draw(rng, situation=args.scenario, outcome=args.outcome))
            if emulator.unreachable is not None:
                raise UsageError("bot", f"cannot reach the bot at {emulator.unreachable}")
        while not emulator.done() and loop.time() < deadline:
            await asyncio.sleep(0.05)
    finally:
        await emulator.stop()
    verdict = emulator.registry.verdict()
    sys.stdout.write("".join(f"{line}\n" for line in verdict.lines()))
    return verdict.exit_code


def run(args: argparse.Namespace) -> int:
    """Serve, offer the calls, and print the verdict; its exit status."""
    _check(args)
    return asyncio.run(_serve(args))
