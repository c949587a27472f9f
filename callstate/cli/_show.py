"""``callstate show``: each call's story, one line a step, ending with how the call ended.

Only formatting lives here; :func:`callstate.story.read_stories` tells the stories.
Every text from the trace is escaped, so one holding a newline (a termination reason)
cannot forge a line.
"""

from __future__ import annotations

import argparse
from typing import Any, Final

import orjson

from callstate.cli._output import Output, escape, plural, stdout
from callstate.errors import UsageError
from callstate.story import CallStory, Stories, StoryStep, read_stories
from callstate.verdict import Finding

__all__ = ["FORMATS", "register", "run", "step_text"]

FORMATS: Final = ("text", "json")
#: A transition column wider than this is not padded to: one odd line cannot widen all.
_WIDEST: Final = 40


def register(sub: Any) -> None:
    """Add the ``show`` command."""
    p = sub.add_parser(
        "show",
        help="tell each call's story, one line a step: why did my call end?",
        description="Tell each call of a JSON Lines trace, one line a step: the line number, "
        'the time (timed lines: {"at": "<RFC 3339>", "body": {...}}), the state change, '
        "the result code with its documented meaning, and the findings; the last line of "
        "each story says how the call ended. Exit 0 when no call shown breaks a rule, 1 "
        "when one does, 2 on a usage error or an unreadable trace.",
    )
    p.add_argument("trace", metavar="TRACE", help="the trace (- reads stdin; .gz read as is)")
    p.add_argument("--call", metavar="ID", help="tell only this call's story")
    p.add_argument("--strict", action="store_true", help="every call must start at incoming")
    p.add_argument("--format", choices=FORMATS, default="text", help="output format")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Read the stories and print them; exit 1 when a story shown has a violation."""
    try:
        stories = read_stories(args.trace, call_id=args.call, strict=args.strict)
    except OSError as exc:
        raise UsageError("TRACE", f"cannot read {args.trace}: {exc.strerror or exc}") from exc
    out = stdout()
    if args.format == "json":
        out.write(orjson.dumps(_json(stories, whole=args.call is None)) + b"\n")
    else:
        _text(out, stories, whole=args.call is None)
    out.flush()
    broken = any(story.violations for story in stories.calls)
    return 1 if broken or (args.call is None and stories.report.violation_count) else 0


# -- text -----------------------------------------------------------------------------


def finding_text(finding: Finding) -> str:
    """``violation: message [rule]``, escaped."""
    return f"{finding.severity}: {escape(finding.message)} [{escape(finding.rule)}]"


def step_text(step: StoryStep, *, widths: tuple[int, int, int] = (0, 0, 0)) -> str:
    """One story line: line number, time, change type, transition, result, findings."""
    line_w, at_w, move_w = widths
    where = "end" if step.line is None or step.what == "end of input" else f"line {step.line}"
    cells = [where.ljust(line_w)]
    if at_w:
        cells.append(escape(step.at or "").ljust(at_w))
    cells.append(escape(step.change or "").ljust(7))
    cells.append(escape(step.transition).ljust(move_w))
    tail = [t for t in (escape(step.result_meaning), *map(finding_text, step.findings)) if t]
    return "  ".join([*cells, *tail]).rstrip()


def _widths(story: CallStory) -> tuple[int, int, int]:
    lines = max(len(f"line {s.line}") for s in story.steps)
    times = max((len(escape(s.at)) for s in story.steps if s.at), default=0)
    moves = max(len(escape(s.transition)) for s in story.steps)
    return lines, times, min(moves, _WIDEST)


def _header(story: CallStory) -> str:
    counts = [plural(len(story.steps), "step")]
    if story.violations:
        counts.append(plural(len(story.violations), "violation"))
    return f"call {escape(story.call_id)} ({', '.join(counts)})"


def _text(out: Output, stories: Stories, *, whole: bool) -> None:
    for number, story in enumerate(stories.calls):
        if number:
            out.line("")
        out.line(_header(story))
        widths = _widths(story)
        for step in story.steps:
            out.line("  " + step_text(step, widths=widths))
        out.line(f"  => {escape(story.outcome)}")
    if whole and stories.stray:
        out.line("")
        out.line("lines about no call")
        for finding in stories.stray:
            where = f"line {finding.line}" if finding.line is not None else "end"
            out.line(f"  {where}  {finding_text(finding)}")
        more = stories.stray_count - len(stories.stray)
        if more:
            out.line(f"  and {plural(more, 'more finding')}")
    if whole:
        report = stories.report
        ended = sum(1 for s in stories.calls if s.ending is not None)
        out.line("")
        out.line(
            f"{plural(len(stories.calls), 'call')} ({ended} ended), "
            f"{plural(report.violation_count, 'violation')}, "
            f"{plural(report.warning_count, 'warning')}"
        )


# -- json -----------------------------------------------------------------------------


def _json(stories: Stories, *, whole: bool) -> dict[str, Any]:
    data: dict[str, Any] = {"calls": [s.to_json() for s in stories.calls]}
    if whole:
        data |= {
            "counts": dict(stories.report.counts),
            "stray": [dict(f.to_json(), severity=f.severity) for f in stories.stray],
            "strayCount": stories.stray_count,
        }
    return data
