"""Bad input raises ParseError naming the JSON pointer of the bad field and what was expected."""

from __future__ import annotations

from typing import Any

import pytest

from callstate.errors import ParseError, UsageError
from callstate.graph import (
    Call,
    CommsNotifications,
    ResultInfo,
    TransferRequest,
    dumps,
    parse,
    parse_notifications,
)

URL = "/communications/calls/c1"


def _body(**fields: Any) -> dict[str, Any]:
    return {"value": [{"changeType": "updated", "resourceUrl": URL, **fields}]}


@pytest.mark.parametrize(
    ("body", "pointer", "expected"),
    [
        (
            _body(resourceData={"resultInfo": {"code": "abc"}}),
            "/value/0/resourceData/resultInfo/code",
            "integer",
        ),
        (
            _body(resourceData={"resultInfo": {"subCode": 1.5}}),
            "/value/0/resourceData/resultInfo/subCode",
            "integer",
        ),
        (
            _body(resourceData={"resultInfo": {"code": True}}),
            "/value/0/resourceData/resultInfo/code",
            "integer",
        ),
        (_body(resourceData={"state": 3}), "/value/0/resourceData/state", "callState string"),
        (
            _body(resourceData={"mediaState": "active"}),
            "/value/0/resourceData/mediaState",
            "object",
        ),
        (_body(resourceData={"toneInfo": []}), "/value/0/resourceData/toneInfo", "object"),
        (_body(resourceData={"targets": {}}), "/value/0/resourceData/targets", "array"),
        (
            _body(resourceData={"targets": [{"hidden": "yes"}]}),
            "/value/0/resourceData/targets/0/hidden",
            "true or false",
        ),
        (
            _body(resourceData={"resultInfo": {"code": 1, "subcode": 2, "subCode": 3}}),
            "/value/0/resourceData/resultInfo/subCode",
            "disagree",
        ),
        (_body(resourceData=[{"state": "hold"}, 7]), "/value/0/resourceData/1", "object"),
        (_body(resourceData="established"), "/value/0/resourceData", "object"),
        (_body(changeType="moved"), "/value/0/changeType", "created, updated, deleted"),
        (_body(changeType=None), "/value/0/changeType", "created, updated, deleted"),
        ({"value": [{"resourceUrl": URL}]}, "/value/0/changeType", "created, updated, deleted"),
        ({"value": [{"changeType": "updated"}]}, "/value/0/resourceUrl", "resourceUrl"),
        (
            _body(resourceUrl="/communications/calls"),
            "/value/0/resourceUrl",
            "/communications/calls/{id}",
        ),
        (_body(resourceUrl=42), "/value/0/resourceUrl", "string"),
        (_body(resource="/app/calls/other"), "/value/0/resource", "another resource"),
        (_body(resourceData={"@odata.type": 5}), "/value/0/resourceData/@odata.type", "string"),
        ({"value": {}}, "/value", "array of commsNotification"),
        ({"value": [3]}, "/value/0", "object"),
        ({"value": None}, "/value", "array of commsNotification"),
    ],
)
def test_pointer_and_expectation(body: dict[str, Any], pointer: str, expected: str) -> None:
    """The error names the bad field's pointer and what was expected there."""
    with pytest.raises(ParseError) as caught:
        parse_notifications(body)
    assert pointer == caught.value.pointer
    assert expected in caught.value.message


def test_call_id_named_in_notification_errors() -> None:
    """Errors inside a notification name the call it is about."""
    with pytest.raises(ParseError) as caught:
        parse_notifications(_body(resourceData={"state": 3}))
    expected = "c1"
    assert expected == caught.value.call_id
    assert str(caught.value).startswith("call c1 at /value/0/resourceData/state")


def test_invalid_json_names_line() -> None:
    """Text that is not JSON is a ParseError with the line of the fault."""
    with pytest.raises(ParseError) as caught:
        parse_notifications(b'{\n  "value": [\n  }')
    expected = 3
    assert expected == caught.value.line
    assert "not valid JSON" in caught.value.message


@pytest.mark.parametrize("body", [42, "null", "[1]", {"foo": 1}])
def test_not_a_notification_body(body: Any) -> None:
    """A body that is neither an envelope, a notification nor an array of them is rejected."""
    with pytest.raises(ParseError) as caught:
        parse_notifications(body)
    assert caught.value.pointer in ("", "/0")


@pytest.mark.parametrize(
    ("cls", "data", "pointer"),
    [
        (Call, [], ""),
        (Call, {"id": 7}, "/id"),
        (ResultInfo, {"code": "9" * 5000}, "/code"),
        (ResultInfo, {"code": "1e3"}, "/code"),
        (ResultInfo, {"code": "١٢"}, "/code"),
        (ResultInfo, {"message": ["a"]}, "/message"),
        (
            TransferRequest,
            {"transferTarget": {"identity": {"user": "Heidi"}}},
            "/transferTarget/identity/user",
        ),
        (
            TransferRequest,
            {"transferTarget": {"identity": {"phone": {"id": 1}}}},
            "/transferTarget/identity/phone/id",
        ),
        (CommsNotifications, {}, "/value"),
    ],
)
def test_parse_pointers(cls: type[Any], data: Any, pointer: str) -> None:
    """parse locates errors in every class."""
    with pytest.raises(ParseError) as caught:
        parse(cls, data)
    assert pointer == caught.value.pointer


def test_pointer_prefix() -> None:
    """``pointer=`` prefixes errors of a body nested in a larger document."""
    with pytest.raises(ParseError) as caught:
        parse(Call, {"state": 1}, pointer="/value/3/resourceData")
    expected = "/value/3/resourceData/state"
    assert expected == caught.value.pointer


def test_not_a_resource_class() -> None:
    """Asking parse for a class it cannot read is a usage error, not a parse error."""
    with pytest.raises(UsageError) as caught:
        parse(dict, {})
    expected = "cls"
    assert expected == caught.value.argument


def test_dumps_rejects_non_resources() -> None:
    """dumps of something that is not a resource is a usage error."""
    with pytest.raises(UsageError):
        dumps({"state": "established"})
