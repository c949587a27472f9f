"""Put a line's three sources together: what it says, the steps taken, the findings.

The tracker tells of each step after its decision and hands each finding to the
report's list; :class:`Collector` holds them until the line is complete, then
turns them into :class:`~callstate.story.StoryStep` records, one per thing the
line said about a call. It never calls the tracker: it runs inside its read loop.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from callstate.machine.definition import MachineDefinition
from callstate.story._records import CallStory, StoryStep
from callstate.story._said import Said
from callstate.verdict import CallWarning, Finding, Report, StepRecord, Violation

__all__ = ["Collector", "CountingSink"]


class Collector:
    """The stories being told, line by line; ``call_id`` keeps only that call's."""

    def __init__(
        self, definition: MachineDefinition, *, call_id: str | None, max_stray: int
    ) -> None:
        self._final = definition.final
        self._only = call_id
        self._max_stray = max_stray
        self._line: int | None = None
        self._at: str | None = None
        self._said: list[Said] = []
        self._steps: list[StepRecord] = []
        self._found: list[Finding] = []
        #: Each call's steps so far, in the order calls were first spoken of.
        self.calls: dict[str, list[StoryStep]] = {}
        self._state: dict[str, str] = {}
        self._ending: dict[str, StoryStep] = {}
        #: Findings about no call (malformed lines), the first ``max_stray`` of them.
        self.stray: list[Finding] = []
        self.stray_count = 0

    def _wanted(self, call_id: str | None) -> bool:
        return call_id is not None and (self._only is None or call_id == self._only)

    # -- the three sources ----------------------------------------------------------

    def begin(self, line: int, at: str | None, said: list[Said]) -> None:
        """A new line starts: the previous one is complete."""
        self.close()
        self._line, self._at = line, at
        self._said = [s for s in said if self._wanted(s.call_id)]

    def step(self, step: StepRecord) -> None:
        """The tracker's observer: a step a call took."""
        if self._wanted(step.call_id):
            self._steps.append(step)

    def finding(self, finding: Finding) -> None:
        """What the report's list forwards: a finding, about a call or not."""
        if finding.call_id is None:
            self.stray_count += 1
            if len(self.stray) < self._max_stray:
                self.stray.append(finding)
        elif self._wanted(finding.call_id):
            self._found.append(finding)

    # -- assembling -------------------------------------------------------------------

    def close(self, *, what: str = "finding") -> None:
        """Turn what the current line said, did and broke into records."""
        said, steps, found = self._said, self._steps, self._found
        if not (said or steps or found):
            return
        self._said, self._steps, self._found = [], [], []
        order = dict.fromkeys(
            [s.call_id for s in said]
            + [s.call_id for s in steps]
            + [f.call_id or "" for f in found]
        )
        for call_id in order:
            self._call_line(
                call_id,
                [s for s in said if s.call_id == call_id],
                [s for s in steps if s.call_id == call_id],
                [f for f in found if f.call_id == call_id],
                what,
            )

    def end_of_input(
        self, findings: Iterable[Finding], found: list[Finding], line: int | None
    ) -> None:
        """The tracker's findings at the end of the input, counted into ``found``, each
        on its call's story."""
        self.close()
        self._line, self._at = line, None
        for finding in findings:
            found.append(finding)
        self.close(what="end of input")

    def _call_line(
        self,
        call_id: str,
        said: list[Said],
        steps: list[StepRecord],
        found: list[Finding],
        what: str,
    ) -> None:
        records: list[StoryStep] = []
        paired = _pair([s for s in said if s.what == "notification"], steps, self._final)
        taken: list[StepRecord | None] = []
        for item in said:
            step = paired.get(id(item))
            records.append(self._record(call_id, item, step))
            taken.append(step)
        for step in steps:
            if not any(step is t for t in taken):
                records.append(self._record(call_id, None, step))
                taken.append(step)
        if not records and found:
            records.append(self._record(call_id, None, None, what=what))
            taken.append(None)
        attached: list[list[Finding]] = [[] for _ in records]
        for finding in found:
            index = next(
                (i for i, t in enumerate(taken) if t is not None and t.violation is finding),
                len(records) - 1,
            )
            attached[index].append(finding)
        story = self.calls.setdefault(call_id, [])
        for record, findings in zip(records, attached, strict=True):
            if findings:
                record = _with(record, tuple(findings))
            story.append(record)
            if record.moved and record.dest in self._final and call_id not in self._ending:
                self._ending[call_id] = record

    def _record(
        self,
        call_id: str,
        said: Said | None,
        step: StepRecord | None,
        *,
        what: str = "notification",
    ) -> StoryStep:
        before = self._state.get(call_id)
        if step is not None:
            self._state[call_id] = step.dest
        after = self._state.get(call_id)
        return StoryStep(
            line=self._line,
            call_id=call_id,
            what=what if said is None else said.what,
            at=self._at,
            change=None if said is None else said.change,
            source=step.source if step is not None else before,
            dest=after,
            event=None if step is None else step.event,
            kind=None if step is None else step.kind,
            moved=step is not None,
            code=None if said is None else said.code,
            subcode=None if said is None else said.subcode,
            reason=None if said is None else said.reason,
            meaning=None if said is None else said.meaning,
            detail="" if said is None else said.detail,
        )

    def stories(self) -> list[CallStory]:
        """Every call's story, in the order the calls were first spoken of."""
        self.close()
        return [
            CallStory(
                call_id=call_id,
                steps=tuple(steps),
                ending=self._ending.get(call_id),
                state=self._state.get(call_id),
            )
            for call_id, steps in self.calls.items()
        ]


def _with(record: StoryStep, findings: tuple[Finding, ...]) -> StoryStep:
    return attrs.evolve(record, findings=findings)


def _pair(
    notes: list[Said], steps: list[StepRecord], final: frozenset[str]
) -> dict[int, StepRecord]:
    """Which notification of one call took which step: one step at most each, in order.

    One notification of a call a line is the rule; with several, a step goes to the
    next notification that names its state (or, with no state, ends the call).
    """
    if len(notes) == len(steps):
        return {id(n): s for n, s in zip(notes, steps, strict=True)}
    out: dict[int, StepRecord] = {}
    pending = list(steps)
    for note in notes:
        if not pending:
            break
        step = pending[0]
        named = note.state.lower() if note.state is not None else None
        if named == step.dest.lower() or (named is None and step.dest in final):
            out[id(note)] = pending.pop(0)
    return out


class CountingSink(list[Finding]):
    """The list handed to the tracker: counts each finding by rule, then forwards it.

    The same counts :func:`~callstate.validate_path` gives when its findings are
    forwarded: the report keeps the counts, the stories keep the findings.
    """

    __slots__ = ("_forward", "_report")

    def __init__(self, report: Report, collector: Collector) -> None:
        super().__init__()
        self._report = report
        self._forward = collector.finding

    def append(self, finding: Finding) -> None:
        report = self._report
        report.counts[finding.rule] = report.counts.get(finding.rule, 0) + 1
        if isinstance(finding, Violation):
            report.violation_count += 1
        elif isinstance(finding, CallWarning):
            report.warning_count += 1
        self._forward(finding)
