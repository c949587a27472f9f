"""Group calls, meeting mode, outgoing calls and the 2019 flow: each rule through API and CLI."""

from __future__ import annotations

from callstate import Tracker
from callstate.facts import MEETING_MODE_FAILURE
from callstate.rules import catalogue
from tests.verdict.conftest import CALL, Json, RunJson, envelope, note
from tests.verdict.test_lifecycle import (
    BLIND,
    P1,
    P2,
    P3,
    _with_transferee,
    asks,
    at,
    judged,
    offered,
    roster,
    same,
    state,
    up,
)


class TestGroupCalls:
    def test_group_call_with_transferee_in_roster_is_accepted(self, run_json: RunJson) -> None:
        """Reference example 5: a group call's transfer names a transferee in the roster."""
        lines = [
            *up(),
            at(4, state("established", meetingInfo={"organizer": {}})),
            at(4, roster(P1, P2, P3)),
            at(5, asks("transfer", _with_transferee(P2))),
            at(6, state("transferring")),
        ]
        assert same([(8, "unfinished-transfer")]) == judged(lines, run_json)

    def test_group_call_without_transferee_is_reported(self, run_json: RunJson) -> None:
        """chatInfo makes a group call: a transfer must name the transferee."""
        lines = [
            *up(),
            at(4, state("established", chatInfo={"threadId": "t"})),
            at(5, asks("transfer", BLIND, status=None)),
        ]
        assert same([(6, "transferee-required")]) == judged(lines, run_json)

    def test_transferee_not_in_roster_is_reported(self, run_json: RunJson) -> None:
        """A participantId the roster does not hold."""
        lines = [
            *up(),
            at(4, roster(P1, P2, P3)),
            at(5, asks("transfer", _with_transferee("p-gone"), status=None)),
        ]
        assert same([(6, "transferee-not-in-call")]) == judged(lines, run_json)

    def test_a_removed_participant_leaves_the_roster(self, run_json: RunJson) -> None:
        """A deleted roster notification removes its participants."""
        lines = [
            *up(),
            at(4, roster(P1, P2, P3)),
            at(4, roster(P3, change="deleted")),
            at(5, asks("transfer", _with_transferee(P3), status=None)),
        ]
        assert same([(7, "transferee-not-in-call")]) == judged(lines, run_json)

    def test_transferee_on_p2p_is_a_warning(self, run_json: RunJson) -> None:
        """A peer-to-peer call needs no transferee."""
        lines = [*up(), at(5, asks("transfer", _with_transferee(P2), status=None))]
        assert same([(5, "transferee-on-p2p")]) == judged(lines, run_json)

    def test_a_roster_past_the_cap_is_a_warning(self, run_json: RunJson) -> None:
        """Past roster_limit the membership is no longer followed."""
        lines = [*up(), at(4, roster(P1, P2, P3))]
        tracker = Tracker(roster_limit=2)
        found = [f.rule for line in lines for f in tracker.ingest(line)]
        assert ["roster-limit"] == found


class TestMeetingMode:
    def test_a_growing_roster_is_meeting_mode(self, run_json: RunJson) -> None:
        """A peer-to-peer call whose roster grows past two: a transfer without transferee warns."""
        lines = [
            *up(),
            at(4, roster(P1, P2)),
            at(4, roster(P3)),
            at(5, asks("transfer", BLIND, status=None)),
        ]
        assert same([(7, "meeting-mode-transfer")]) == judged(lines, run_json)

    def test_an_invite_operation_is_meeting_mode(self, run_json: RunJson) -> None:
        """An inviteParticipantsOperation converts the call for good."""
        invite = envelope(
            note(
                sub="/operations/op1",
                data={
                    "@odata.type": "#microsoft.graph.inviteParticipantsOperation",
                    "status": "completed",
                },
            )
        )
        lines = [*up(), at(4, invite), at(5, asks("transfer", BLIND, status=None))]
        assert same([(6, "meeting-mode-transfer")]) == judged(lines, run_json)

    def test_8523_fails_a_transfer_of_either_kind(self, run_json: RunJson) -> None:
        """The meeting-mode failure is a documented failure of the consultative kind too."""
        consultative = {"transferTarget": {**BLIND["transferTarget"], "replacesCallId": "r1"}}
        code, subcode = MEETING_MODE_FAILURE.code, MEETING_MODE_FAILURE.subcode
        lines = [
            *up(),
            at(5, asks("transfer", consultative)),
            at(6, state("transferring")),
            at(7, state("established", resultInfo={"code": code, "subcode": subcode})),
        ]
        assert same([]) == judged(lines, run_json)


class TestOutgoingAndLegacy:
    def test_an_outgoing_call_starts_at_establishing(self, run_json: RunJson) -> None:
        """create, 201 with the id, then establishing: --strict accepts it."""
        create = {
            "request": {"method": "POST", "url": "/communications/calls", "body": {}},
            "response": {"status": 201, "body": {"id": CALL}},
        }
        lines = [at(0, create), at(1, state("establishing")), at(2, state("established"))]
        assert same([]) == judged(lines, run_json, "--strict", strict=True)

    def test_the_2019_flow_is_the_same_transfer(self, run_json: RunJson) -> None:
        """Operation words transferring/transferAccepted, then AppTransferred, on /app paths."""

        def op(word: str, status: str, change: str) -> Json:
            return envelope(
                {
                    "changeType": change,
                    "resource": f"/app/calls/{CALL}/operations/o1",
                    "resourceData": {
                        "status": status,
                        "resultInfo": {"code": "200", "subCode": word},
                    },
                }
            )

        legacy = {
            "request": {
                "method": "POST",
                "url": f"/app/calls/{CALL}/transfer",
                "body": BLIND | {"clientContext": "c"},
            },
            "response": {"status": 202},
        }
        lines = [
            *up(),
            legacy,
            op("transferring", "running", "updated"),
            op("transferAccepted", "completed", "deleted"),
            state("terminated", change="deleted", terminationReason="AppTransferred"),
        ]
        assert same([(5, "deprecated-path")]) == judged(lines, run_json)


class TestCatalogue:
    def test_every_new_rule_is_catalogued(self) -> None:
        """Each rule of the lifecycle issue has a line in the catalogue."""
        rules = {
            "request-not-allowed",
            "answer-window-expired",
            "transferee-required",
            "transferee-not-in-call",
            "state-after-reject",
            "state-after-redirect",
            "keepalive-overdue",
            "no-transfer-notification",
            "transferee-on-p2p",
            "meeting-mode-transfer",
            "transfer-without-request",
            "roster-limit",
        }
        assert set() == rules - set(catalogue().by_id)


class TestLoggedLate:
    def test_a_transfer_logged_after_its_transferring_is_accepted(self, run_json: RunJson) -> None:
        """Sent before transferring, logged after it: the expectation is already met."""
        lines = [*up(), at(6, state("transferring")), at(5, asks("transfer", BLIND))]
        assert same([(6, "unfinished-transfer")]) == judged(lines, run_json)

    def test_a_reject_logged_after_the_call_established_is_reported(
        self, run_json: RunJson
    ) -> None:
        """Sent while incoming, logged after established: state-after-reject at once."""
        lines = [*offered(), at(2, state("established")), at(1, asks("reject", {}))]
        assert same([(3, "state-after-reject")]) == judged(lines, run_json)
