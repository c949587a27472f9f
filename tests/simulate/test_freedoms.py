"""The simulator's freedoms: what a plan may vary and what the model then expects."""

from __future__ import annotations

import attrs
import pytest

from callstate.errors import UsageError
from callstate.facts import TRANSFER_FAILURE
from callstate.machine import CALL_MACHINE
from callstate.machine.definition import Event
from callstate.simulate import (
    CALL_END_CODES,
    ENDINGS,
    MEDIA_PLACEMENTS,
    Plan,
    build,
    expect,
)
from tests.simulate.test_plan import (
    CALL,
    _values,
    call_data,
    every_plan,
    states,
)


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
