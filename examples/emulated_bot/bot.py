"""A calling bot on the real msgraph-sdk, for ``callstate emulate`` to drive end to end.

It answers an incoming call, transfers it once it is established, and keeps what it saw of
each call in ``app.state.calls``. ``create_app(..., bug=...)`` gives two deliberately broken
bots, so a test can show that the emulator catches them.

Serve ``create_app("http://127.0.0.1:PORT/v1.0")`` with any ASGI server, or run
``python examples/emulated_bot/bot.py http://127.0.0.1:PORT/v1.0 --port 3978``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any, Final
from urllib.parse import urlsplit

import attrs
import httpx
import orjson
from azure.core.credentials import AccessToken
from fastapi import BackgroundTasks, FastAPI, Request, Response
from kiota_abstractions.api_error import APIError
from kiota_authentication_azure.azure_identity_access_token_provider import (
    AzureIdentityAccessTokenProvider,
)
from kiota_authentication_azure.azure_identity_authentication_provider import (
    AzureIdentityAuthenticationProvider,
)
from msgraph.generated.communications.calls.item.answer.answer_post_request_body import (
    AnswerPostRequestBody,
)
from msgraph.generated.communications.calls.item.transfer.transfer_post_request_body import (
    TransferPostRequestBody,
)
from msgraph.generated.models.communications_identity_set import CommunicationsIdentitySet
from msgraph.generated.models.identity import Identity
from msgraph.generated.models.identity_set import IdentitySet
from msgraph.generated.models.invitation_participant_info import InvitationParticipantInfo
from msgraph.generated.models.modality import Modality
from msgraph.generated.models.service_hosted_media_config import ServiceHostedMediaConfig
from msgraph.graph_request_adapter import GraphRequestAdapter
from msgraph.graph_service_client import GraphServiceClient
from msgraph_core import GraphClientFactory  # type: ignore[import-untyped]  # no py.typed

from callstate.errors import ParseError, UsageError
from callstate.facts import CALL_STATES, CONSULTATIVE, TRANSFER_FAILURE, TRANSFER_SUCCESS
from callstate.graph.wire import read_change_type, read_resource, read_result

#: How the bot transfers: to a Teams user, to one replacing a consult call, or to a phone.
MODES: Final = ("blind", CONSULTATIVE, "pstn")
#: The deliberate bugs: transfer before established; answer only on the next notification.
BUGS: Final = ("early-transfer", "late-answer")
#: The transfer target (the spec's example user and tenant) and the PSTN number.
TARGET_USER: Final = "550fae72-d251-43ec-868c-373732c2704f"
TARGET_TENANT: Final = "72f988bf-86f1-41af-91ab-2d7cd011db47"
TARGET_PHONE: Final = "+12345678901"
#: The static token the bot sends as ``Authorization: Bearer ...``.
TOKEN: Final = "emulated-bot-token"
SCOPES: Final = ["https://graph.microsoft.com/.default"]
#: The consult call ids of consultative transfers are ``uuid5(CONSULT_NAMESPACE, call id)``.
CONSULT_NAMESPACE: Final = uuid.UUID("6f0c2a52-3c2e-4d59-9a3e-0d1c2b3a4f5e")

#: A request the bot sends after answering the webhook.
Pending = Callable[[], Awaitable[None]]

#: The hosts kiota lets a token go to over plain http.
_LOOPBACK: Final = AzureIdentityAccessTokenProvider.LOCALHOST_STRINGS
_STATES: Final = {s.lower(): s for s in CALL_STATES}
_FAILED: Final = {(r.code, r.subcode) for rs in TRANSFER_FAILURE.values() for r in rs}
_SUCCESS: Final = [r for rs in TRANSFER_SUCCESS.values() for r in rs]
_COMPLETED: Final = {(r.code, r.subcode) for r in _SUCCESS if r.termination_reason is None}
_REASONS: Final = {r.termination_reason for r in _SUCCESS if r.termination_reason is not None}


@attrs.define
class CallView:
    """What the bot saw of one call: Graph's states in order, the transfer outcome, errors."""

    states: list[str] = attrs.field(factory=list)
    #: ``"completed"`` or ``"failed"`` once Graph reported how the transfer ended.
    outcome: str | None = None
    #: One line per request the SDK raised for (a non-2xx answer or a transport error).
    errors: list[str] = attrs.field(factory=list)
    #: Whether the bot has sent (or queued) its answer and its transfer: each goes once.
    answered: bool = False
    transfer_requested: bool = False
    #: The late-answer bug: the incoming call waits for the next notification.
    answer_pending: bool = False


