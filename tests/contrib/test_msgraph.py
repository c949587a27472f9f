"""The real msgraph-sdk: its transfer request reaches the tracker, and its models are read.

msgraph-sdk sends through an httpx ``AsyncClient``; the test builds a
``GraphServiceClient`` on an observed one, with a static token, pointed at a local
stand-in for Graph on 127.0.0.1, and calls
``communications.calls.by_call_id(id).transfer.post(body)``.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any, ClassVar

import httpx
import orjson
import pytest
from azure.core.credentials import AccessToken
from kiota_authentication_azure.azure_identity_authentication_provider import (
    AzureIdentityAuthenticationProvider,
)
from kiota_serialization_json.json_parse_node import JsonParseNode
from msgraph import GraphRequestAdapter, GraphServiceClient
from msgraph.generated.communications.calls.item.transfer.transfer_post_request_body import (
    TransferPostRequestBody,
)
from msgraph.generated.models.call import Call as SdkCall
from msgraph.generated.models.identity import Identity
from msgraph.generated.models.identity_set import IdentitySet
from msgraph.generated.models.invitation_participant_info import InvitationParticipantInfo
from msgraph_core import GraphClientFactory

from callstate import Finding, Tracker, UsageError, validate_transfer_request
from callstate.contrib.kiota import is_model, to_json
from callstate.graph import Call, parse
from callstate.simulate import simulate
from tests.contrib.conftest import StandInGraph, load_example

#: Until the lead wires callstate.contrib.kiota.to_json into the tracker's and the transfer
#: validator's body reading, kiota models are a UsageError there.

#: msgraph-sdk warns about its own generated request configurations.
pytestmark = [
    pytest.mark.filterwarnings("ignore:This class is deprecated:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:GetQueryParameters is deprecated:DeprecationWarning"),
]

CALL = "4a1f0c00-9f3e-4e4c-9a4b-0b5d4e1a2c3d"
USER = "550fae72-d251-43ec-868c-373732c2704f"


class _StaticToken:
    """An ``AsyncTokenCredential`` that always has the same token."""

    async def get_token(self, *scopes: str, **options: Any) -> AccessToken:
        return AccessToken("test-token", int(time.time()) + 3600)

    async def close(self) -> None:
        pass

    async def __aenter__(self) -> _StaticToken:
        return self

    async def __aexit__(self, *exc: object) -> None:
        pass


def _blind(*, replaces: str | None = None) -> TransferPostRequestBody:
    """A transfer to a user; consultative when it replaces a call."""
    return TransferPostRequestBody(
        transfer_target=InvitationParticipantInfo(
            identity=IdentitySet(user=Identity(id=USER, additional_data={"tenantId": "t1"})),
            replaces_call_id=replaces,
            additional_data={"endpointType": "default"},
        )
    )


def _sdk_transfer(base: str, tracker: Tracker | None, body: TransferPostRequestBody) -> None:
    """Send ``body`` with the README's ``graph_client``, or an unobserved client."""
    graph_client = load_example("bot_requests").graph_client

    async def send() -> None:
        async with httpx.AsyncClient() as http:
            if tracker is None:
                auth = AzureIdentityAuthenticationProvider(_StaticToken())
                adapter = GraphRequestAdapter(
                    auth, client=GraphClientFactory.create_with_default_middleware(client=http)
                )
                client = GraphServiceClient(request_adapter=adapter)
            else:
                client = graph_client(_StaticToken(), tracker, http)
            client.request_adapter.base_url = base  # the stand-in, not graph.microsoft.com
            await client.communications.calls.by_call_id(CALL).transfer.post(body)

    asyncio.run(send())


def _consultative_call_with_sdk_request(
    base: str, tracker: Tracker, observed: bool, body: TransferPostRequestBody
) -> list[Finding]:
    """A consultative call's notifications, the SDK's transfer request sent before transferring."""
    found: list[Finding] = []
    sent = False
    for envelope in simulate("consultative-user", seed=1, call_id=CALL):
        if "request" in envelope:
            continue  # the SDK sends the bot's request instead
        data = [n.get("resourceData") for n in envelope["value"]]
        if not sent and any(isinstance(d, dict) and d.get("state") == "transferring" for d in data):
            _sdk_transfer(base, tracker if observed else None, body)
            sent = True
        found.extend(tracker.ingest(envelope))
    assert sent
    return found


