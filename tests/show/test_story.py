"""``read_stories``: each call's story from the tracker's verdict, with documented meanings."""

from __future__ import annotations

import gzip
import itertools
import tempfile
from collections.abc import Callable
from pathlib import Path

import orjson
import pytest
from hypothesis import given

from callstate.errors import CallstateError
from callstate.facts import END_CODES, TRANSFER_FAILURE, meaning
from callstate.story import read_stories
from callstate.strategies import mutated_streams, notification_streams
from callstate.verdict import validate_path
from tests.show.conftest import CALL, Json, envelope, note, opening

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((REPO / "examples").glob("*.jsonl"))
WriteTrace = Callable[[list[Json]], Path]


class TestSameVerdict:
    @pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
    def test_counts_match_validate(self, path: Path) -> None:
        """The stories' report counts what validate counts, rule by rule."""
        theirs = validate_path(path)
        ours = read_stories(path).report
        assert (theirs.counts, theirs.lines, theirs.notifications, theirs.calls) == (
            ours.counts,
            ours.lines,
            ours.notifications,
            ours.calls,
        )

    @pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
    def test_every_finding_told_once(self, path: Path) -> None:
        """Each finding validate reports is on its call's story or among the stray, once."""
        report = validate_path(path)
        stories = read_stories(path)
        expected = sorted(
            (f.line or 0, f.call_id or "", f.rule) for f in [*report.violations, *report.warnings]
        )
        told = [f for story in stories.calls for f in story.findings] + list(stories.stray)
        assert expected == sorted((f.line or 0, f.call_id or "", f.rule) for f in told)

    @given(
        lines=notification_streams(max_calls=2, timed=True, faults=True).map(lambda s: s.jsonl())
        | mutated_streams(max_calls=2).map(lambda s: s.lines)
    )
    def test_drawn_traces_told_as_validate_tells_them(self, lines: tuple[bytes, ...]) -> None:
        """On timed, faulted and mutated traces, the stories hold validate's findings, each
        once, with its line, call and message."""
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "t.jsonl"
            path.write_bytes(b"\n".join(lines) + b"\n")
            report = validate_path(path)
            stories = read_stories(path)
        told = [f for story in stories.calls for f in story.findings] + list(stories.stray)
        expected = sorted(
            (f.line or 0, f.call_id or "", f.rule, f.message)
            for f in [*report.violations, *report.warnings]
        )
        assert expected == sorted((f.line or 0, f.call_id or "", f.rule, f.message) for f in told)

    def test_time_rules_judged_as_validate_judges(self, write_trace: WriteTrace) -> None:
        """A timed trace's windows are the tracker's to judge: an answer 20 s after the offer
        breaks the 15 s window in the story as in validate, on the request's line."""
        url = f"/communications/calls/{CALL}/answer"
        lines: list[Json] = [
            {"at": "2026-01-01T10:00:00Z", "body": envelope(note("incoming", change="created"))},
            {"at": "2026-01-01T10:00:20Z", "request": {"method": "POST", "url": url, "body": {}}},
            {"at": "2026-01-01T10:00:21Z", "body": envelope(note("establishing"))},
        ]
        path = write_trace(lines)
        expected = [(f.line, f.rule) for f in validate_path(path).violations]
        story = read_stories(path).calls[0]
        assert ([(2, "answer-window-expired")], expected) == (
            [(f.line, f.rule) for f in story.findings],
            [(2, "answer-window-expired")],
        )

    @pytest.mark.parametrize("strict", [False, True])
    def test_end_of_input_counted(self, write_trace: WriteTrace, strict: bool) -> None:
        """A transfer left unfinished is counted as validate counts it, strict or not."""
        path = write_trace([*opening(), envelope(note("transferring"))])
        theirs = validate_path(path, strict=strict)
        ours = read_stories(path, strict=strict).report
        assert (theirs.counts, len(theirs.violations), len(theirs.warnings)) == (
            ours.counts,
            ours.violation_count,
            ours.warning_count,
        )