class StaticToken:
    """An ``AsyncTokenCredential`` with one fixed token: no identity platform is ever asked."""

    async def get_token(
        self,
        *scopes: str,
        claims: str | None = None,
        tenant_id: str | None = None,
        enable_cae: bool = False,
        **kwargs: Any,
    ) -> AccessToken:
        """The fixed token, valid for an hour from now."""
        return AccessToken(TOKEN, int(time.time()) + 3600)

    async def close(self) -> None:
        """Nothing to release."""

    async def __aenter__(self) -> StaticToken:
        return self

    async def __aexit__(self, *exc: object) -> None:
        pass


def graph_client(graph_base_url: str, http: httpx.AsyncClient) -> GraphServiceClient:
    """A real ``GraphServiceClient`` that sends to ``graph_base_url`` (``.../v1.0``).

    kiota sends the token only to ``allowed_hosts`` (to any other host it sends no
    ``Authorization`` at all), and refuses plain http except to loopback, so a plain-http
    emulator must listen on 127.0.0.1, localhost or ::1.
    """
    url = urlsplit(graph_base_url)
    host = url.hostname or ""
    if not host or (url.scheme != "https" and (url.scheme != "http" or host not in _LOOPBACK)):
        raise UsageError(
            "graph_base_url",
            f"{graph_base_url!r}: msgraph-sdk sends only to https, or to http on loopback",
        )
    auth = AzureIdentityAuthenticationProvider(StaticToken(), scopes=SCOPES, allowed_hosts=[host])
    adapter = GraphRequestAdapter(
        auth, client=GraphClientFactory.create_with_default_middleware(client=http)
    )
    adapter.base_url = graph_base_url.rstrip("/")  # not https://graph.microsoft.com/v1.0
    return GraphServiceClient(request_adapter=adapter)


def transfer_body(call_id: str, mode: str) -> TransferPostRequestBody:
    """The transfer request of ``mode``; a consultative one replaces a deterministic call id."""
    if mode == "pstn":
        identity: IdentitySet = CommunicationsIdentitySet(phone=Identity(id=TARGET_PHONE))
    else:
        user = Identity(id=TARGET_USER, additional_data={"tenantId": TARGET_TENANT})
        identity = IdentitySet(user=user)
    replaces = str(uuid.uuid5(CONSULT_NAMESPACE, call_id)) if mode == CONSULTATIVE else None
    target = InvitationParticipantInfo(identity=identity, replaces_call_id=replaces)
    return TransferPostRequestBody(transfer_target=target)


