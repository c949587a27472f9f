"""One self-contained HTML page of a trace: the summary by rule, and each broken call's story.

Nothing is fetched: the style is inline, there is no script, each call's path is an
inline SVG, and a Content-Security-Policy forbids every fetch. Without Graphviz the
paths are shown as Mermaid text, and the page says so. Every text from the trace
is escaped (control characters shown, then HTML-escaped).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

from callstate.diagrams import GraphvizMissing, TraceStep, render_trace
from callstate.errors import CallstateError
from callstate.machine.definition import MachineDefinition
from callstate.rules import catalogue
from callstate.story._page_style import STYLE
from callstate.story._records import CallStory
from callstate.verdict import Finding

__all__ = ["render_page", "trace_steps"]

_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
_PROLOG = re.compile(r"\A.*?(?=<svg\b)", re.S)
_ID = re.compile(r'\b(id|href|xlink:href)="(#?)([^"]*)"')


def _text(value: object) -> str:
    """Text for the page: control characters shown escaped, then HTML-escaped."""
    from callstate.cli._output import escape

    return html.escape(escape(str(value)))


def trace_steps(story: CallStory, end_state: str) -> list[TraceStep]:
    """The story as steps to draw: each step the machine took, and each violation in place."""
    steps: list[TraceStep] = []
    for record in story.steps:
        first = record.violations[0] if record.violations else None
        if not record.moved and first is None:
            continue
        rule = None if first is None else first.rule
        message = "" if first is None else first.message
        if record.moved and record.dest is not None:
            steps.append(
                TraceStep(
                    len(steps) + 1,
                    record.line,
                    record.source,
                    record.dest,
                    record.event,
                    rule,
                    message,
                    record.kind,
                )
            )
        else:
            at = record.dest or record.source or end_state
            steps.append(TraceStep(len(steps) + 1, record.line, at, at, None, rule, message))
    return steps


class _Drawing:
    """Each call's path, drawn as SVG, or as Mermaid text when Graphviz is missing."""

    def __init__(self, definition: MachineDefinition, *, limit: int) -> None:
        self._definition = definition
        self._end = definition.ended or min(definition.final, default="")
        self._limit = limit
        self.drawn = 0
        self.missing = False

    def figure(self, story: CallStory, number: int) -> str:
        steps = trace_steps(story, self._end)
        if not steps:
            return '<p class="note">No step to draw.</p>'
        if self.drawn >= self._limit:
            return (
                f'<p class="note">Not drawn: the page draws at most {self._limit} calls '
                "(--max-drawn).</p>"
            )
        self.drawn += 1
        if not self.missing:
            try:
                svg = render_trace(
                    steps, call_id=story.call_id, format="svg", definition=self._definition
                )
            except GraphvizMissing:
                self.missing = True
            except CallstateError as exc:
                return f'<p class="note">Not drawn: {_text(exc)}</p>'
            else:
                return f'<figure class="path">{_inline(svg, f"c{number}-")}</figure>'
        text = render_trace(
            steps, call_id=story.call_id, format="mermaid", definition=self._definition
        )
        lines = "\n".join(_text(line) for line in text.splitlines())
        return (
            '<figure class="path"><figcaption>The path as Mermaid text (Graphviz is not '
            f'installed here):</figcaption><pre class="mermaid-text">{lines}</pre></figure>'
        )


def _inline(svg: str, prefix: str) -> str:
    """An SVG document as an element of the page: no prolog or doctype, ids made unique."""
    body = _PROLOG.sub("", svg, count=1)
    return _ID.sub(lambda m: f'{m[1]}="{m[2]}{prefix}{m[3]}"', body)


def _rows(cells: Iterable[str]) -> str:
    return "".join(f"<td>{c}</td>" for c in cells)


def _findings(findings: Iterable[Finding]) -> str:
    items = [
        f'<li class="{_text(f.severity)}"><span class="rule">{_text(f.rule)}</span> '
        f"{_text(f.message)}</li>"
        for f in findings
    ]
    return f'<ul class="findings">{"".join(items)}</ul>' if items else ""


