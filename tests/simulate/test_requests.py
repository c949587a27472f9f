"""The bot's side: request records, times, group calls, the legacy flow, judged by the tracker."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import orjson
import pytest

from callstate import cli
from callstate.facts import MEETING_MODE_FAILURE
from callstate.graph.wire import parse_request_path, read_resource
from callstate.machine import CALL_MACHINE, compiled
from callstate.simulate import (
    EVERY_SCENARIO,
    OUTCOMES,
    REQUEST_SCENARIOS,
    JSONObject,
    Plan,
    Timing,
    build,
    expect,
    flows,
    jsonl,
    random_plan,
    simulate,
)
from callstate.verdict import validate_lines

CALL = "341a0500-d4bf-4224-8b19-1581168d328b"
FLOWS = flows(CALL_MACHINE)
MACHINE = compiled(CALL_MACHINE)
SEEDS = range(25)
CASES = [(s, o) for s in EVERY_SCENARIO for o in (OUTCOMES if FLOWS.kind_of(s) else ("success",))]


def _findings(lines: list[bytes]) -> tuple[str, ...]:
    report = validate_lines(lines, strict=True)
    return tuple(sorted(f.rule for f in (*report.violations, *report.warnings)))


def _body(line: JSONObject) -> JSONObject:
    """A timed line's webhook body, or the line itself."""
    body = line.get("body", line)
    assert isinstance(body, dict)
    return body


def _note(line: JSONObject) -> JSONObject | None:
    body = _body(line)
    if "value" not in body:
        return None
    note = body["value"][0]
    assert isinstance(note, dict)
    return note


def _states(lines: list[JSONObject]) -> list[str | None]:
    """Each line's call state, ``request:NAME`` for a request, ``None`` for anything else."""
    out: list[str | None] = []
    for line in lines:
        if "request" in line:
            path = parse_request_path(line["request"]["url"], "/request/url")
            name = MACHINE.request_paths[
                (line["request"]["method"], path.action, path.call_id is None)
            ]
            out.append(f"request:{name}")
            continue
        note = _note(line)
        data = {} if note is None else note["resourceData"]
        call = note is not None and read_resource(note).kind == "call"
        out.append(data.get("state") if call and isinstance(data, dict) else None)
    return out


def _request(name: str) -> str:
    return f"request:{name}"


class TestTheTrackerAgrees:
    """Every scenario's calls, timed or not, get exactly the findings the plan meant."""

    @pytest.mark.parametrize(("scenario", "outcome"), CASES)
    @pytest.mark.parametrize("timed", [False, True])
    def test_clean(self, scenario: str, outcome: str, timed: bool) -> None:
        """Without faults, only what the scenario carries by nature (legacy's /app path)."""
        for seed in SEEDS:
            plan = random_plan(random.Random(seed), scenario, outcome, timed=timed)
            lines = list(jsonl(build(plan)))
            expected = (seed, expect(plan).findings)
            assert expected == (seed, _findings(lines))
            assert set(expect(plan).findings) <= {"deprecated-path"}

    @pytest.mark.parametrize(("scenario", "outcome"), CASES)
    def test_faults(self, scenario: str, outcome: str) -> None:
        """With faults, the tracker reports exactly the rules the plan breaks on purpose."""
        for seed in SEEDS:
            plan = random_plan(random.Random(seed), scenario, outcome, timed=True, faults=True)
            lines = list(jsonl(build(plan)))
            expected = (seed, expect(plan).findings)
            assert expected == (seed, _findings(lines))

    def test_outgoing_keepalive_clock(self) -> None:
        """An outgoing call's keepAlive clock starts at the create request, its first line."""
        window = CALL_MACHINE.timeouts[MACHINE.judged_always[0]].seconds
        timing = Timing(gap=1.0, length=window + 60.0)
        plan = Plan(scenario="outgoing", call_id=CALL, timing=timing, ending="deleted-bare")
        expected = expect(plan).findings
        assert expected == _findings(list(jsonl(build(plan))))

    def test_faults_happen(self) -> None:
        """Over the seeds, faults give late answers, forgotten keepAlives and meeting mode."""
        rules: Counter[str] = Counter()
        for scenario, outcome in CASES:
            for seed in SEEDS:
                plan = random_plan(random.Random(seed), scenario, outcome, timed=True, faults=True)
                rules.update(expect(plan).findings)
        timeouts = {t.rule for t in CALL_MACHINE.timeouts}
        assert timeouts | {"meeting-mode-transfer"} <= set(rules)