def create_app(
    graph_base_url: str,
    *,
    mode: str = "blind",
    bug: str | None = None,
    callback_url: str | None = None,
) -> FastAPI:
    """The bot: Graph's webhooks at ``/callback``, its requests to ``graph_base_url``.

    ``callback_url`` is the ``callbackUri`` it answers with; by default the URL the
    notification came to.
    """
    if mode not in MODES:
        raise UsageError("mode", f"{mode!r} is not one of {', '.join(MODES)}")
    if bug is not None and bug not in BUGS:
        raise UsageError("bug", f"{bug!r} is not one of {', '.join(BUGS)}")
    http = httpx.AsyncClient(timeout=10.0)
    client = graph_client(graph_base_url, http)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        await http.aclose()

    app = FastAPI(lifespan=lifespan)
    calls: dict[str, CallView] = {}
    app.state.calls = calls
    app.state.graph = client

    def later(
        view: CallView, action: str, post: Callable[[Any], Awaitable[None]], body: Any
    ) -> Pending:
        """``post(body)``, to send after the webhook is answered; a failure lands in ``view``."""

        async def request() -> None:
            try:
                await post(body)
            except APIError as error:  # the SDK's error for a non-2xx answer (ODataError, ...)
                view.errors.append(f"{action} {error.response_status_code}: {error}")
            except httpx.HTTPError as error:
                view.errors.append(f"{action}: {type(error).__name__}: {error}")

        return request

    def answer(call_id: str, view: CallView, callback: str) -> list[Pending]:
        view.answered = True
        body = AnswerPostRequestBody(
            callback_uri=callback,
            accepted_modalities=[Modality.Audio],
            media_config=ServiceHostedMediaConfig(),
        )
        post = client.communications.calls.by_call_id(call_id).answer.post
        todo = [later(view, "answer", post, body)]
        if bug == "early-transfer":  # BUG: transfers before Graph says established
            todo += transfer(call_id, view)
        return todo

    def transfer(call_id: str, view: CallView) -> list[Pending]:
        view.transfer_requested = True
        post = client.communications.calls.by_call_id(call_id).transfer.post
        return [later(view, "transfer", post, transfer_body(call_id, mode))]

    def on_call(call_id: str, change: str, data: Mapping[str, Any], callback: str) -> list[Pending]:
        view = calls.setdefault(call_id, CallView())
        todo: list[Pending] = []
        if view.answer_pending:  # BUG (late-answer): the answer waited for this notification
            view.answer_pending = False
            todo += answer(call_id, view, callback)
        raw = data.get("state")
        state = _STATES.get(raw.lower(), raw) if isinstance(raw, str) else None
        if isinstance(raw, str):
            view.states.append(raw)
        try:
            result = read_result(data.get("resultInfo"), "/resourceData/resultInfo")
        except ParseError:
            result = (None, None)
        if state == "terminated" and (
            result in _COMPLETED or data.get("terminationReason") in _REASONS
        ):
            view.outcome = "completed"
        elif state == "established" and result in _FAILED:
            view.outcome = "failed"
        elif change == "created" and state == "incoming" and not view.answered:
            if bug == "late-answer":
                view.answer_pending = True
            else:
                todo += answer(call_id, view, callback)
        elif state == "established" and view.answered and not view.transfer_requested:
            todo += transfer(call_id, view)
        return todo

    in_order = asyncio.Lock()  # FIFO: requests go out in the order the bot decided them

    async def run(todo: list[Pending]) -> None:
        async with in_order:
            for request in todo:
                await request()

    @app.post("/callback", name="callback")
    async def callback(request: Request, background: BackgroundTasks) -> Response:
        try:
            body = orjson.loads(await request.body())
        except orjson.JSONDecodeError:
            return Response(status_code=400)
        notifications = body.get("value") if isinstance(body, dict) else None
        if not isinstance(notifications, list):
            return Response(status_code=400)
        uri = callback_url or str(request.url.replace(query=None))
        todo: list[Pending] = []
        for notification in notifications:
            if not isinstance(notification, dict):
                continue
            data = notification.get("resourceData")
            try:
                ref = read_resource(notification)
                change = read_change_type(notification.get("changeType"), "/changeType")
            except ParseError:
                continue  # not a notification this bot understands
            if ref.kind == "call" and isinstance(data, dict):
                todo += on_call(ref.call_id, change, data, uri)
        background.add_task(run, todo)  # Graph gets its 202 before the bot's requests go out
        return Response(status_code=202)

    return app


def main() -> None:
    """Serve the bot on 127.0.0.1: ``bot.py GRAPH_BASE_URL [--port] [--mode] [--bug]``."""
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("graph_base_url", help="e.g. http://127.0.0.1:8080/v1.0")
    parser.add_argument("--port", type=int, default=3978)
    parser.add_argument("--mode", choices=MODES, default="blind")
    parser.add_argument("--bug", choices=BUGS)
    args = parser.parse_args()
    app = create_app(args.graph_base_url, mode=args.mode, bug=args.bug)
    uvicorn.run(app, host="127.0.0.1", port=args.port)


if __name__ == "__main__":
    main()
