"""What must be ACCEPTED of sub-resources and of every form a body may take."""

from __future__ import annotations

from tests.verdict.conftest import (
    CALL,
    RunJson,
    envelope,
    note,
    opening,
    request,
    signal_note,
)
from tests.verdict.test_accept import (
    NO_VIOLATIONS,
    final_state,
    verdicts,
)


class TestSubResources:
    """Operations and participants: checked for shape, attributed, never moving the call."""

    OP = "/operations/0fe0623f-d628-42ed-b4bd-8ac290072cc5"

    def test_operation_lifecycle(self, run_json: RunJson) -> None:
        """An operation running, completed, then deleted without state: the call lives on."""
        result = {"code": 200, "subcode": 8510, "message": "Action completed"}
        bodies: list[object] = [
            *opening(),
            envelope(note(sub=self.OP, data={"status": "running", "clientContext": "c"})),
            envelope(
                note(
                    sub=self.OP,
                    data={
                        "@odata.type": "#microsoft.graph.playPromptOperation",
                        "status": "completed",
                        "resultInfo": result,
                    },
                )
            ),
            envelope(note(sub=self.OP, change="deleted", data={"status": "Completed"})),
            envelope(note(sub=self.OP, change="deleted")),
            envelope(note("transferring")),
        ]
        expected = (NO_VIOLATIONS, "transferring")
        assert expected == (verdicts(bodies, run_json), final_state(bodies))

    def test_participants_array(self, run_json: RunJson) -> None:
        """The roster arrives as an array of participants; the call stays established."""
        roster = [
            {"@odata.type": "#microsoft.graph.participant", "id": "p1", "isMuted": False},
            {"@odata.type": "#microsoft.graph.participant", "id": "p2", "isInLobby": False},
        ]
        bodies: list[object] = [
            *opening(),
            envelope(note(sub="/participants", data=roster)),
            envelope(note("hold")),
        ]
        expected = (NO_VIOLATIONS, "hold")
        assert expected == (verdicts(bodies, run_json), final_state(bodies))


class TestForms:
    """The lenient forms real payloads use."""

    def test_capitalised_values_and_legacy_resource(self, run_json: RunJson) -> None:
        """Capitalised state/changeType, the legacy resource, a bare notification line."""
        legacy = {
            "changeType": "Updated",
            "resource": f"/app/calls/{CALL}",
            "resourceData": {"state": "Established"},
        }
        bodies: list[object] = [
            envelope(note("Incoming", change="Created")),
            legacy,
            note("Transferring"),
        ]
        expected = (NO_VIOLATIONS, "transferring")
        assert expected == (verdicts(bodies, run_json), final_state(bodies))

    def test_batched_envelope(self, run_json: RunJson) -> None:
        """Several notifications in one body are taken in order."""
        bodies: list[object] = [
            envelope(
                note("incoming", change="created"),
                note("establishing"),
                note("established"),
                note("transferring"),
            ),
        ]
        expected = (NO_VIOLATIONS, "transferring")
        assert expected == (verdicts(bodies, run_json), final_state(bodies))

    def test_request_then_matching_outcome(self, run_json: RunJson) -> None:
        """A consultative request ending in AppTransferred matches its kind."""
        target = {"identity": {"user": {"id": "u1"}}, "replacesCallId": "r1"}
        bodies: list[object] = [
            *opening(),
            request({"transferTarget": target}),
            envelope(note("transferring")),
            envelope(note("transferAccepted")),
            envelope(signal_note("complete_transfer", "consultative")),
        ]
        expected = NO_VIOLATIONS
        assert expected == verdicts(bodies, run_json)
