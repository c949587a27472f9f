"""``callstate report``: one self-contained HTML page of a trace, for people and CI artefacts.

Only argument handling and writing live here; :func:`callstate.story.render_report`
makes the page.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from callstate.cli._output import stdout, whole_number
from callstate.errors import UsageError
from callstate.story import MAX_DRAWN, read_stories, render_report

__all__ = ["register", "run"]


def register(sub: Any) -> None:
    """Add the ``report`` command."""
    p = sub.add_parser(
        "report",
        help="write one self-contained HTML page of a trace: findings by rule, broken calls",
        description="Write one HTML page that needs nothing else (no network, no script): "
        "the findings by rule, each call with a violation with its timeline and its path "
        "drawn on the machine (inline SVG; Mermaid text when Graphviz is missing), and the "
        "other calls. Exit 0 when no call shown breaks a rule, 1 when one does, 2 on a "
        "usage error or an unreadable trace.",
    )
    p.add_argument("trace", metavar="TRACE", help="the trace (- reads stdin; .gz read as is)")
    p.add_argument("-o", "--output", type=Path, help="write the page here (default: stdout)")
    p.add_argument("--call", metavar="ID", help="report only this call")
    p.add_argument("--strict", action="store_true", help="every call must start at incoming")
    p.add_argument(
        "--max-drawn",
        type=whole_number,
        default=MAX_DRAWN,
        metavar="N",
        help=f"draw the paths of at most N calls (default {MAX_DRAWN}; each runs Graphviz)",
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Read the stories, write the page; exit 1 when a call reported has a violation."""
    if args.output is not None and args.output.suffix.lower() not in (".html", ".htm"):
        raise UsageError("--output", f"the page is HTML: name it .html, not {args.output.name}")
    try:
        stories = read_stories(args.trace, call_id=args.call, strict=args.strict)
    except OSError as exc:
        raise UsageError("TRACE", f"cannot read {args.trace}: {exc.strerror or exc}") from exc
    page = render_report(stories, name=str(args.trace), max_drawn=args.max_drawn)
    data = page.encode("utf-8", "backslashreplace")
    if args.output is None:
        out = stdout()
        out.write(data)
        out.flush()
    else:
        try:
            args.output.write_bytes(data)
        except OSError as exc:
            raise UsageError(
                "--output", f"cannot write {args.output}: {exc.strerror or exc}"
            ) from exc
    broken = any(story.violations for story in stories.calls)
    return 1 if broken or (args.call is None and stories.report.violation_count) else 0
