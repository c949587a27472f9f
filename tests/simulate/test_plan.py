"""Plans, the builder, the building blocks and what the model expects."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from typing import Any

import attrs
import pytest

from callstate.errors import UsageError
from callstate.facts import BLIND, CONSULTATIVE, TRANSFER_FAILURE, TRANSFER_SUCCESS
from callstate.machine import CALL_MACHINE, compiled
from callstate.machine.definition import Event, Marker
from callstate.simulate import (
    CALL_END_CODES,
    ENDINGS,
    MEDIA_PLACEMENTS,
    OUTCOMES,
    SCENARIOS,
    TRANSFER_SCENARIOS,
    Plan,
    build,
    duplicable,
    event_notification,
    expect,
    notification,
    random_plan,
)

CALL = "341a0500-d4bf-4224-8b19-1581168d328b"
SEEDS = range(60)


def every_plan(seeds: Iterable[int] = SEEDS) -> list[Plan]:
    """A random plan per scenario, outcome and seed."""
    return [
        random_plan(random.Random(seed), scenario, outcome)
        for seed in seeds
        for scenario in SCENARIOS
        for outcome in (OUTCOMES if scenario in TRANSFER_SCENARIOS else ("success",))
    ]


def call_data(line: dict[str, Any]) -> Any:
    """The resourceData of an envelope's one notification."""
    return line["value"][0]["resourceData"]


def states(lines: list[dict[str, Any]]) -> list[str | None]:
    """The ``state`` of each call notification (``None`` when it carries none)."""
    return [
        call_data(line).get("state")
        for line in lines
        if "value" in line and line["value"][0]["resourceUrl"].count("/") == 3
    ]


class TestBuildingBlocks:
    """``notification`` and ``event_notification``."""

    def test_notification_envelope(self) -> None:
        """One notification in a commsNotifications envelope, state and fields as given."""
        expected = {
            "@odata.type": "#microsoft.graph.commsNotifications",
            "value": [
                {
                    "@odata.type": "#microsoft.graph.commsNotification",
                    "changeType": "updated",
                    "resourceUrl": f"/communications/calls/{CALL}",
                    "resourceData": {
                        "@odata.type": "#microsoft.graph.call",
                        "state": "established",
                        "mediaState": {"audio": "active"},
                    },
                }
            ],
        }
        actual = notification(CALL, state="established", mediaState={"audio": "active"})
        assert expected == actual

    def test_notification_without_state(self) -> None:
        """``state=None`` leaves the state out, as a data-only update or a reject has it."""
        expected = {"@odata.type": "#microsoft.graph.call"}
        assert expected == call_data(notification(CALL, change_type="deleted"))

    @pytest.mark.parametrize(("event", "kind"), compiled(CALL_MACHINE).signals)
    def test_event_notification_classifies_back(self, event: str, kind: str | None) -> None:
        """The classifier reads every (event, kind) back from its notification."""
        item = event_notification(CALL, event, kind)["value"][0]
        data = item["resourceData"]
        info = data.get("resultInfo", {})
        signal = compiled(CALL_MACHINE).classify(
            data["state"],
            deleted=item["changeType"] == "deleted",
            code=info.get("code"),
            subcode=info.get("subcode"),
            termination_reason=data.get("terminationReason"),
        )
        expected = (event, kind)
        assert expected == signal

    def test_event_notification_follows_the_definition(self) -> None:
        """A marker changed in the definition changes the payload: nothing is re-typed."""
        events = tuple(
            attrs.evolve(e, markers=(Marker(BLIND, 503, 7999),)) if e.name == "fail_transfer" else e
            for e in CALL_MACHINE.events
        )
        changed = CALL_MACHINE.replace(events=events, check=False)
        data = call_data(event_notification(CALL, "fail_transfer", BLIND, definition=changed))
        info = data["resultInfo"]
        expected = (503, 7999)
        assert expected == (info["code"], info["subcode"])

    def test_spelling_and_string_codes(self) -> None:
        """``subCode`` spelling and digit-string codes, as Graph sometimes sends them."""
        data = call_data(
            event_notification(
                CALL, "fail_transfer", CONSULTATIVE, subcode_key="subCode", string_codes=True
            )
        )
        info = data["resultInfo"]
        failure = TRANSFER_FAILURE[CONSULTATIVE][0]
        expected = (str(failure.code), str(failure.subcode), False)
        assert expected == (info["code"], info["subCode"], "subcode" in info)

    def test_consultative_success_has_termination_reason(self) -> None:
        """The consultative completion carries its terminationReason and no resultInfo."""
        (success,) = TRANSFER_SUCCESS[CONSULTATIVE]
        expected = {"@odata.type": "#microsoft.graph.call", "state": "terminated"}
        expected["terminationReason"] = str(success.termination_reason)
        assert expected == call_data(event_notification(CALL, "complete_transfer", CONSULTATIVE))

    @pytest.mark.parametrize(
        ("event", "kind", "argument"),
        [("nope", None, "event"), ("fail_transfer", None, "kind"), ("connect", BLIND, "kind")],
    )
    def test_event_notification_rejects(self, event: str, kind: str | None, argument: str) -> None:
        """Unknown events and wrong marker kinds are usage errors naming the argument."""
        with pytest.raises(UsageError) as caught:
            event_notification(CALL, event, kind)
        assert argument == caught.value.argument


