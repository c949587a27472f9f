"""Each call's story, one step a line: the answer to "why did my call end?".

:func:`read_stories` runs a trace through the :class:`~callstate.Tracker` (its
verdict, its limits, its messages) and tells, for each call, every line that spoke
of it: the time when the line carries one, the state change, the result code with
the meaning Graph documents for it (:func:`callstate.facts.meaning`) and the
findings. ``callstate show`` prints the stories; :func:`render_report` (``callstate
report``) makes one self-contained HTML page of them, each broken call's path drawn.

Timed lines, ``{"at": "<RFC 3339>", "body": <webhook body>}`` and request records
with an ``"at"``, are read here: the body goes to the tracker, the time to the story.
"""

from __future__ import annotations

import sys
from pathlib import Path

import attrs

from callstate.errors import CallstateError, UsageError
from callstate.machine.definition import CALL_MACHINE, MachineDefinition
from callstate.story._collect import Collector, CountingSink
from callstate.story._lines import StoryLines
from callstate.story._records import CallStory, StoryStep
from callstate.verdict import Finding, Report, Tracker, Violation
from callstate.verdict._input import Gunzipped, trace_stream

__all__ = ["MAX_DRAWN", "CallStory", "Stories", "StoryStep", "read_stories", "render_report"]

#: Findings about no call (malformed lines) kept for the story; the rest are counted.
MAX_STRAY = 1000
#: Calls whose path :func:`render_report` draws, by default (each is one run of Graphviz).
MAX_DRAWN = 20


@attrs.frozen(kw_only=True)
class Stories:
    """The stories of a trace's calls, the report on the whole trace, and the rest.

    ``report`` has complete counts (``counts``, ``violation_count``...) but no
    finding lists: each finding is on its call's story, or in ``stray`` when it is
    about no call (the first :data:`MAX_STRAY`; ``stray_count`` counts them all).
    """

    calls: tuple[CallStory, ...]
    report: Report
    stray: tuple[Finding, ...] = ()
    stray_count: int = 0

    def call(self, call_id: str) -> CallStory:
        """The story of ``call_id``; ``KeyError`` if the trace never spoke of it."""
        for story in self.calls:
            if story.call_id == call_id:
                return story
        raise KeyError(call_id)


def read_stories(
    trace: str | Path,
    *,
    call_id: str | None = None,
    strict: bool = False,
    definition: MachineDefinition | None = None,
) -> Stories:
    """The story of every call in ``trace`` (``-`` is standard input), or only ``call_id``'s.

    The trace is streamed (gzip and a UTF-8 BOM are read as ``validate`` reads them);
    the stories are held, so memory follows the lines that speak of the calls told:
    pass ``call_id`` for one call of a long trace. ``OSError`` propagates for a trace
    that cannot be read; a ``call_id`` the trace never names is a :class:`CallstateError`.
    """
    if call_id is not None and type(call_id) is not str:
        raise UsageError("call_id", "must be a string")
    machine = CALL_MACHINE if definition is None else definition
    collector = Collector(machine, call_id=call_id, max_stray=MAX_STRAY)
    tracker = Tracker(definition=machine, strict=strict, on_step=collector.step)
    report = Report()
    found = CountingSink(report, collector)
    if str(trace) == "-":
        lines = _read(tracker, sys.stdin.buffer, found, collector, machine)
    else:
        with open(trace, "rb") as raw:
            lines = _read(tracker, raw, found, collector, machine)
    collector.end_of_input(tracker.finish(line=lines or None), found, lines or None)
    report.lines = lines
    report.notifications = tracker.notifications
    report.calls = tracker.calls_started
    stories = collector.stories()
    if call_id is not None and not stories:
        raise CallstateError(f"{trace}: the trace never speaks of call {call_id}")
    return Stories(
        calls=tuple(stories),
        report=report,
        stray=tuple(collector.stray),
        stray_count=collector.stray_count,
    )


def _read(
    tracker: Tracker,
    raw: object,
    found: CountingSink,
    collector: Collector,
    definition: MachineDefinition,
) -> int:
    stream = trace_stream(raw)  # type: ignore[arg-type]
    lines = StoryLines(stream, collector, definition)
    count = tracker.read_stream(lines, found)  # type: ignore[arg-type]
    collector.close()
    if isinstance(stream, Gunzipped) and stream.error is not None:
        count += 1
        collector.begin(count, None, [])
        found.append(Violation(line=count, call_id=None, rule="malformed", message=stream.error))
    return count


def render_report(
    stories: Stories,
    *,
    name: str,
    max_drawn: int = MAX_DRAWN,
    definition: MachineDefinition | None = None,
) -> str:
    """One self-contained HTML page: the summary by rule, then each call with a violation,
    its timeline and its path drawn on the machine (inline SVG), then the other calls.

    The page fetches nothing (inline style, no script, a Content-Security-Policy that
    forbids fetches). Without Graphviz ``dot`` each path is Mermaid text and the page
    says so. At most ``max_drawn`` paths are drawn; ``name`` names the trace.
    """
    if type(max_drawn) is not int or max_drawn < 0:
        raise UsageError("max_drawn", f"must be a whole number >= 0, got {max_drawn!r}")
    from callstate import __version__
    from callstate.story._page import render_page

    report = stories.report
    return render_page(
        stories.calls,
        name=name,
        counts=dict(report.counts),
        totals=(
            report.lines,
            report.notifications,
            report.calls,
            report.violation_count,
            report.warning_count,
        ),
        stray=stories.stray,
        stray_count=stories.stray_count,
        definition=CALL_MACHINE if definition is None else definition,
        max_drawn=max_drawn,
        version=__version__,
    )
