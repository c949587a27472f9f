"""``callstate validate``: check a JSON Lines trace of webhook bodies."""

from __future__ import annotations

import argparse
import sys
from typing import Any

import orjson

from callstate.verdict import Report, validate_path

__all__ = ["register"]


def register(sub: Any) -> None:
    """Add the ``validate`` command."""
    p = sub.add_parser(
        "validate",
        help="check a trace of Graph webhook bodies against the call machine",
        description="Check JSON Lines (one webhook body, bare notification or request record "
        "a line) against the call machine. Exit 0 when it conforms, 1 on any violation, "
        "2 on a usage error or an unreadable path.",
    )
    p.add_argument("path", nargs="?", default="-", help="trace file, or - for stdin (default)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--strict", action="store_true", help="every call must start at incoming")
    p.add_argument("--diagram", metavar="OUT", help="draw one call's path on the machine")
    p.add_argument(
        "--call", metavar="ID", help="the call to draw (default: first with a violation)"
    )
    p.set_defaults(handler=run)


def _text(report: Report) -> str:
    lines = [str(v) for v in report.violations]
    lines += [f"warning: {w}" for w in report.warnings]
    verdict = "OK" if report.ok else "FAILED"
    lines.append(
        f"{verdict}: {report.lines} lines, {report.notifications} notifications, "
        f"{report.calls} calls, {len(report.violations)} violations, "
        f"{len(report.warnings)} warnings"
    )
    return "\n".join(lines)


def _draw(args: argparse.Namespace) -> Report:
    """Validate while following one call, and draw its path to ``--diagram``."""
    from pathlib import Path

    from callstate.cli._diagram import _emit, _format
    from callstate.diagrams import follow_call, render_trace

    output = Path(args.diagram)
    followed = follow_call(args.path, call_id=args.call, strict=args.strict)
    fmt = _format(None, output)
    if fmt == "table":
        fmt = "svg"
    _emit(render_trace(followed.steps, call_id=followed.call_id, format=fmt), output, fmt)
    return followed.report


def run(args: argparse.Namespace) -> int:
    """Validate, print the report, optionally draw a call; exit 0, 1 or 2."""
    if args.call and not args.diagram:
        print("callstate validate: error: --call needs --diagram", file=sys.stderr)
        return 2
    try:
        report = _draw(args) if args.diagram else validate_path(args.path, strict=args.strict)
    except OSError as exc:
        print(
            f"callstate validate: error: cannot read {args.path}: {exc.strerror}", file=sys.stderr
        )
        return 2
    if args.format == "json":
        sys.stdout.buffer.write(orjson.dumps(report.to_json()) + b"\n")
    else:
        print(_text(report))
    return 0 if report.ok else 1