class TestPlanChecks:
    """Invalid plans are refused with a UsageError naming the field."""

    @pytest.mark.parametrize(
        ("changes", "argument"),
        [
            ({"scenario": "ring-ring"}, "scenario"),
            ({"outcome": "maybe"}, "outcome"),
            ({"scenario": "reject", "outcome": "failure"}, "outcome"),
            ({"scenario": "hang-up", "retry": True}, "retry"),
            ({"retry": "failure"}, "retry"),
            ({"scenario": "reject", "fail_from": "transferring"}, "fail_from"),
            ({"scenario": "redirect", "failure_marker": 1}, "failure_marker"),
            ({"failure_marker": -1}, "failure_marker"),
            ({"success_marker": True}, "success_marker"),
            ({"fail_from": ""}, "fail_from"),
            ({"scenario": "blind-moon"}, "scenario"),
            ({"call_id": "a/b"}, "call_id"),
            ({"call_id": ""}, "call_id"),
            ({"media_inactive": "sideways"}, "media_inactive"),
            ({"subcode_key": "SubCode"}, "subcode_key"),
            ({"scenario": "hang-up", "ending": None}, "ending"),
            ({"end_code": (TRANSFER_FAILURE[BLIND][0].code, 7000)}, "end_code"),
            ({"duplicates": frozenset({-1})}, "duplicates"),
            ({"operation": "dance"}, "operation"),
        ],
    )
    def test_refused(self, changes: dict[str, Any], argument: str) -> None:
        """Each bad field is named."""
        fields = {"scenario": "blind-user", "call_id": CALL, **changes}
        with pytest.raises(UsageError) as caught:
            Plan(**fields)
        assert argument == caught.value.argument

    def test_duplicates_past_the_end(self) -> None:
        """A duplicate position past the call's notifications is refused by build."""
        plan = Plan(scenario="reject", call_id=CALL)
        with pytest.raises(UsageError) as caught:
            build(attrs.evolve(plan, duplicates=frozenset({len(duplicable(plan))})))
        expected = "duplicates"
        assert expected == caught.value.argument

    def test_ids_derive_from_call_id(self) -> None:
        """Default ids are derived from the call id: same call, same ids; another, others."""
        one = Plan(scenario="blind-user", call_id="a")
        other = Plan(scenario="blind-user", call_id="b")
        expected = attrs.astuple(one)
        assert expected == attrs.astuple(Plan(scenario="blind-user", call_id="a"))
        assert one.chain_id != other.chain_id


class TestBuild:
    """The builder's lines, checked against the machine independently of ``expect``."""

    def test_pure(self) -> None:
        """The same plan gives equal lines, and fresh ones each time."""
        for plan in every_plan(range(5)):
            first, second = build(plan), build(plan)
            assert first == second
            assert all(a is not b for a, b in zip(first, second, strict=True))

    def test_machine_agrees_with_expect(self, replay: Callable[..., Any]) -> None:
        """Replayed through classifier and engine, each call ends where ``expect`` says."""
        for plan in every_plan():
            model = expect(plan)
            call = replay(build(plan))[plan.call_id]
            expected = (model.final_state, list(model.events))
            assert expected == (call.state, call.events)

    def test_every_random_plan_ends_terminated(self) -> None:
        """random_plan always ends the call."""
        expected = {"terminated"}
        assert expected == {expect(plan).final_state for plan in every_plan()}

    def test_marker_is_the_last_outcome(self) -> None:
        """The expected marker is the last transfer's: complete or fail, of the plan's kind."""
        for plan in every_plan(range(20)):
            if plan.kind is None:
                assert expect(plan).marker is None
                continue
            name = "complete_transfer" if plan.outcome == "success" else "fail_transfer"
            assert CALL_MACHINE.event(name).markers_of(plan.kind)[0] == expect(plan).marker

    def test_starts_with_incoming(self) -> None:
        """Every call opens with a ``created`` incoming notification."""
        for plan in every_plan(range(5)):
            first = build(plan)[0]["value"][0]
            expected = ("created", "incoming")
            assert expected == (first["changeType"], first["resourceData"]["state"])

    def test_no_ending_leaves_the_call_live(self) -> None:
        """``ending=None`` after a failed transfer leaves the call established."""
        plan = Plan(scenario="blind-user", call_id=CALL, outcome="failure", ending=None)
        expected = ("established", "established")
        assert expected == (expect(plan).final_state, states(build(plan))[-1])


