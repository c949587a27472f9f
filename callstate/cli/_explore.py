"""``callstate explore``: exhaustive exploration of the call machine, coverage and invariants."""

from __future__ import annotations

import argparse
import sys
from typing import Any

import orjson

from callstate.errors import UsageError
from callstate.explorer import (
    DEFAULT_DEPTH,
    Exploration,
    explore,
    export_paths,
    path_calls,
    transition_label,
)
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
    p.add_argument(
        "--export-paths",
        metavar="PATH",
        help="write the shortest path to every covered transition as JSON Lines of "
        "notifications, one call per transition and marker",
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Explore, print the report, and return 1 if any invariant fails."""
    exploration = explore(CALL_MACHINE, depth=args.depth)
    written = None if args.export_paths is None else _export(exploration, args.export_paths)
    if args.format == "json":
        sys.stdout.write(orjson.dumps(exploration.to_json()).decode() + "\n")
    else:
        sys.stdout.write(render_text(exploration))
        if written is not None:
            print(written)
    return 0 if exploration.ok else 1


def render_text(exploration: Exploration) -> str:
    """The exploration as a report for a person."""
    d = exploration.definition
    lines = [
        f"{d.name} machine explored to depth {exploration.depth}",
        f"  states       {len(exploration.reachable)}/{len(d.states)} reachable",
        f"  transitions  {exploration.covered}/{len(d.transitions)} covered",
        f"  requests     {len(exploration.request_paths)}/{exploration.requests_total} "
        "(state, request) pairs covered",
        f"  tried        {exploration.tried} (state, notification) pairs, "
        f"{exploration.accepted} accepted, {exploration.tried - exploration.accepted} refused",
    ]
    if exploration.unreached:
        lines.append(f"  unreached    {', '.join(exploration.unreached)}")
    lines += [f"  uncovered    {transition_label(d, t)}" for t in exploration.uncovered]
    lines.append("shortest paths")
    for state, path in exploration.state_paths.items():
        shown = " -> ".join(step.signal for step in path) or "(the initial state)"
        lines.append(f"  {state:<17} {shown}")
    failed = sum(not r.holds for r in exploration.invariants)
    open_ = sum(r.holds and r.undecided is not None for r in exploration.invariants)
    held = len(exploration.invariants) - failed - open_
    lines.append(
        f"invariants ({held} hold, {failed} fail"
        + (f", {open_} undecided within depth {exploration.depth})" if open_ else ")")
    )
    for result in exploration.invariants:
        word = "FAILS" if not result.holds else "open " if result.undecided else "holds"
        lines.append(f"  {word}  {result.name}")
        if result.counterexample is not None:
            lines += [f"           {n}. {step}" for n, step in enumerate(result.counterexample, 1)]
        elif result.undecided is not None:
            lines += [f"           {why}" for why in result.undecided]
    return "\n".join(lines) + "\n"


def _export(exploration: Exploration, path: str) -> str:
    """Write the paths to ``path``; returns the line that says what was written."""
    try:
        with open(path, "wb") as out:
            lines = sum(1 for line in export_paths(exploration) if out.write(line))
    except OSError as exc:
        raise UsageError("--export-paths", f"cannot write {path}: {exc.strerror}") from None
    return f"wrote {len(path_calls(exploration))} calls ({lines} notifications) to {path}"