class TestSteps:
    def test_one_step_a_line_in_order(self) -> None:
        """The blind failure example: every line of the call, in order, each state chained."""
        story = read_stories(REPO / "examples/blind-user-failure.jsonl").calls[0]
        lines = [s.line for s in story.steps]
        moved = [s for s in story.steps if s.moved]
        chained = all(a.dest == b.source for a, b in itertools.pairwise(moved))
        assert (list(range(1, len(lines) + 1)), True) == (lines, chained)

    def test_first_step_has_no_source(self, write_trace: WriteTrace) -> None:
        """The state a call is first seen in has no state before it."""
        story = read_stories(write_trace(opening())).calls[0]
        first = story.steps[0]
        assert (None, "incoming", True) == (first.source, first.dest, first.moved)

    def test_update_does_not_move(self, write_trace: WriteTrace) -> None:
        """A repeated state is an update: told, not moved, in the state it was."""
        story = read_stories(write_trace([*opening(), envelope(note("established"))])).calls[0]
        last = story.steps[-1]
        assert ("established", "established", False) == (last.source, last.dest, last.moved)

    def test_request_is_told(self, write_trace: WriteTrace) -> None:
        """A request record is a step of its call's story, with its kind."""
        record = {
            "request": {
                "method": "POST",
                "url": f"/communications/calls/{CALL}/transfer",
                "body": {"transferTarget": {"identity": {"user": {"id": "u1"}}}},
            }
        }
        story = read_stories(write_trace([*opening(), record])).calls[0]
        step = story.steps[-1]
        assert ("request", "POST transfer (blind)") == (step.what, step.detail)

    def test_two_notifications_of_one_call_in_one_body(self, write_trace: WriteTrace) -> None:
        """Each notification of a body gets its own step, paired with the step it took."""
        body = envelope(note("incoming", change="created"), note("establishing"))
        story = read_stories(write_trace([body])).calls[0]
        assert [(1, None, "incoming"), (1, "incoming", "establishing")] == [
            (s.line, s.source, s.dest) for s in story.steps
        ]

    def test_operation_result_is_told(self, write_trace: WriteTrace) -> None:
        """An operation's notification is on its call's story, with its result."""
        operation = {
            "changeType": "updated",
            "resourceUrl": f"/communications/calls/{CALL}/operations/op1",
            "resourceData": {"status": "failed", "resultInfo": {"code": 500, "subcode": 7000}},
        }
        story = read_stories(write_trace([*opening(), envelope(operation)])).calls[0]
        step = story.steps[-1]
        assert ("operation", "operation op1: failed", "500/7000") == (
            step.what,
            step.detail,
            step.result,
        )


class TestMeanings:
    @pytest.mark.parametrize(("code", "subcode"), [(200, 5001), (408, 8537), (200, 4097)])
    def test_end_code_meaning_in_outcome(
        self, write_trace: WriteTrace, code: int, subcode: int
    ) -> None:
        """The ending result's documented meaning is the step's and the outcome's."""
        end = envelope(note("terminated", change="deleted", code=code, subcode=subcode))
        story = read_stories(write_trace([*opening(), end])).calls[0]
        documented = END_CODES[(code, subcode)]
        assert (documented, f"ended at line 4 in terminated: {code}/{subcode}, {documented}") == (
            story.steps[-1].meaning,
            story.outcome,
        )

    def test_transfer_failure_meaning(self, write_trace: WriteTrace) -> None:
        """A failed blind transfer carries the facts module's meaning for its result."""
        failed = TRANSFER_FAILURE["blind"][0]
        bodies = [
            *opening(),
            envelope(note("transferring")),
            envelope(note("established", code=failed.code, subcode=failed.subcode)),
        ]
        step = read_stories(write_trace(bodies)).calls[0].steps[-1]
        assert (meaning(failed.code, failed.subcode), "transferring", "established") == (
            step.meaning,
            step.source,
            step.dest,
        )

    def test_undocumented_code_says_so(self, write_trace: WriteTrace) -> None:
        """A result Graph documents no meaning for is told as such."""
        end = envelope(note("terminated", change="deleted", code=299, subcode=1))
        story = read_stories(write_trace([*opening(), end])).calls[0]
        assert story.outcome.endswith("299/1, a result Graph does not document")

    def test_earlier_result_named_when_the_end_carries_none(self, write_trace: WriteTrace) -> None:
        """When the end carries no result, the outcome names the last one before it."""
        bodies = [
            *opening(),
            envelope(note("terminating", code=200, subcode=5002)),
            envelope(note("terminated", change="deleted")),
        ]
        story = read_stories(write_trace(bodies)).calls[0]
        assert (
            "ended at line 5 in terminated; the last result, at line 4: "
            f"200/5002, {END_CODES[(200, 5002)]}"
        ) == story.outcome