def _values(plans: list[Plan], name: str) -> set[Any]:
    return {getattr(plan, name) for plan in plans}


class TestFreedoms:
    """Each freedom occurs across seeds, and shows in the lines."""

    def test_every_value_occurs(self) -> None:
        """Every option of every choice is drawn for some seed."""
        plans = [p for p in every_plan() if p.kind is not None]
        expected = {
            "late_establishing": {True, False},
            "ringing": {True, False},
            "hold": {"none", "resumed"},
            "media_inactive": set(MEDIA_PLACEMENTS),
            "fail_from": {"transferring", "transferAccepted"},
            "retry": {True, False},
            "replaces_context": {True, False},
            "subcode_key": {"subcode", "subCode"},
            "string_codes": {True, False},
            "request": {True, False},
            "operation": {None, "playPrompt", "recordResponse", "subscribeToTone"},
            "participants": {True, False},
            "ending": set(ENDINGS),
            "end_code": set(CALL_END_CODES),
        }
        actual = {name: _values(plans, name) for name in expected}
        assert expected == actual
        both = {True, False}
        assert both == {bool(p.duplicates) for p in plans}

    def test_late_establishing(self) -> None:
        """establishing after established, or before it."""
        for late, opening in ((True, ["connect", "establish"]), (False, ["establish", "connect"])):
            plan = Plan(scenario="hang-up", call_id=CALL, late_establishing=late)
            assert opening == [e for e, _ in expect(plan).events[1:3]]
            reported = [CALL_MACHINE.event(e).reports for e in opening]
            assert reported == states(build(plan))[1:3]

    @pytest.mark.parametrize(
        ("late", "opening"),
        [
            (False, ["establish", "ring", "connect"]),
            (True, ["connect", "establish", "ring"]),
        ],
    )
    def test_ringing(self, late: bool, opening: list[str]) -> None:
        """The far end rings before the call is up; late, it changes nothing."""
        plan = Plan(scenario="hang-up", call_id=CALL, ringing=True, late_establishing=late)
        assert opening == [e for e, _ in expect(plan).events[1:4]]
        assert [CALL_MACHINE.event(e).reports for e in opening] == states(build(plan))[1:4]

    @pytest.mark.parametrize(
        ("scenario", "hold", "events", "final"),
        [
            ("blind-user", "resumed", ["hold", "connect", "transfer"], "terminated"),
            ("hang-up", "ends", ["hold", "hang_up", "terminate"], "terminated"),
        ],
    )
    def test_hold(self, scenario: str, hold: str, events: list[str], final: str) -> None:
        """A hold is resumed before a transfer, or a hang-up ends the call on hold."""
        plan = Plan(scenario=scenario, call_id=CALL, hold=hold)
        expected = expect(plan)
        assert (events, final) == ([e for e, _ in expected.events[3:6]], expected.final_state)

    def test_only_a_hang_up_ends_on_hold(self) -> None:
        """A transfer needs the call back from hold: ``hold="ends"`` is refused elsewhere."""
        with pytest.raises(UsageError, match="hold"):
            Plan(scenario="blind-user", call_id=CALL, hold="ends")

    @pytest.mark.parametrize(
        ("placement", "outcome", "expected"),
        [
            ("before", "success", ["transferring", None, "transferAccepted", "terminated"]),
            ("after", "success", ["transferring", "transferAccepted", None, "terminated"]),
            ("none", "success", ["transferring", "transferAccepted", "terminated"]),
            ("after", "failure", ["transferring", "transferAccepted", None, "established", None]),
        ],
    )
    def test_media_inactive_placement(
        self, placement: str, outcome: str, expected: list[str | None]
    ) -> None:
        """The audio-inactive update (no state) falls before or after transferAccepted."""
        plan = Plan(
            scenario="blind-user",
            call_id=CALL,
            outcome=outcome,
            media_inactive=placement,
            ending=None,
        )
        assert expected == states(build(plan))[3:]

    def test_media_update_shape(self) -> None:
        """The update carries mediaState audio inactive and nothing else."""
        plan = Plan(scenario="blind-user", call_id=CALL, media_inactive="before")
        update = build(plan)[4]
        data = {"@odata.type": "#microsoft.graph.call", "mediaState": {"audio": "inactive"}}
        expected = ("updated", data)
        assert expected == (update["value"][0]["changeType"], call_data(update))

    def test_fail_from_transferring(self) -> None:
        """A failure straight from transferring skips transferAccepted."""
        plan = Plan(
            scenario="consultative-pstn",
            call_id=CALL,
            outcome="failure",
            fail_from="transferring",
            ending=None,
        )
        expected = ["transferring", "established"]
        assert expected == states(build(plan))[3:]

    def test_duplicates_are_exact_and_adjacent(self) -> None:
        """A duplicated notification is delivered twice in a row, byte for byte."""
        plan = Plan(scenario="blind-user", call_id=CALL, duplicates=frozenset({0, 3}))
        lines, plain = build(plan), build(attrs.evolve(plan, duplicates=frozenset()))
        expected = [plain[0], plain[0], *plain[1:4], plain[3], *plain[4:]]
        assert expected == lines

    def test_request_precedes_each_transfer(self) -> None:
        """With a retry, each transferring follows its own request record."""
        plan = Plan(
            scenario="blind-pstn", call_id=CALL, outcome="success", retry=True, request=True
        )
        lines = build(plan)
        requests = [i for i, line in enumerate(lines) if "request" in line]
        transferring = [
            i
            for i, line in enumerate(lines)
            if "value" in line and call_data(line).get("state") == "transferring"
        ]
        expected = [i + 1 for i in requests]
        assert expected == transferring

    def test_replaces_context(self) -> None:
        """A consultative failure carries replacesContext when the plan says so."""
        plan = Plan(
            scenario="consultative-user", call_id=CALL, outcome="failure", replaces_context=True
        )
        failed = [
            call_data(line)
            for line in build(plan)
            if "value" in line
            and "resultInfo" in call_data(line)
            and call_data(line).get("state") == "established"
        ]
        expected = [plan.replaces_call_id]
        assert expected == [d["replacesContext"] for d in failed]

    def test_operation_notifications(self) -> None:
        """An operation runs, then completes as ``deleted`` with no call state."""
        plan = Plan(scenario="hang-up", call_id=CALL, operation="playPrompt")
        url = f"/communications/calls/{CALL}/operations/{plan.operation_id}"
        ops = [line["value"][0] for line in build(plan) if line["value"][0]["resourceUrl"] == url]
        seen = [
            (o["changeType"], o["resourceData"]["status"], "state" in o["resourceData"])
            for o in ops
        ]
        expected = [("updated", "running", False), ("deleted", "completed", False)]
        assert expected == seen
        expected_type = "#microsoft.graph.playPromptOperation"
        assert expected_type == ops[0]["resourceData"]["@odata.type"]

    def test_participants_notification(self) -> None:
        """The roster notification's resourceData is an array of participants."""
        plan = Plan(scenario="hang-up", call_id=CALL, participants=True)
        url = f"/communications/calls/{CALL}/participants"
        rosters = [
            line["value"][0]["resourceData"]
            for line in build(plan)
            if line["value"][0]["resourceUrl"] == url
        ]
        expected = [2]
        assert expected == [len(r) for r in rosters]
        expected_types = {"#microsoft.graph.participant"}
        assert expected_types == {p["@odata.type"] for p in rosters[0]}

    @pytest.mark.parametrize(
        ("ending", "tail"),
        [
            ("terminating", [("updated", "terminating"), ("deleted", "terminated")]),
            ("deleted", [("deleted", "terminated")]),
            ("deleted-bare", [("deleted", None)]),
        ],
    )
    def test_endings(self, ending: str, tail: list[tuple[str, str | None]]) -> None:
        """A hang-up ends through terminating, or straight deleted with or without state."""
        plan = Plan(scenario="hang-up", call_id=CALL, ending=ending, end_code=(200, 4097))
        items = [line["value"][0] for line in build(plan)][-len(tail) :]
        assert tail == [(i["changeType"], i["resourceData"].get("state")) for i in items]
        info = items[-1]["resourceData"]["resultInfo"]
        expected = (200, 4097)
        assert expected == (info["code"], info["subcode"])

    def test_reject(self) -> None:
        """A reject is incoming, then ``deleted`` with no state."""
        lines = build(Plan(scenario="reject", call_id=CALL))
        expected = [("created", "incoming"), ("deleted", None)]
        assert expected == [
            (line["value"][0]["changeType"], call_data(line).get("state")) for line in lines
        ]

    def test_redirect(self) -> None:
        """A redirect goes incoming, redirecting, then ends."""
        plan = Plan(scenario="redirect", call_id=CALL, ending="deleted")
        expected = ["incoming", "redirecting", "terminated"]
        assert expected == states(build(plan))


def test_event_is_data() -> None:
    """The fail event really is keyed by markers in the definition (guards the test above)."""
    event: Event = CALL_MACHINE.event("fail_transfer")
    expected = set(TRANSFER_FAILURE)
    assert expected == {m.kind for m in event.markers}
