"""An aiohttp calling bot whose webhook callstate checks: ``python examples/bot_aiohttp.py``."""

import logging

from aiohttp import web

from callstate import Tracker
from callstate.contrib.aiohttp import CallstateMiddleware

tracker = Tracker(max_calls=100_000)


def handle_notifications(body: bytes) -> None:
    """Your bot's own handling of Graph's commsNotifications."""


async def calls(request: web.Request) -> web.Response:
    handle_notifications(await request.read())  # the bytes Graph sent, unchanged
    return web.Response(status=202)


def make_app() -> web.Application:
    app = web.Application(middlewares=[CallstateMiddleware(tracker=tracker, path="/api/calls")])
    app.router.add_post("/api/calls", calls)
    return app


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)  # findings are records of the "callstate" logger
    web.run_app(make_app(), host="127.0.0.1", port=3978)
