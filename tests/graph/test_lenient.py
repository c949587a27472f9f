"""The variants real payloads send are read, and written back in the form they came in."""

from __future__ import annotations

import warnings
from typing import Any

import pytest

from callstate.errors import UnknownValueWarning
from callstate.graph import (
    Call,
    CallMediaState,
    CallState,
    ChangeType,
    CommsNotification,
    CommsOperation,
    EndpointType,
    InvitationParticipantInfo,
    MediaState,
    OperationStatus,
    Participant,
    ResultInfo,
    dump,
    parse,
    parse_notifications,
)

CALL_URL = "/communications/calls/341a0500-d4bf-4224-8b19-1581168d328b"


def _notification(**fields: Any) -> dict[str, Any]:
    return {"changeType": "updated", "resourceUrl": CALL_URL, **fields}


class TestSubcodeSpelling:
    """``subcode`` and ``subCode``."""

    @pytest.mark.parametrize("key", ["subcode", "subCode"])
    def test_both_spellings_read(self, key: str) -> None:
        """Either spelling fills ``subcode``."""
        assert ResultInfo(500, 7000) == parse(ResultInfo, {"code": 500, key: 7000})

    @pytest.mark.parametrize("key", ["subcode", "subCode"])
    def test_spelling_written_back(self, key: str) -> None:
        """dump uses the spelling that was read."""
        data = {"code": 500, key: 7000, "message": "m"}
        assert data == dump(parse(ResultInfo, data))

    def test_new_object_uses_reference_spelling(self) -> None:
        """An object built in Python is written with the reference's ``subcode``."""
        expected = {"code": 0, "subcode": 7015}
        assert expected == dump(ResultInfo(0, 7015))


class TestDigitStrings:
    """Integers sent as strings of digits."""

    def test_read_as_integers(self) -> None:
        """``"200"`` reads as 200."""
        assert ResultInfo(200, 5001) == parse(ResultInfo, {"code": "200", "subcode": "5001"})

    def test_written_back_as_strings(self) -> None:
        """An unchanged value is written back in its string form."""
        data = {"code": "200", "subcode": "5001", "message": "0#5002.@"}
        assert data == dump(parse(ResultInfo, data))

    def test_changed_value_written_as_integer(self) -> None:
        """Once changed, a value is written as a JSON integer."""
        info = parse(ResultInfo, {"code": "200", "subcode": "5001"})
        info.code = 500
        expected = {"code": 500, "subcode": "5001"}
        assert expected == dump(info)

    def test_negative_and_leading_zeros(self) -> None:
        """``"-1"`` and ``"007"`` are integers too, and come back unchanged."""
        data = {"code": "-1", "subcode": "007"}
        info = parse(ResultInfo, data)
        expected = (-1, 7)
        assert expected == (info.code, info.subcode)
        assert data == dump(info)


class TestEnumCase:
    """Enum values in any letter case."""

    @pytest.mark.parametrize("sent", ["Established", "ESTABLISHED", "established"])
    def test_call_state_any_case(self, sent: str) -> None:
        """The state reads as the canonical value, and is written back as sent."""
        call = parse(Call, {"state": sent})
        expected = CallState.ESTABLISHED
        assert expected == call.state
        assert type(call.state) is str
        assert {"state": sent} == dump(call)

    def test_change_type_any_case(self) -> None:
        """``"Updated"`` (seen in SDK logs) reads as ``updated``."""
        body = _notification(changeType="Updated")
        notification = parse(CommsNotification, body)
        assert ChangeType.UPDATED is notification.change_type
        assert body == dump(notification)

    @pytest.mark.parametrize(
        ("cls", "key", "attribute", "sent", "expected"),
        [
            (CallMediaState, "audio", "audio", "INACTIVE", MediaState.INACTIVE),
            (
                InvitationParticipantInfo,
                "endpointType",
                "endpoint_type",
                "SkypeForBusiness",
                EndpointType.SKYPE_FOR_BUSINESS,
            ),
            (CommsOperation, "status", "status", "Completed", OperationStatus.COMPLETED),
        ],
    )
    def test_other_enums_any_case(
        self, cls: type[Any], key: str, attribute: str, sent: str, expected: Any
    ) -> None:
        """Every Graph enum reads in any case, and is written back as sent."""
        obj = parse(cls, {key: sent})
        assert expected is getattr(obj, attribute)
        assert {key: sent} == dump(obj)

    def test_equal_whatever_the_case(self) -> None:
        """Objects that differ only in the case sent are equal."""
        assert parse(Call, {"state": "Hold"}) == parse(Call, {"state": "hold"})


