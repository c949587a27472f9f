"""``callstate diagram``: draw the machine, keep ``diagrams/`` in sync, or draw a trace on it."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from callstate.diagrams import (
    FORMATS,
    TraceStep,
    check_committed,
    follow_call,
    render,
    render_trace,
    write_committed,
)
from callstate.diagrams._model import PARTS
from callstate.errors import UsageError

__all__ = ["diagram_format", "emit", "register", "run"]

_SUFFIXES = {".mmd": "mermaid", ".dot": "dot", ".svg": "svg", ".png": "png", ".md": "table"}
_COMMITTED_DIR = "diagrams"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``diagram`` command."""
    p = sub.add_parser(
        "diagram",
        help="draw the call machine (mermaid, dot, svg, png, Markdown table)",
        description=(
            "Draw the call state machine from its one definition. svg and png need the "
            "Graphviz 'dot' program; mermaid, dot and table need nothing."
        ),
    )
    p.add_argument(
        "--format",
        choices=FORMATS,
        help="output format (default: from the --output suffix, else mermaid)",
    )
    p.add_argument("-o", "--output", type=Path, help="write here instead of stdout")
    p.add_argument("--only", choices=PARTS, help="draw only this part of the machine")
    p.add_argument(
        "--write-all",
        nargs="?",
        const=_COMMITTED_DIR,
        metavar="DIR",
        help=f"rewrite every committed diagram in DIR (default: {_COMMITTED_DIR}) in one step",
    )
    p.add_argument(
        "--check",
        nargs="?",
        const=_COMMITTED_DIR,
        metavar="DIR",
        help=f"exit 1 naming every committed diagram in DIR (default: {_COMMITTED_DIR}) "
        "that differs from the definition",
    )
    p.add_argument("--trace", type=Path, metavar="PATH", help="draw one call of this trace")
    p.add_argument(
        "--call", metavar="ID", help="the call to draw (default: the first with a violation)"
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Draw, write all, check, or draw a trace, as the arguments ask."""
    if args.write_all is not None or args.check is not None:
        return _committed(args)
    if args.call is not None and args.trace is None:
        raise UsageError("--call", "needs --trace PATH")
    fmt = diagram_format(args.format, args.output)
    if args.trace is not None:
        if args.only is not None:
            raise UsageError("--only", "a trace is drawn on the whole machine")
        if fmt == "table":
            raise UsageError("--format", "a trace is drawn as mermaid, dot, svg or png")
        call_id, steps = _trace_steps(args.trace, args.call)
        drawn = render_trace(steps, call_id=call_id, format=fmt)
    else:
        drawn = render(format=fmt, only=args.only)
    emit(drawn, args.output, fmt)
    return 0


def _committed(args: argparse.Namespace) -> int:
    used = [name for name in ("format", "output", "only", "trace", "call") if getattr(args, name)]
    if used:
        raise UsageError(f"--{used[0]}", "cannot be combined with --write-all or --check")
    if args.write_all is not None and args.check is not None:
        raise UsageError("--write-all", "cannot be combined with --check")
    if args.write_all is not None:
        for path in write_committed(args.write_all):
            print(f"wrote {path}")
        return 0
    drifts = check_committed(args.check)
    for drift in drifts:
        print(f"{Path(args.check) / drift.name}: {drift.reason}", file=sys.stderr)
    if drifts:
        print(
            f"regenerate with: callstate diagram --write-all {args.check}",
            file=sys.stderr,
        )
        return 1
    print(f"every diagram in {args.check} matches the definition")
    return 0


def diagram_format(fmt: str | None, output: Path | None) -> str:
    """``--format``, else the format the ``--output`` suffix names (in any letter case),
    else mermaid; a suffix that names no format is a usage error, never a silent guess."""
    if fmt is not None:
        return fmt
    if output is None or not output.suffix:
        return "mermaid"
    found = _SUFFIXES.get(output.suffix.lower())
    if found is None:
        known = ", ".join(_SUFFIXES)
        raise UsageError(
            "--output",
            f"cannot tell a format from the suffix {output.suffix!r} of {output}: "
            f"use {known}, or give --format",
        )
    return found


def emit(drawn: str | bytes, output: Path | None, fmt: str) -> None:
    """Write a drawing to ``output`` (standard output when ``None``)."""
    data = drawn.encode("utf-8") if isinstance(drawn, str) else drawn
    if output is not None:
        try:
            output.write_bytes(data)
        except OSError as exc:
            raise UsageError("--output", f"cannot write {output}: {exc.strerror or exc}") from exc
        return
    if isinstance(drawn, bytes) and sys.stdout.isatty():
        raise UsageError(
            "--output", f"refusing to write binary {fmt} to a terminal; give --output PATH"
        )
    sys.stdout.buffer.write(data)
    sys.stdout.flush()


def _trace_steps(path: Path, call_id: str | None) -> tuple[str, Sequence[TraceStep]]:
    """The call to draw from the trace at ``path`` and its steps (see :func:`follow_call`)."""
    try:
        followed = follow_call(path, call_id=call_id)
    except OSError as exc:
        raise UsageError("--trace", f"cannot read {path}: {exc.strerror or exc}") from exc
    return followed.call_id, followed.steps
