"""Check a bot's calling webhook inside any ASGI app (FastAPI, Starlette, ...): pure ASGI.

:class:`CallstateMiddleware` wraps the app. For a POST to ``path`` it reads the
body once, up to ``max_body`` bytes, ingests it into the tracker, and then runs
the app with the very same ``http.request`` messages replayed, so the app reads
the same bytes unchanged. It never changes the response unless
``reject_malformed=True``. Needs no package (the ``asgi`` extra is empty).

Ingesting is synchronous: the tracker holds its lock while it decides one body,
about 15 us for a typical one, where a hop to a thread and back costs about 135 us,
so it runs on the event loop. A body at the 1 MiB limit (some 2,700 notifications)
takes about 30 ms: pass ``in_thread=True`` to ingest every body in a worker thread
(``asyncio.to_thread``) when bodies may be that large, or when another thread may
hold the tracker for long (a snapshot of many calls).
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from callstate.contrib._webhook import IngestsBodies, Problem, Webhook
from callstate.observe import TimedObserver
from callstate.verdict import MAX_BODY_BYTES

__all__ = ["CallstateMiddleware"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class CallstateMiddleware:
    """ASGI middleware: every calling-webhook body goes through ``tracker`` before the app.

    ``path`` is the webhook's path (the ``callbackUri``'s); other requests pass untouched.
    A body over ``max_body`` bytes (at most 1 MiB, the tracker's own limit) is reported
    as ``malformed`` without being checked, and passed on whole. Each finding is logged
    (:func:`callstate.observe.log_finding`, on ``logger``) and handed to
    ``on_finding(finding, at=received)``. With ``reject_malformed``, a body that is not a
    webhook body is answered 400 (413 when too large) with an
    ``application/problem+json`` body, and the app never sees it.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        tracker: IngestsBodies,
        path: str = "/api/calls",
        max_body: int = MAX_BODY_BYTES,
        reject_malformed: bool = False,
        on_finding: TimedObserver | None = None,
        logger: logging.Logger | None = None,
        in_thread: bool = False,
    ) -> None:
        self.app = app
        self.webhook = Webhook(
            tracker=tracker,
            path=path,
            max_body=max_body,
            reject_malformed=reject_malformed,
            on_finding=on_finding,
            logger=logger,
            in_thread=in_thread,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the webhook's body, then run the app on the same messages."""
        webhook = self.webhook
        if scope["type"] != "http" or not webhook.wants(scope.get("method", ""), scope["path"]):
            await self.app(scope, receive, send)
            return
        at = webhook.now()
        messages, body, read = await self._read(receive)
        if body is not None:
            problem = await webhook.check(body, at)
        elif messages[-1]["type"] != "http.request":
            problem = None  # the sender went away mid-body: nothing was delivered to check
        else:
            problem = webhook.oversize(self._size(scope, read), at)
        if problem is not None:
            await self._answer(send, problem)
            return
        await self.app(scope, _replaying(messages, receive), send)

    async def _read(self, receive: Receive) -> tuple[list[Message], bytes | None, int]:
        """The messages read, the whole body (``None`` if cut short), and the bytes read."""
        messages: list[Message] = []
        chunks: list[bytes] = []
        size = 0
        limit = self.webhook.max_body
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                return messages, None, size
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                return messages, None, size
            chunks.append(chunk)
            if not message.get("more_body", False):
                return messages, b"".join(chunks), size

    @staticmethod
    def _size(scope: Scope, read: int) -> str:
        for name, value in scope.get("headers", ()):
            if name.lower() == b"content-length" and value.isdigit():
                return f"Content-Length {int(value)}"
        return f"at least {read} bytes"

    @staticmethod
    async def _answer(send: Send, problem: Problem) -> None:
        headers = [
            (b"content-type", problem.content_type.encode()),
            (b"content-length", str(len(problem.body)).encode()),
        ]
        await send({"type": "http.response.start", "status": problem.status, "headers": headers})
        await send({"type": "http.response.body", "body": problem.body})


def _replaying(messages: list[Message], receive: Receive) -> Receive:
    """A ``receive`` that gives the messages already read, then reads on."""
    pending = deque(messages)

    async def replay() -> Message:
        if pending:
            return pending.popleft()
        return await receive()

    return replay
