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
from callstate.machine.definition import Marker
from callstate.simulate import (
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

    @pytest.mark.parametrize(
        ("changes", "said"),
        [
            ({"call_id": "a b" * 100_000}, "got the string 'a ba ba ba ba ba ba ba ba ba ba ba"),
            ({"duplicates": frozenset(range(-1, 100_000))}, "got a Python frozenset"),
            ({"retry": "yes"}, "got the string 'yes'"),
        ],
    )
    def test_said_bounded(self, changes: dict[str, Any], said: str) -> None:
        """A bad value is described, not printed: a huge one gives a short message."""
        with pytest.raises(UsageError) as caught:
            Plan(**{"scenario": "blind-user", "call_id": CALL, **changes})
        message = caught.value.message
        assert (True, True) == (said in message, len(message) < 300)

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