class TestTransferRequest:
    def test_the_sdk_request_reaches_the_tracker(self, graph: tuple[str, StandInGraph]) -> None:
        """transfer.post goes to the stand-in Graph, and the tracker gets its record."""
        base, app = graph
        handed: list[object] = []

        class Recording(Tracker):
            def ingest(self, body: object, *, line: int | None = None) -> tuple[Finding, ...]:
                handed.append(body)
                return super().ingest(body, line=line)

        _sdk_transfer(base, Recording(), _blind())
        ((method, path, sent),) = app.requests
        expected = {
            "request": {
                "method": "POST",
                "url": f"/v1.0/communications/calls/{CALL}/transfer",
                "body": orjson.loads(sent),
            },
            "response": {"status": 202},
        }
        assert (("POST", f"/v1.0/communications/calls/{CALL}/transfer"), [expected]) == (
            (method, path),
            handed,
        )

    def test_the_sdk_body_is_a_valid_blind_transfer(self, graph: tuple[str, StandInGraph]) -> None:
        """What the SDK sent validates as a blind transfer to a user."""
        base, app = graph
        _sdk_transfer(base, None, _blind())
        verdict = validate_transfer_request(
            orjson.loads(app.requests[0][2]), path=app.requests[0][1]
        )
        assert (True, "blind", CALL) == (verdict.ok, verdict.kind, verdict.call_id)

    def test_kind_mismatch_needs_the_request(self, graph: tuple[str, StandInGraph]) -> None:
        """A blind request, then a consultative ending: found only when the request is observed."""
        base, _app = graph
        seen = _consultative_call_with_sdk_request(base, Tracker(), True, _blind())
        unseen = _consultative_call_with_sdk_request(base, Tracker(), False, _blind())
        assert (["transfer-kind-mismatch"], []) == (
            [f.rule for f in seen],
            [f.rule for f in unseen],
        )

    def test_matching_kind_is_accepted(self, graph: tuple[str, StandInGraph]) -> None:
        """A consultative request (replacesCallId) and a consultative ending: no finding."""
        base, _app = graph
        body = _blind(replaces="b2d3c0a0-1111-4222-8333-444455556666")
        assert [] == _consultative_call_with_sdk_request(base, Tracker(), True, body)


class TestModels:
    def test_to_json_writes_what_the_sdk_sends(self) -> None:
        """kiota's writer gives the Graph JSON of a request body."""
        expected = {
            "transferTarget": {
                "identity": {"user": {"id": USER, "tenantId": "t1"}},
                "endpointType": "default",
            }
        }
        assert (True, expected) == (is_model(_blind()), to_json(_blind()))

    def test_to_json_of_anything_else_is_none(self) -> None:
        """Only kiota models are converted."""
        assert (None, None, False) == (to_json({"a": 1}), to_json(object()), is_model({}))

    def test_model_validates_after_to_json(self) -> None:
        """validate_transfer_request judges the model's JSON."""
        verdict = validate_transfer_request(to_json(_blind()))
        assert (True, "blind") == (verdict.ok, verdict.kind)

    def test_validate_takes_a_model(self) -> None:
        """validate_transfer_request judges a model as its JSON."""
        verdict = validate_transfer_request(_blind(), path=f"/communications/calls/{CALL}/transfer")
        assert (True, "blind") == (verdict.ok, verdict.kind)

    def test_tracker_takes_a_model_in_a_record(self) -> None:
        """A request record whose body is a kiota model is read as its JSON."""
        record = {
            "request": {
                "method": "POST",
                "url": f"/communications/calls/{CALL}/transfer",
                "body": _blind(),
            }
        }
        assert () == Tracker().ingest(record)

    def test_tracker_takes_a_model(self) -> None:
        """A kiota model handed to ingest is judged as its JSON (a Call is no webhook body)."""
        model = SdkCall(additional_data={})
        assert ["malformed"] == [f.rule for f in Tracker().ingest(model)]

    def test_other_objects_stay_usage_errors(self) -> None:
        """Any other Python object is a UsageError, not a Graph violation."""
        with pytest.raises(UsageError):
            Tracker().ingest(object())


class TestWhatKiotaLoses:
    """What kiota's parser drops from Graph JSON, and callstate's reader keeps."""

    DATA: ClassVar[dict[str, Any]] = {
        "@odata.type": "#microsoft.graph.call",
        "state": "ringing",
        "resultInfo": {
            "@odata.type": "#microsoft.graph.resultInfo",
            "code": "500",
            "subCode": 7000,
        },
    }

    def _kiota(self) -> SdkCall:
        return JsonParseNode(self.DATA).get_object_value(SdkCall)

    def test_ringing_becomes_none(self) -> None:
        """v1.0's CallState has no ringing: kiota gives None, callstate keeps ringing."""
        assert (None, "ringing") == (self._kiota().state, parse(Call, self.DATA).state)

    def test_subcode_spelling_lands_in_additional_data(self) -> None:
        """kiota reads ``subcode``: ``subCode`` lands in additional_data; callstate reads it."""
        info = self._kiota().result_info
        assert info is not None
        ours = parse(Call, self.DATA).result_info
        assert ours is not None
        assert ((None, {"subCode": 7000}), 7000) == (
            (info.subcode, info.additional_data),
            ours.subcode,
        )

    def test_string_code_becomes_none(self) -> None:
        """A code sent as "500" is None in kiota; callstate reads 500."""
        info = self._kiota().result_info
        assert info is not None
        ours = parse(Call, self.DATA).result_info
        assert ours is not None
        assert (None, 500) == (info.code, ours.code)

    def test_written_back_the_state_and_code_are_gone(self) -> None:
        """Written back by kiota, the parsed model has lost state and code for good."""
        written = to_json(self._kiota())
        assert isinstance(written, dict)
        assert (False, False, 7000) == (
            "state" in written,
            "code" in written["resultInfo"],
            written["resultInfo"]["subCode"],
        )
