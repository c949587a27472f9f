"""``callstate validate``: check JSON Lines traces of webhook bodies, findings streamed out."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any, Final

from callstate.cli._formats import STREAMING, Formatter, Summary
from callstate.cli._output import Output, escape, plural, stdout, whole_number, window
from callstate.cli._trace_inputs import TraceInput, expand, head, jsonl_hint
from callstate.errors import UsageError
from callstate.machine.definition import CALL_MACHINE
from callstate.verdict import Finding, Report, Violation, validate_path
from callstate.verdict.report import jobs_asked

__all__ = ["FORMATS", "register", "run"]

#: Every ``--format``; ``github`` is the default under GitHub Actions, ``text`` elsewhere.
FORMATS: Final = ("text", "json", "jsonl", "github", "junit", "sarif")
_PROG: Final = "callstate validate"
#: The rule of an input that holds no notification (see ``--allow-empty``).
EMPTY_RULE: Final = "empty-trace"


def register(sub: Any) -> None:
    """Add the ``validate`` command."""
    p = sub.add_parser(
        "validate",
        help="check a trace of Graph webhook bodies against the call machine",
        description="Check JSON Lines traces (one webhook body, bare notification or request "
        "record a line; .gz read as is) against the call machine, each input on its own. "
        "Exit 0 when every input conforms, 1 on any violation (an input with no "
        "notification included), 2 on a usage error or an unreadable input, 141 when the "
        "output is closed early.",
    )
    p.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="trace files or globs ('logs/*.jsonl.gz'); - or none reads stdin",
    )
    p.add_argument(
        "--format",
        choices=FORMATS,
        help="output format (default: github when GITHUB_ACTIONS=true, else text)",
    )
    p.add_argument("--strict", action="store_true", help="every call must start at incoming")
    p.add_argument(
        "--require-requests",
        action="store_true",
        help="report a transfer no request announced (for bots that log their requests)",
    )
    p.add_argument(
        "--window",
        action="append",
        type=window,
        default=[],
        metavar="NAME=SECONDS",
        help="override a timeout's window, e.g. answer=5 for policy-based recording "
        f"(timeouts: {', '.join(t.name for t in CALL_MACHINE.timeouts)})",
    )
    p.add_argument(
        "--allow-empty",
        action="store_true",
        help="an input with no notification passes (by default it fails: a silent producer)",
    )
    p.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="text: no finding lines, only the summary; text and github: no summary "
        "when every input conforms (so no output at all for text)",
    )
    p.add_argument(
        "--max-findings",
        type=whole_number,
        metavar="N",
        help="list at most N findings (default: all for text, jsonl and github; "
        "10000 for json, junit and sarif); the counts by rule stay complete",
    )
    p.add_argument(
        "--jobs",
        type=_processes,
        default=1,
        metavar="N",
        help="spread the calls over N worker processes, each tracking the calls whose id "
        "hashes to it (limits hold per worker; the output is the same as one process's, "
        "written when all are done); stdin, .gz input and --diagram use one process "
        "(default: 1)",
    )
    p.add_argument("--diagram", metavar="OUT", help="draw one call's path on the machine")
    p.add_argument(
        "--call", metavar="ID", help="the call to draw (default: first with a violation)"
    )
    p.set_defaults(handler=run)


def _processes(text: str) -> int:
    """An argparse type: a number of processes, as :func:`validate_path` takes them."""
    try:
        return jobs_asked(int(text))
    except UsageError as exc:
        raise argparse.ArgumentTypeError(exc.message) from None
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None


def _format(chosen: str | None) -> str:
    if chosen is not None:
        return chosen
    return "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"


def _formatter(args: argparse.Namespace, out: Output) -> Formatter:
    fmt = _format(args.format)
    make = STREAMING.get(fmt)
    if make is None:
        # The whole-document formats need xml and the catalogue: imported only for them.
        from callstate.cli._documents import DOCUMENTS

        make = DOCUMENTS[fmt]
    return make(out, quiet=args.quiet, max_findings=args.max_findings)


def _draw(args: argparse.Namespace, trace: TraceInput) -> Report:
    """Validate while following one call, and draw its path to ``--diagram``."""
    from pathlib import Path

    from callstate.cli._diagram import diagram_format, emit
    from callstate.diagrams import follow_call, render_trace

    output = Path(args.diagram)
    followed = follow_call(trace.path, call_id=args.call, strict=args.strict)
    fmt = diagram_format(None, output)
    if fmt == "table":
        fmt = "svg"
    emit(render_trace(followed.steps, call_id=followed.call_id, format=fmt), output, fmt)
    return followed.report


class _Input:
    """One input being validated: forwards findings, remembers the first for the hint."""

    def __init__(self, trace: TraceInput, formatter: Formatter) -> None:
        self.trace = trace
        self.formatter = formatter
        self.first: Finding | None = None

    def __call__(self, finding: Finding) -> None:
        if self.first is None:
            self.first = finding
        self.formatter.finding(self.trace.name, finding)

    def validate(self, args: argparse.Namespace) -> Report:
        if not args.diagram:
            return validate_path(
                self.trace.path,
                strict=args.strict,
                on_finding=self,
                require_requests=args.require_requests,
                timeouts=dict(args.window) or None,
                jobs=args.jobs,
            )
        report = _draw(args, self.trace)
        found: list[Finding] = [*report.violations, *report.warnings]
        for finding in sorted(found, key=lambda f: (f.line is None, f.line or 0)):
            self(finding)
        return report

    def hint(self, start: bytes | None) -> str | None:
        first = self.first
        if first is None or first.rule != "malformed":
            return None
        return jsonl_hint(self.trace, head(self.trace) if start is None else start, first.line)


def _empty(trace: TraceInput, report: Report) -> Violation:
    """The violation of an input with no notification, counted into its report."""
    report.counts[EMPTY_RULE] = report.counts.get(EMPTY_RULE, 0) + 1
    report.violation_count += 1
    where = "standard input" if trace.is_stdin else "the input"
    return Violation(
        line=None,
        call_id=None,
        rule=EMPTY_RULE,
        message=f"{where} holds no notification ({plural(report.lines, 'line')} read); "
        "pass --allow-empty if an empty trace is expected",
    )


def _add(summary: Summary, report: Report) -> None:
    summary.files += 1
    summary.lines += report.lines
    summary.notifications += report.notifications
    summary.calls += report.calls
    summary.violations += report.violation_count
    summary.warnings += report.warning_count
    for rule, count in report.counts.items():
        summary.counts[rule] = summary.counts.get(rule, 0) + count


def _say(kind: str, message: str) -> None:
    print(f"{_PROG}: {kind}: {message}", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    """Validate each input, stream the findings, print the totals; exit 0, 1 or 2."""
    if args.call and not args.diagram:
        _say("error", "--call needs --diagram")
        return 2
    inputs = expand(args.paths)
    if args.diagram and len(inputs) != 1:
        raise UsageError("--diagram", f"draws a call of one trace, not of {len(inputs)}")
    out = stdout()
    formatter = _formatter(args, out)
    summary = Summary()
    read: list[str] = []
    for trace in inputs:
        start = None
        if trace.is_stdin:
            if sys.stdin.isatty():
                _say(
                    "hint", "reading a trace from the terminal: end it with Ctrl-D, or give a PATH"
                )
            else:
                start = head(trace)
        current = _Input(trace, formatter)
        try:
            report = current.validate(args)
        except OSError as exc:
            if out.failed:
                raise
            reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
            _say("error", f"cannot read {escape(trace.path)}: {reason}")
            summary.unreadable += 1
            continue
        if report.notifications == 0 and not args.allow_empty:
            formatter.finding(trace.name, _empty(trace, report))
        if report.unsplit_line is not None:
            _say(
                "hint",
                f"--jobs: line {report.unsplit_line} of {escape(trace.name)} names calls of "
                "two workers, so it was validated in one process",
            )
        if (hint := current.hint(start)) is not None:
            _say("hint", escape(hint))
        _add(summary, report)
        read.append(trace.name)
        formatter.end_input(trace.name, report)
    if summary.files:  # nothing read, nothing to sum up: the error lines say it all
        formatter.finish(summary, read)
    out.flush()
    if summary.unreadable:
        return 2
    return 0 if summary.ok else 1
