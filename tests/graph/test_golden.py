"""Every JSON body of the spec file parses, and writing it back gives the same JSON."""

from __future__ import annotations

from typing import Any

import orjson

from callstate.graph import (
    Call,
    CallState,
    CommsNotifications,
    IdentitySet,
    TransferRequest,
    dump,
    dumps,
    parse,
    parse_notifications,
)


class TestSpecNotifications:
    """The webhook bodies of the spec's examples."""

    def test_round_trip_is_exact(self, spec_notification: dict[str, Any]) -> None:
        """dump(parse(body)) gives the body back."""
        assert spec_notification == dump(parse_notifications(spec_notification))

    def test_round_trip_through_bytes(self, spec_notification: dict[str, Any]) -> None:
        """Reading the body as bytes and writing it with orjson gives the body back."""
        body = orjson.dumps(spec_notification)
        assert spec_notification == orjson.loads(dumps(parse_notifications(body)))

    def test_reparse_is_equal(self, spec_notification: dict[str, Any]) -> None:
        """parse(dump(parse(body))) equals parse(body)."""
        first = parse_notifications(spec_notification)
        assert first == parse(CommsNotifications, dump(first))

    def test_resource_data_is_a_call(self, spec_notification: dict[str, Any]) -> None:
        """A call resource URL gives a typed Call whose state is the one sent."""
        raw = spec_notification["value"][0]
        notification = parse_notifications(spec_notification).value[0]
        assert isinstance(notification.resource_data, Call)
        assert raw["resourceData"]["state"] == notification.call_state
        assert notification.call_state in set(CallState)
        assert raw["resourceUrl"].rsplit("/", 1)[1] == notification.ref.call_id

    def test_result_info_is_read(self, spec_notification: dict[str, Any]) -> None:
        """resultInfo code and subcode are read whichever spelling the block uses."""
        raw = spec_notification["value"][0]["resourceData"].get("resultInfo")
        call = parse_notifications(spec_notification).value[0].call
        assert call is not None
        if raw is None:
            assert call.result_info is None
        else:
            assert call.result_info is not None
            expected = (raw["code"], raw.get("subcode", raw.get("subCode")))
            assert expected == (call.result_info.code, call.result_info.subcode)


class TestSpecRequests:
    """The transfer request bodies of the spec's examples."""

    def test_round_trip_is_exact(self, spec_request: dict[str, Any]) -> None:
        """dump(parse(body)) gives the body back."""
        assert spec_request == dump(parse(TransferRequest, spec_request))

    def test_target_identity_kind(self, spec_request: dict[str, Any]) -> None:
        """The target's identity set names the one kind the body sends."""
        request = parse(TransferRequest, spec_request)
        assert request.transfer_target is not None
        identity = request.transfer_target.identity
        assert isinstance(identity, IdentitySet)
        sent = [k for k in spec_request["transferTarget"]["identity"] if not k.startswith("@")]
        assert tuple(sent) == identity.kinds

    def test_consultative_marker(self, spec_request: dict[str, Any]) -> None:
        """replacesCallId is read into replaces_call_id."""
        request = parse(TransferRequest, spec_request)
        assert request.transfer_target is not None
        expected = spec_request["transferTarget"].get("replacesCallId")
        assert expected == request.transfer_target.replaces_call_id
