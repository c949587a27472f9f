"""Check a bot's calling webhook in an aiohttp server: ``web.Application(middlewares=[...])``.

:class:`CallstateMiddleware` takes the options of :mod:`callstate.contrib.asgi`'s.
For a POST to ``path`` it reads the body with ``request.read()``, which aiohttp
keeps, so the handler's ``read()``, ``text()`` and ``json()`` get the same bytes.
aiohttp bounds that read itself (``client_max_size``, 1 MiB by default); a body
over ``max_body`` is reported as ``malformed`` and passed on unchecked. Needs
``pip install 'callstate[aiohttp]'``.

Ingesting runs on the event loop for the reason the ASGI module gives;
``in_thread=True`` moves it to a worker thread.
"""

from __future__ import annotations

from callstate._extras import require

require("aiohttp", "aiohttp", part="callstate.contrib.aiohttp")

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from callstate.contrib._webhook import IngestsBodies, Problem, Webhook
from callstate.observe import TimedObserver
from callstate.verdict import MAX_BODY_BYTES

__all__ = ["CallstateMiddleware"]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class CallstateMiddleware:
    """aiohttp middleware: every calling-webhook body goes through ``tracker`` first.

    The options are those of :class:`callstate.contrib.asgi.CallstateMiddleware`. A
    chunked body larger than aiohttp's ``client_max_size`` is aiohttp's own 413, as
    it would be when the handler read it; it is reported as ``malformed`` first.
    """

    #: aiohttp's mark of a new-style middleware (what ``@web.middleware`` sets).
    __middleware_version__ = 1

    def __init__(
        self,
        *,
        tracker: IngestsBodies,
        path: str = "/api/calls",
        max_body: int = MAX_BODY_BYTES,
        reject_malformed: bool = False,
        on_finding: TimedObserver | None = None,
        logger: logging.Logger | None = None,
        in_thread: bool = False,
    ) -> None:
        self.webhook = Webhook(
            tracker=tracker,
            path=path,
            max_body=max_body,
            reject_malformed=reject_malformed,
            on_finding=on_finding,
            logger=logger,
            in_thread=in_thread,
        )

    async def __call__(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Check the webhook's body, then run the handler."""
        webhook = self.webhook
        if not webhook.wants(request.method, request.path):
            return await handler(request)
        at = webhook.now()
        declared = request.content_length
        if declared is not None and declared > webhook.max_body:
            problem = webhook.oversize(f"Content-Length {declared}", at)
        else:
            try:
                body = await request.read()
            except web.HTTPRequestEntityTooLarge:
                webhook.oversize("over aiohttp's client_max_size", at)
                raise
            if len(body) > webhook.max_body:
                problem = webhook.oversize(f"{len(body)} bytes", at)
            else:
                problem = await webhook.check(body, at)
        if problem is not None:
            return _answer(problem)
        return await handler(request)


def _answer(problem: Problem) -> web.Response:
    return web.Response(status=problem.status, body=problem.body, content_type=problem.content_type)