class TestCli:
    """``callstate simulate --timed`` into ``callstate validate``: what simulate prints passes."""

    @pytest.mark.parametrize("scenario", [*REQUEST_SCENARIOS, "reject", "redirect"])
    def test_validate_accepts_it(
        self, scenario: str, tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
    ) -> None:
        """Each new scenario, timed, validates with exit 0 and the plan's findings only."""
        for seed in range(5):
            assert 0 == cli.main(["simulate", scenario, "--timed", "--seed", str(seed)])
            out, _ = capsysbinary.readouterr()
            assert out == b"".join(jsonl(simulate(scenario, seed=seed, timed=True)))
            trace = tmp_path / f"{scenario}-{seed}.jsonl"
            trace.write_bytes(out)
            code = cli.main(["validate", "--strict", "--format", "json", str(trace)])
            report = orjson.loads(capsysbinary.readouterr()[0])
            plan = random_plan(random.Random(seed), scenario, timed=True)
            expected = (0, list(expect(plan).findings))
            assert expected == (code, sorted(w["rule"] for w in report["warnings"]))

    def test_faults_fail_validate(
        self, tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
    ) -> None:
        """A late answer is a violation: validate exits 1 and names the window's rule."""
        seed = next(
            s
            for s in range(200)
            if "answer-window-expired"
            in expect(random_plan(random.Random(s), "reject", timed=True, faults=True)).findings
        )
        cli.main(["simulate", "reject", "--timed", "--faults", "--seed", str(seed)])
        trace = tmp_path / "late.jsonl"
        trace.write_bytes(capsysbinary.readouterr()[0])
        code = cli.main(["validate", "--format", "json", str(trace)])
        report = orjson.loads(capsysbinary.readouterr()[0])
        expected = (1, ["answer-window-expired"])
        assert expected == (code, [v["rule"] for v in report["violations"]])


class TestScenarios:
    """Each new scenario tells the story graph-facts gives, in order."""

    def test_outgoing(self) -> None:
        """A create answered 201 with the call's id, then establishing and established."""
        lines = build(Plan(scenario="outgoing", call_id=CALL))
        create = FLOWS.request_to(CALL_MACHINE.initial, None, argument="x")
        expected = (create.status, CALL, ["establishing", "established"])
        first = lines[0]
        states = _states(lines)[1:3]
        assert expected == (first["response"]["status"], first["response"]["body"]["id"], states)

    def test_reject(self) -> None:
        """A reject request, then deleted with no state."""
        lines = build(Plan(scenario="reject", call_id=CALL, timing=Timing()))
        note = _note(lines[-1])
        assert note is not None
        expected = ([CALL_MACHINE.initial, _request("reject"), None], "deleted", False)
        actual = (_states(lines), note["changeType"], "state" in note["resourceData"])
        assert expected == actual

    def test_redirect(self) -> None:
        """A redirect request, then redirecting, then the end."""
        plan = Plan(scenario="redirect", call_id=CALL, timing=Timing(), ending="deleted")
        expected = [CALL_MACHINE.initial, _request("redirect_call"), "redirecting", "terminated"]
        assert expected == _states(build(plan))

    @pytest.mark.parametrize("scenario", FLOWS.group_scenarios)
    def test_group_transfer(self, scenario: str) -> None:
        """meetingInfo and chatInfo, a roster of three, then a transferee from that roster."""
        lines = build(Plan(scenario=scenario, call_id=CALL))
        first = _note(lines[0])
        assert first is not None
        assert {"meetingInfo", "chatInfo"} <= set(first["resourceData"])
        rosters = [
            n["resourceData"] for n in map(_note, lines) if n and read_resource(n).kind != "call"
        ]
        (roster,) = rosters
        (transfer,) = [line for line in lines if "request" in line]
        participant = transfer["request"]["body"]["transferee"]["participantId"]
        expected = (3, True)
        assert expected == (len(roster), participant in {p["id"] for p in roster})

    def test_legacy(self) -> None:
        """An /app transfer, then the operation's words, then the call ended as transferred."""
        lines = build(Plan(scenario="legacy", call_id=CALL))
        notes = [n for n in map(_note, lines) if n is not None]
        assert all("resource" in n and "resourceUrl" not in n for n in notes)
        (transfer,) = [line for line in lines if "request" in line]
        assert f"/app/calls/{CALL}/transfer" in transfer["request"]["url"]
        ops = [n for n in notes if "/operations/" in n["resource"]]
        words = [(n["resourceData"]["resultInfo"]["subCode"], n["changeType"]) for n in ops]
        expected = [("transferring", "updated"), ("transferAccepted", "deleted")]
        assert expected == words
        reason = next(
            m.termination_reason
            for flow in FLOWS.kinds.values()
            for m in flow.success.markers
            if m.termination_reason is not None
        )
        assert reason == notes[-1]["resourceData"]["terminationReason"]

    @pytest.mark.parametrize("scenario", [s for s in EVERY_SCENARIO if FLOWS.kind_of(s)])
    def test_transfer_request_comes_first(self, scenario: str) -> None:
        """The transfer request and its answer come before the transferring it causes."""
        for seed in SEEDS:
            lines = simulate(scenario, seed=seed, timed=True)
            states = _states(lines)
            assert states.index(_request("transfer_call")) < states.index("transferring")