class TestEndings:
    def test_live_call_not_ended(self, write_trace: WriteTrace) -> None:
        """A call the trace leaves live says so, in its last state."""
        story = read_stories(write_trace(opening())).calls[0]
        assert (None, "not ended: established at the end of the trace") == (
            story.ending,
            story.outcome,
        )

    def test_unfinished_transfer_is_the_last_step(self, write_trace: WriteTrace) -> None:
        """A transfer left unfinished is told at the end of the input."""
        story = read_stories(write_trace([*opening(), envelope(note("transferring"))])).calls[0]
        last = story.steps[-1]
        assert ("end of input", ["unfinished-transfer"]) == (
            last.what,
            [f.rule for f in last.findings],
        )

    def test_after_the_end_is_told_with_its_violation(self, write_trace: WriteTrace) -> None:
        """A notification after the end stays in terminated, with its violation inline."""
        bodies = [
            *opening(),
            envelope(note("terminated", change="deleted")),
            envelope(note("established")),
        ]
        story = read_stories(write_trace(bodies)).calls[0]
        last = story.steps[-1]
        assert (False, "terminated", ["terminated-is-absorbing"], 4) == (
            last.moved,
            last.dest,
            [v.rule for v in last.violations],
            story.ending.line if story.ending else None,
        )


class TestTooDeep:
    """A line nested past what Graph JSON may is malformed as a whole: it says nothing."""

    @staticmethod
    def _trace(tmp_path: Path, levels: int, *, timed: bool = False) -> Path:
        """The opening, then a hold whose resourceData nests ``levels`` objects more."""
        held = orjson.dumps(envelope(note("hold")))
        deep = held.replace(
            b'"state":"hold"', b'"state":"hold","x":' + b'{"a":' * levels + b"1" + b"}" * levels
        )
        if timed:
            deep = b'{"at":"2024-05-01T10:00:00Z","body":' + deep + b"}"
        lines = [orjson.dumps(body) for body in opening()] + [deep]
        path = tmp_path / "deep.jsonl"
        path.write_bytes(b"\n".join(lines) + b"\n")
        return path

    @pytest.mark.parametrize("timed", [False, True])
    def test_no_step_from_it(self, tmp_path: Path, timed: bool) -> None:
        """Its call's story has no step for it, and the tracker's finding is stray, once."""
        stories = read_stories(self._trace(tmp_path, 260, timed=timed))
        expected = ([1, 2, 3], [("malformed", 4, None)])
        assert expected == (
            [s.line for s in stories.calls[0].steps],
            [(f.rule, f.line, f.call_id) for f in stories.stray],
        )

    def test_as_deep_as_may_be_is_told(self, tmp_path: Path) -> None:
        """A line just shallow enough is read, and told as its call's step."""
        stories = read_stories(self._trace(tmp_path, 249))
        story = stories.calls[0]
        expected = ([1, 2, 3, 4], [], "hold")
        assert expected == ([s.line for s in story.steps], list(stories.stray), story.state)


