"""``callstate explore``: exhaustive exploration of the call machine, coverage and invariants."""

from __future__ import annotations

import argparse
import sys
from typing import Any

import orjson

from callstate.explore import DEFAULT_DEPTH, Exploration, explore, transition_label
from callstate.machine.definition import CALL_MACHINE

__all__ = ["register", "run"]


def _depth(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {value}")
    return value


def register(sub: Any) -> None:
    """Add the ``explore`` command to the ``callstate`` parser."""
    p = sub.add_parser(
        "explore",
        help="explore every state and notification of the call machine, check its invariants",
        description=(
            "Breadth-first exploration of the call machine: every notification tried in every "
            "reachable state, the shortest path to every state and transition, coverage, and "
            "every invariant with its shortest counterexample. Exits 1 if an invariant fails."
        ),
    )
    p.add_argument(
        "--depth",
        type=_depth,
        default=DEFAULT_DEPTH,
        metavar="N",
        help=f"longest path explored, in notifications (default {DEFAULT_DEPTH})",
    )
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Explore, print the report, and return 1 if any invariant fails."""
    exploration = explore(CALL_MACHINE, depth=args.depth)
    if args.format == "json":
        sys.stdout.write(orjson.dumps(exploration.to_json()).decode() + "\n")
    else:
        sys.stdout.write(render_text(exploration))
    return 0 if exploration.ok else 1


def render_text(exploration: Exploration) -> str:
    """The exploration as a report for a person."""
    d = exploration.definition
    lines = [
        f"{d.name} machine explored to depth {exploration.depth}",
        f"  states       {len(exploration.reachable)}/{len(d.states)} reachable",
        f"  transitions  {exploration.covered}/{len(d.transitions)} covered",
        f"  tried        {exploration.tried} (state, notification) pairs, "
        f"{exploration.accepted} accepted, {exploration.tried - exploration.accepted} refused",
    ]
    if exploration.unreached:
        lines.append(f"  unreached    {', '.join(exploration.unreached)}")
    lines += [f"  uncovered    {transition_label(d, t)}" for t in exploration.uncovered]
    failed = sum(not r.holds for r in exploration.invariants)
    lines.append(f"invariants ({len(exploration.invariants) - failed} hold, {failed} fail)")
    for result in exploration.invariants:
        lines.append(f"  {'holds' if result.holds else 'FAILS'}  {result.name}")
        if result.counterexample is not None:
            lines += [f"           {n}. {step}" for n, step in enumerate(result.counterexample, 1)]
    return "\n".join(lines) + "\n"
