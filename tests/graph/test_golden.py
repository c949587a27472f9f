"""Every JSON body of the spec parses and writes back the same; the golden data is the page's."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import orjson
import pytest

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
from tests.spec_page import DATA, README, committed_files, data_files, read_page, spec_file


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


def _page() -> Path:
    """The spec page; the test is skipped when it is not beside the repo and not named."""
    page = spec_file()
    if not page.is_file():
        if os.environ.get("CALLSTATE_SPEC"):
            pytest.fail(f"CALLSTATE_SPEC names {page}, which is not a file")
        pytest.skip(
            f"spec page not found at {page}: the golden data in tests/data/spec is used as "
            "committed (set CALLSTATE_SPEC to check it against the page)"
        )
    return page


_PAGE = """### Example 7: Call transfer
<!-- { "blockType": "request" } -->
```http
POST https://graph.microsoft.com/beta/communications/calls/{id}/transfer
Content-Type: application/json

{"transferTarget": {}}
```
#### Notification - transferring
```http
POST https://bot.contoso.com/api/calls
```
```json
{"value": []}
```
"""


class TestGoldenData:
    """``tests/data/spec`` holds the spec page's examples; the suite needs no page."""

    def test_data_files_are_the_page(self) -> None:
        """Every data file is the page's block byte for byte, and no block is left out."""
        expected = data_files(read_page(_page().read_text(encoding="utf-8")))
        assert expected == committed_files()

    def test_readme_names_the_source(self) -> None:
        """The data directory says where its files come from and how they were made."""
        readme = (DATA / README).read_text(encoding="utf-8")
        for needed in ("call-transfer.md", "python3 -m tests.spec_page", "CALLSTATE_SPEC"):
            assert needed in readme

    def test_reader_takes_the_request_and_titled_notifications(self) -> None:
        """An example's request line, headers, body and titled JSON blocks are read as written."""
        (example,) = read_page(_PAGE)
        expected = (
            7,
            "POST",
            "https://graph.microsoft.com/beta/communications/calls/{id}/transfer",
            {"Content-Type": "application/json"},
            '{"transferTarget": {}}\n',
            {"transferring": '{"value": []}\n'},
        )
        actual = (
            example.number,
            example.method,
            example.url,
            example.headers,
            example.body,
            example.notifications,
        )
        assert expected == actual

    @pytest.mark.parametrize(
        ("page", "message"),
        [
            (_PAGE.replace("#### Notification - transferring", "#### Response"), "under"),
            (_PAGE.replace('"request"', '"example"'), "not annotated"),
            (_PAGE.replace("\n\n{", "\n{"), "no request"),
            ("```json\n{}\n```\n" + _PAGE, "before the first example"),
        ],
        ids=["json-outside-a-notification", "unannotated-request", "no-request", "stray-json"],
    )
    def test_reader_refuses_a_page_it_does_not_understand(self, page: str, message: str) -> None:
        """A page laid out otherwise is a clear ValueError, never a silent partial read."""
        with pytest.raises(ValueError, match=message):
            read_page(page)