def _timeline(story: CallStory) -> str:
    timed = any(s.at for s in story.steps)
    head = ["Line", *(["Time"] if timed else []), "Change", "Step", "Result", "Findings"]
    rows = []
    for step in story.steps:
        where = "end" if step.what == "end of input" or step.line is None else str(step.line)
        cells = [where, *([_text(step.at or "")] if timed else [])]
        cells += [
            _text(step.change or ""),
            _text(step.transition),
            _text(step.result_meaning),
            _findings(step.findings),
        ]
        css = "broken" if step.violations else ("moved" if step.moved else "same")
        rows.append(f'<tr class="{css}">{_rows(cells)}</tr>')
    header = "".join(f"<th>{h}</th>" for h in head)
    return (
        f'<table class="timeline"><thead><tr>{header}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _summary(
    counts: dict[str, int], severities: dict[str, str], definition: MachineDefinition
) -> str:
    if not counts:
        return '<p class="ok">No finding: every line conforms.</p>'
    rules = catalogue(definition).by_id
    rows = []
    for rule_id, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        rule = rules.get(rule_id)
        severity = severities.get(rule_id) or (rule.severity if rule else "")
        why = rule.summary if rule else ""
        rows.append(
            f'<tr class="{_text(severity)}" data-rule="{_text(rule_id)}">'
            f"<td><code>{_text(rule_id)}</code></td><td>{_text(severity)}</td>"
            f'<td class="count">{count}</td><td>{_text(why)}</td></tr>'
        )
    return (
        '<table id="summary-table"><thead><tr><th>Rule</th><th>Severity</th><th>Count</th>'
        f"<th>Why</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _call(story: CallStory, number: int, drawing: _Drawing) -> str:
    return (
        f'<section class="call" id="call-{number}" data-call-id="{_text(story.call_id)}">'
        f"<h3>call <code>{_text(story.call_id)}</code></h3>"
        f'<p class="outcome">{_text(story.outcome)}</p>'
        f"{_timeline(story)}{drawing.figure(story, number)}</section>"
    )


def render_page(
    calls: Iterable[CallStory],
    *,
    name: str,
    counts: dict[str, int],
    totals: tuple[int, int, int, int, int],
    stray: tuple[Finding, ...],
    stray_count: int,
    definition: MachineDefinition,
    max_drawn: int,
    version: str,
) -> str:
    """The page. ``totals`` is ``(lines, notifications, calls, violations, warnings)``."""
    stories = list(calls)
    lines, notifications, call_count, violations, warnings = totals
    broken = [s for s in stories if s.violations]
    fine = [s for s in stories if not s.violations]
    severities = {f.rule: f.severity for s in stories for f in s.findings}
    severities |= {f.rule: f.severity for f in stray}
    drawing = _Drawing(definition, limit=max_drawn)
    sections = [_call(story, n, drawing) for n, story in enumerate(broken, 1)]
    verdict = "ok" if not violations else "failed"
    said = "OK" if not violations else "FAILED"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_POLICY}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>callstate report: {_text(name)}</title><style>{STYLE}</style></head><body>",
        f'<header><h1>callstate report</h1><p class="trace"><code>{_text(name)}</code></p>',
        f'<p id="verdict" class="{verdict}">{said}: {violations} violation'
        f"{'' if violations == 1 else 's'}, {warnings} warning{'' if warnings == 1 else 's'}</p>",
        f"<p>{lines} lines, {notifications} notifications, {call_count} calls, "
        f"{len(broken)} with violations.</p></header>",
    ]
    if drawing.missing:
        parts.append(
            '<p class="note" id="no-graphviz">Graphviz <code>dot</code> is not installed, so '
            "each path is shown as Mermaid text instead of a drawing.</p>"
        )
    parts += [
        '<section id="summary"><h2>Findings by rule</h2>',
        _summary(counts, severities, definition),
        "</section>",
        f'<section id="calls"><h2>Calls with violations ({len(broken)})</h2>',
        "".join(sections) or '<p class="ok">No call breaks a rule.</p>',
        "</section>",
    ]
    if fine:
        rows = "".join(
            f"<tr><td><code>{_text(s.call_id)}</code></td><td>{len(s.steps)}</td>"
            f"<td>{_text(s.outcome)}</td></tr>"
            for s in fine
        )
        parts.append(
            f'<section id="other-calls"><h2>Calls without violations ({len(fine)})</h2>'
            "<table><thead><tr><th>Call</th><th>Steps</th><th>Outcome</th></tr></thead>"
            f"<tbody>{rows}</tbody></table></section>"
        )
    if stray:
        more = stray_count - len(stray)
        listed = "".join(
            f"<tr><td>{f.line if f.line is not None else 'end'}</td><td>{_findings([f])}</td></tr>"
            for f in stray
        )
        tail = f'<p class="note">and {more} more.</p>' if more else ""
        parts.append(
            '<section id="stray"><h2>Lines about no call</h2><table><thead><tr><th>Line</th>'
            f"<th>Finding</th></tr></thead><tbody>{listed}</tbody></table>{tail}</section>"
        )
    parts.append(
        f"<footer>Generated by callstate {_text(version)} from the machine definition "
        f"<code>{_text(definition.name)}</code>. This page fetches nothing.</footer>"
    )
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
