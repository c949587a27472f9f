"""The bot's own Graph requests, seen from its httpx client, fed to the tracker.

Webhooks show only what Graph says; the bot's transfer request says which kind of
transfer it asked for, and only with it can the tracker tell that a blind transfer
ended with the consultative result (``transfer-kind-mismatch``). :func:`observe`
adds a response hook to an ``httpx.Client`` or ``httpx.AsyncClient``: every request
to a Graph calls URL is fed to the tracker as a request record with the status it
got, ``{"request": {"method", "url", "body"}, "response": {"status"}}``, the trace
format ``callstate validate`` reads. msgraph-sdk-python sends through httpx, so a
bot built on it passes an observed client to ``GraphClientFactory``. Needs
``pip install 'callstate[httpx]'``.
"""

from __future__ import annotations

from callstate._extras import require

require("httpx", "httpx", part="callstate.contrib.httpx")

import logging
from datetime import UTC, datetime
from typing import Any, Final, Literal

import httpx
import orjson

from callstate.contrib._webhook import IngestsBodies, check_observers, tell
from callstate.errors import ParseError, UsageError
from callstate.graph.wire import describe_argument, parse_request_path
from callstate.observe import LOGGER, TimedObserver

__all__ = ["REQUESTS", "observe", "request_record"]

#: Which requests :func:`observe` feeds: ``"transfer"`` (POST .../calls/{id}/transfer,
#: the requests today's tracker judges) or ``"all"`` (every request that acts on a call:
#: creating one, DELETE, and each of :data:`~callstate.graph.wire.REQUEST_ACTIONS`).
REQUESTS: Final = ("transfer", "all")
#: The methods of the requests that act on a call; a GET only reads.
_CHANGES: Final = frozenset({"POST", "DELETE"})


def request_record(
    request: httpx.Request, status: int | None, *, requests: str = "transfer"
) -> dict[str, Any] | None:
    """The trace's request record for one request and its status; ``None`` if not watched.

    The record's ``url`` is the request's path (with its ``/v1.0`` or ``/beta``), not
    its host: the client may reach Graph through a proxy or a local stand-in. A body
    that is not JSON is kept as its text (and reported by the tracker).
    """
    if request.method not in _CHANGES:
        return None
    path = request.url.raw_path.decode("ascii", "replace").partition("?")[0]
    try:
        called = parse_request_path(path, "/request/url")
    except ParseError:
        return None
    if requests == "transfer" and not (request.method == "POST" and called.action == "transfer"):
        return None
    record: dict[str, Any] = {"method": request.method, "url": path}
    try:
        content = request.content
    except httpx.RequestNotRead:
        content = None
    if content:
        try:
            record["body"] = orjson.loads(content)
        except orjson.JSONDecodeError:
            record["body"] = content.decode("utf-8", "replace")
    result: dict[str, Any] = {"request": record}
    if status is not None:
        result["response"] = {"status": status}
    return result


def observe(
    client: httpx.Client | httpx.AsyncClient,
    tracker: IngestsBodies,
    *,
    requests: Literal["transfer", "all"] = "transfer",
    on_finding: TimedObserver | None = None,
    logger: logging.Logger | None = None,
) -> None:
    """Feed ``client``'s Graph calls requests, with their response status, to ``tracker``.

    Adds one response hook, keeping the client's other hooks. Each finding is logged
    (on ``logger``, the ``callstate`` logger by default) and handed to
    ``on_finding(finding, at=sent)``. A request that gets no response (a connection
    error, a timeout) is not fed: whether Graph saw it is unknown. Checking never
    breaks the bot's request: an error in it is logged.
    """
    if requests not in REQUESTS:
        raise UsageError(
            "requests", f"expected one of {', '.join(REQUESTS)}, got {describe_argument(requests)}"
        )
    check_observers(tracker, on_finding)
    log = LOGGER if logger is None else logger

    def saw(response: httpx.Response) -> None:
        at = datetime.now(UTC)
        try:
            record = request_record(response.request, response.status_code, requests=requests)
            if record is None:
                return
            findings = tracker.ingest(record)
        except Exception:
            log.exception("callstate: checking an outgoing request failed")
            return
        tell(findings, at, logger=log, on_finding=on_finding)

    async def saw_async(response: httpx.Response) -> None:
        saw(response)

    if isinstance(client, httpx.AsyncClient):
        hook: Any = saw_async
    elif isinstance(client, httpx.Client):
        hook = saw
    else:
        raise UsageError(
            "client",
            f"expected an httpx.Client or httpx.AsyncClient, got {describe_argument(client)}",
        )
    hooks = client.event_hooks
    client.event_hooks = {
        "request": list(hooks.get("request", [])),
        "response": [*hooks.get("response", []), hook],
    }