class TestUnknownEnumValues:
    """Unknown values of evolvable enums read as unknownFutureValue, with a warning."""

    def test_call_state_unknown(self) -> None:
        """An unknown state warns with its pointer and reads as unknownFutureValue."""
        with pytest.warns(UnknownValueWarning, match=r"/resourceData/state.*'parked'"):
            notification = parse(CommsNotification, _notification(resourceData={"state": "parked"}))
        assert notification.call is not None
        expected = CallState.UNKNOWN_FUTURE_VALUE
        assert expected == notification.call.state

    def test_original_kept_for_dump(self) -> None:
        """dump writes the value that was sent, not unknownFutureValue."""
        with pytest.warns(UnknownValueWarning):
            operation = parse(CommsOperation, {"status": "paused"})
        assert OperationStatus.UNKNOWN_FUTURE_VALUE is operation.status
        expected = {"status": "paused"}
        assert expected == dump(operation)

    def test_pointer_of_nested_value(self) -> None:
        """The warning names the full pointer, in a batch."""
        body = {
            "value": [
                _notification(),
                _notification(resourceData={"mediaState": {"audio": "muted"}}),
            ]
        }
        with pytest.warns(UnknownValueWarning, match="/value/1/resourceData/mediaState/audio"):
            parse_notifications(body)

    def test_unknown_future_value_itself_does_not_warn(self) -> None:
        """``unknownFutureValue`` is a known value."""
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            call = parse(Call, {"direction": "unknownFutureValue"})
        expected = "unknownFutureValue"
        assert expected == call.direction


class TestLegacyResource:
    """``resource`` (the legacy ``/app/...`` form) alongside or instead of ``resourceUrl``."""

    def test_resource_instead_of_resource_url(self) -> None:
        """A body with only ``resource`` is read, and flagged legacy."""
        body = {
            "changeType": "deleted",
            "resource": "/app/calls/abc",
            "resourceData": {"state": "terminated"},
        }
        notification = parse(CommsNotification, body)
        expected = ("abc", "call", True)
        assert expected == (
            notification.ref.call_id,
            notification.ref.kind,
            notification.ref.legacy,
        )
        assert body == dump(notification)

    def test_resource_alongside_resource_url(self) -> None:
        """Both are kept; the current form is the one used."""
        body = _notification(resource="/app/calls/341a0500-d4bf-4224-8b19-1581168d328b")
        notification = parse(CommsNotification, body)
        expected = CALL_URL
        assert expected == notification.url
        assert notification.ref.legacy is False
        assert body == dump(notification)


class TestResourceDataShapes:
    """``resourceData`` as object or array, typed by URL kind and ``@odata.type``."""

    def test_object(self) -> None:
        """An object under a call URL is a Call."""
        notification = parse(CommsNotification, _notification(resourceData={"state": "hold"}))
        assert Call(state="hold") == notification.resource_data

    def test_array(self) -> None:
        """An array stays a list, each item typed."""
        body = _notification(resourceData=[{"state": "hold"}])
        notification = parse(CommsNotification, body)
        assert [Call(state="hold")] == notification.resource_data
        expected = "hold"
        assert expected == notification.call_state
        assert body == dump(notification)

    def test_participants_roster(self) -> None:
        """A participants URL with an array gives a list of Participant."""
        body = {
            "changeType": "updated",
            "resourceUrl": f"{CALL_URL}/participants",
            "resourceData": [
                {"@odata.type": "#microsoft.graph.participant", "id": "p1", "isMuted": True}
            ],
        }
        notification = parse(CommsNotification, body)
        assert [Participant(id="p1", is_muted=True, odata_type="#microsoft.graph.participant")] == (
            notification.resource_data
        )
        assert notification.call_state is None
        assert body == dump(notification)

    def test_operation(self) -> None:
        """An operations URL gives a CommsOperation; @odata.type tells which operation."""
        body = {
            "changeType": "deleted",
            "resourceUrl": f"{CALL_URL}/operations/op1",
            "resourceData": {
                "@odata.type": "#microsoft.graph.playPromptOperation",
                "status": "completed",
                "resultInfo": {"code": 200, "subcode": 0},
            },
        }
        notification = parse(CommsNotification, body)
        assert isinstance(notification.resource_data, CommsOperation)
        expected = "playPromptOperation"
        assert expected == notification.resource_data.operation_type
        assert notification.call_state is None
        assert body == dump(notification)

    def test_unknown_odata_type_stays_a_dict(self) -> None:
        """A resource of a type callstate does not read is kept as plain JSON."""
        data = {"@odata.type": "#microsoft.graph.audioRoutingGroup", "routingMode": "oneToOne"}
        notification = parse(CommsNotification, _notification(resourceData=data))
        assert data == notification.resource_data