class TestTime:
    """Times are RFC 3339, ordered, and the freedoms fall inside (or past) the windows."""

    def test_answers_within_the_window(self) -> None:
        """Without faults every answer comes within the window; with them, some come late."""
        window = next(t for t in CALL_MACHINE.timeouts if "answer" in t.judged).seconds
        late = set()
        for seed in range(60):
            for faults in (False, True):
                plan = random_plan(random.Random(seed), "hang-up", timed=True, faults=faults)
                assert plan.timing is not None
                if not faults:
                    assert plan.timing.answer_after <= window
                late.add(plan.timing.answer_after > window)
        assert {False, True} == late

    def test_keepalives_every_15_to_45_minutes(self) -> None:
        """On a long call, keepAlives come a third of the window to the whole window apart."""
        window = CALL_MACHINE.timeouts[MACHINE.judged_always[0]].seconds
        seen = 0
        for seed in range(60):
            plan = random_plan(random.Random(seed), "hang-up", timed=True)
            every = plan.timing.keepalive_every if plan.timing else None
            if every is None:
                continue
            seen += 1
            assert window / 3 <= every < window
        assert seen > 0

    @pytest.mark.parametrize("scenario", EVERY_SCENARIO)
    def test_times_never_go_back(self, scenario: str) -> None:
        """Each line's time is RFC 3339 UTC and not before the previous one."""
        for seed in range(10):
            ats = [line["at"] for line in simulate(scenario, seed=seed, timed=True)]
            assert all(a.endswith("Z") for a in ats)
            assert ats == sorted(ats)

    def test_seeded(self) -> None:
        """The same seed gives the same timed lines; another seed, others."""
        assert simulate("group-blind-user", seed=4, timed=True) == simulate(
            "group-blind-user", seed=4, timed=True
        )
        assert simulate("outgoing", seed=4, timed=True) != simulate("outgoing", seed=5, timed=True)


class TestMeetingCode:
    """500/8523 only on calls in meeting mode, whatever the kind (tests/simulate used to fail)."""

    def test_never_on_group_or_peer_to_peer_failures(self) -> None:
        """Without meeting mode no failure, of either kind, carries the meeting code."""
        code = (MEETING_MODE_FAILURE.code, MEETING_MODE_FAILURE.subcode)
        for scenario in [s for s in EVERY_SCENARIO if FLOWS.kind_of(s)]:
            for seed in SEEDS:
                plan = random_plan(random.Random(seed), scenario, "failure", timed=True)
                assert not plan.meeting
                assert code not in _result_codes(build(plan))


def _result_codes(lines: list[JSONObject]) -> set[tuple[int, int]]:
    found = set()
    for line in lines:
        note = _note(line)
        data = {} if note is None else note["resourceData"]
        info = data.get("resultInfo") if isinstance(data, dict) else None
        if info and str(info.get("code", "")).isdigit():
            subcode = info.get("subcode", info.get("subCode"))
            if str(subcode).isdigit():
                found.add((int(info["code"]), int(subcode)))
    return found
