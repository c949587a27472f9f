"""A FastAPI calling bot whose webhook callstate checks: ``python examples/bot_fastapi.py``."""

import logging

import uvicorn
from fastapi import FastAPI, Request, Response

from callstate import Tracker
from callstate.contrib.asgi import CallstateMiddleware

tracker = Tracker(max_calls=100_000)  # one per process, shared by every request
app = FastAPI()
app.add_middleware(CallstateMiddleware, tracker=tracker, path="/api/calls")


def handle_notifications(body: bytes) -> None:
    """Your bot's own handling of Graph's commsNotifications."""


@app.post("/api/calls")
async def calls(request: Request) -> Response:
    handle_notifications(await request.body())  # the bytes Graph sent, unchanged
    return Response(status_code=202)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)  # findings are records of the "callstate" logger
    uvicorn.run(app, host="127.0.0.1", port=3978)