class TestDeletedWithoutState:
    """A ``deleted`` call notification with no ``state`` means terminated."""

    def test_call_state_is_terminated(self) -> None:
        """The helper says terminated; the data stays as sent."""
        body = {
            "changeType": "deleted",
            "resourceUrl": CALL_URL,
            "resourceData": {"@odata.type": "#microsoft.graph.call"},
        }
        notification = parse(CommsNotification, body)
        expected = "terminated"
        assert expected == notification.call_state
        assert notification.call is not None
        assert notification.call.state is None
        assert body == dump(notification)

    def test_no_resource_data(self) -> None:
        """Also when there is no resourceData at all."""
        notification = parse(CommsNotification, {"changeType": "deleted", "resourceUrl": CALL_URL})
        expected = "terminated"
        assert expected == notification.call_state

    def test_updated_without_state_reports_none(self) -> None:
        """An ``updated`` notification with no state carries no state."""
        notification = parse(
            CommsNotification, _notification(resourceData={"mediaState": {"audio": "inactive"}})
        )
        assert notification.call_state is None


class TestBodies:
    """parse_notifications accepts an envelope, a bare notification or an array."""

    def test_bare_notification(self) -> None:
        """A bare notification is wrapped in an envelope."""
        body = _notification(resourceData={"state": "established"})
        assert [parse(CommsNotification, body)] == parse_notifications(body).value

    def test_array(self) -> None:
        """An array of notifications is wrapped too."""
        body = [_notification(), _notification(changeType="deleted")]
        expected = 2
        assert expected == len(parse_notifications(body).value)

    @pytest.mark.parametrize("as_type", [str, bytes])
    def test_text(self, as_type: type[Any]) -> None:
        """JSON text is accepted as str or bytes."""
        text = '{"value": [{"changeType": "created", "resourceUrl": "/communications/calls/x"}]}'
        data = text if as_type is str else text.encode()
        assert ChangeType.CREATED is parse_notifications(data).value[0].change_type


class TestUnknownFieldsAndNulls:
    """Nothing is dropped: unknown members and explicit nulls come back."""

    def test_unknown_members_kept(self) -> None:
        """Unknown members are kept in ``extra`` and written back."""
        data = {"state": "established", "@odata.etag": "W/1", "newThing": {"a": [1, 2]}}
        call = parse(Call, data)
        expected = {"@odata.etag": "W/1", "newThing": {"a": [1, 2]}}
        assert expected == call.extra
        assert data == dump(call)

    def test_explicit_null_kept(self) -> None:
        """An explicit null is written back as null, an absent key stays absent."""
        data = {"state": "established", "resultInfo": None}
        assert data == dump(parse(Call, data))

    def test_raw_objects_kept(self) -> None:
        """toneInfo, chatInfo, meetingInfo and incomingContext stay plain JSON."""
        data = {
            "toneInfo": {"tone": "tone1", "sequenceId": 2},
            "incomingContext": {"transferor": {"user": {"id": "u"}}},
        }
        call = parse(Call, data)
        assert data["toneInfo"] == call.tone_info
        assert data == dump(call)