class TestTimedLines:
    def test_time_kept_and_body_checked(self, write_trace: WriteTrace) -> None:
        """A timed line's body is checked and its time is on the step."""
        bodies = [
            {"at": f"2024-05-01T10:00:0{i}Z", "body": body} for i, body in enumerate(opening())
        ]
        stories = read_stories(write_trace(bodies))
        story = stories.calls[0]
        assert (
            ["2024-05-01T10:00:00Z", "2024-05-01T10:00:01Z", "2024-05-01T10:00:02Z"],
            "established",
            {},
        ) == ([s.at for s in story.steps], story.state, stories.report.counts)

    def test_bad_time_is_malformed_at_its_pointer(self, write_trace: WriteTrace) -> None:
        """A time that is not RFC 3339 with an offset is malformed at /at, the line refused
        whole and about no call, as validate says; the call's story goes on without it."""
        path = write_trace([*opening(), {"at": "2024-05-01 10:00", "body": envelope(note("hold"))}])
        stories = read_stories(path)
        expected = [(f.line, f.call_id, f.rule, f.message) for f in validate_path(path).violations]
        assert (expected, 4, "/at: ", [1, 2, 3], "established") == (
            [(f.line, f.call_id, f.rule, f.message) for f in stories.stray],
            *(stories.stray[0].line, stories.stray[0].message[:5]),
            [s.line for s in stories.calls[0].steps],
            stories.calls[0].state,
        )

    def test_body_too_deep_to_hand_on(self, tmp_path: Path) -> None:
        """A timed body nested too deep is malformed below /body as validate says, not a crash."""
        path = tmp_path / "deep.jsonl"
        deep = b"[" * 600 + b"]" * 600
        path.write_bytes(b'{"at": "2024-05-01T10:00:00Z", "body": ' + deep + b"}\n")
        stray = read_stories(path).stray
        expected = [(f.rule, f.line, f.message) for f in validate_path(path).violations]
        assert (expected, "/body/0/0/") == (
            [(f.rule, f.line, f.message) for f in stray],
            stray[0].message[:10],
        )

    def test_timed_request(self, write_trace: WriteTrace) -> None:
        """A timed request record keeps its time; the tracker reads its request."""
        record = {
            "at": "2024-05-01T10:00:09+02:00",
            "request": {
                "method": "POST",
                "url": f"/communications/calls/{CALL}/transfer",
                "body": {"transferTarget": {"identity": {"user": {"id": "u1"}}}},
            },
            "response": {"status": 202},
        }
        stories = read_stories(write_trace([*opening(), record]))
        step = stories.calls[0].steps[-2]  # the last: transferring never came
        assert (
            "2024-05-01T10:00:09+02:00",
            "POST transfer (blind) answered 202",
            {"no-transfer-notification": 1},
        ) == (step.at, step.detail, stories.report.counts)


class TestInputs:
    def test_one_call(self) -> None:
        """``call_id`` tells only that call's story."""
        trace = REPO / "examples/mixed.jsonl"
        wanted = read_stories(trace).calls[1].call_id
        assert [wanted] == [s.call_id for s in read_stories(trace, call_id=wanted).calls]

    def test_unknown_call(self) -> None:
        """A call the trace never names is a clear error naming it."""
        with pytest.raises(CallstateError, match="never speaks of call nope"):
            read_stories(REPO / "examples/mixed.jsonl", call_id="nope")

    def test_gzip(self, tmp_path: Path) -> None:
        """A gzip trace is read as validate reads it."""
        plain = REPO / "examples/blind-user-failure.jsonl"
        packed = tmp_path / "t.jsonl.gz"
        packed.write_bytes(gzip.compress(plain.read_bytes()))
        assert read_stories(plain) == read_stories(packed)

    def test_oversize_line_message_is_the_trackers(self, tmp_path: Path) -> None:
        """A line over 1 MiB is reported as validate reports it, its real size named."""
        path = tmp_path / "big.jsonl"
        path.write_bytes(orjson.dumps(opening()[0]) + b"\n" + b"x" * (3 << 20) + b"\n")
        assert [f.message for f in validate_path(path).violations] == [
            f.message for f in read_stories(path).stray
        ]


def test_public_names_documented() -> None:
    """Every public name of ``callstate.story`` says what it is for."""
    import inspect

    import callstate.story

    missing = [
        name
        for name in callstate.story.__all__
        if not (inspect.getdoc(getattr(callstate.story, name)) or "").strip()
    ]
    assert [] == missing
