"""The emulator on the network: Graph's calls API over aiohttp, and the notifications it sends.

aiohttp gives the server and the client in one well-kept library already among
callstate's extras: the emulator serves the bot's requests and POSTs Graph's
notifications to the bot from one event loop, which owns the
:class:`~callstate.emulate._calls.Registry`, so no lock is needed around a call.
It serves ``/v1.0`` and ``/beta`` on the host given (127.0.0.1 by default).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Callable, Mapping
from typing import Any, Final

import aiohttp
import orjson
from aiohttp import web

from callstate.emulate._calls import Call, Registry, Reply
from callstate.emulate._clock import Clock, RealClock
from callstate.emulate._offer import Offer
from callstate.emulate._record import Recorder
from callstate.errors import ParseError, UsageError
from callstate.graph.wire import parse_call_path
from callstate.simulate._requests import error_body

__all__ = ["SWEEP_EVERY", "VERSIONS", "Emulator"]

#: The API versions served: Graph's two.
VERSIONS: Final = ("v1.0", "beta")
#: How often, in real seconds, a ticking clock's windows are checked.
SWEEP_EVERY: Final = 0.1
_JSON: Final = "application/json"


def _error(status: int, code: str, message: str) -> web.Response:
    body = error_body(message)
    body["error"]["code"] = code
    return web.Response(status=status, body=orjson.dumps(body), content_type=_JSON)


class Emulator:
    """Graph's calls API for one bot, on ``host:port`` (``port=0``: a free one).

    ``delay`` is Graph's processing time, in real seconds, between answering a
    request and sending the notifications that follow it: a request the bot sends
    at once after another (a transfer right after its answer) arrives before them,
    as it would at Graph. ``notify_timeout`` bounds each notification POST.
    """

    def __init__(
        self,
        *,
        bot: str | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Clock | None = None,
        recorder: Recorder | None = None,
        timeouts: Mapping[str, float] | None = None,
        seed: int = 0,
        delay: float = 0.05,
        notify_timeout: float = 5.0,
    ) -> None:
        if type(port) is not int or not 0 <= port <= 65535:
            raise UsageError("port", f"expected a port from 0 to 65535, got {port!r}")
        self.host = host
        self.port = port
        self.delay = delay
        self.notify_timeout = notify_timeout
        self.registry = Registry(
            clock=clock or RealClock(), bot=bot, recorder=recorder, timeouts=timeouts, seed=seed
        )
        #: Why the bot could not be reached, once a notification found no one listening.
        self.unreachable: str | None = None
        self._pumps: dict[str, asyncio.Task[None]] = {}
        #: Set once a newly offered call's incoming notification was answered (or failed).
        self._opened: dict[str, asyncio.Event] = {}
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self._sweeper: asyncio.Task[None] | None = None
        self.base_url = ""
        #: When (the loop's time) the last request came or notification went.
        self._active = 0.0

    # -- lifecycle -------------------------------------------------------------

    async def start(self) -> str:
        """Bind and serve; the ``/v1.0`` base URL. A :class:`UsageError` if it cannot bind."""
        app = web.Application(client_max_size=1 << 20)
        app.router.add_route("*", "/{version}/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET6 if ":" in self.host else socket.AF_INET)
        try:
            sock.bind((self.host, self.port))
        except OSError as exc:
            sock.close()
            await self._runner.cleanup()
            raise UsageError(
                "port", f"cannot listen on {self.host}:{self.port}: {exc.strerror}"
            ) from None
        site = web.SockSite(self._runner, sock)
        await site.start()
        self.port = sock.getsockname()[1]
        host = f"[{self.host}]" if ":" in self.host else self.host
        self.base_url = f"http://{host}:{self.port}/v1.0"
        self._session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=self.notify_timeout)
        )
        if self.registry.clock.ticking:
            self._sweeper = asyncio.create_task(self._sweep_forever())
        return self.base_url

    async def stop(self) -> None:
        """Stop sending and serving; pending notifications are dropped."""
        for task in [*self._pumps.values(), *([self._sweeper] if self._sweeper else [])]:
            task.cancel()
        for task in list(self._pumps.values()):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._pumps.clear()
        if self._session is not None:
            await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()
        self.registry.recorder.close()

    # -- what a test or the command asks ---------------------------------------

    async def offer(self, offer: Offer, *, callback: str | None = None) -> Call:
        """Offer an incoming call, and return once its ``created``/incoming was delivered."""
        call = self.registry.offer(offer, callback=callback)
        opened = self._opened[call.call_id] = asyncio.Event()
        self._kick(call, 0.0)  # one pump per call: what the bot asks next queues behind it
        try:
            await asyncio.wait_for(opened.wait(), 2 * self.notify_timeout + 1)
        except TimeoutError:
            pass  # the pump records what happened (undelivered)
        finally:
            self._opened.pop(call.call_id, None)
        return call

    async def redeliver(self, call_id: str) -> None:
        """Deliver the call's last notification again, as a webhook retry would."""
        call = self.registry.calls.get(call_id)
        if call is None or call.last is None:
            raise UsageError("call_id", f"no notification was sent for call {call_id!r}")
        await self._post(call, call.last)

    async def expire(self) -> None:
        """End the calls whose windows ran out (with the clock where it is), and send it."""
        for call in self.registry.sweep():
            self._kick(call, 0.0)
        await self.settle()

    async def settle(self) -> None:
        """Wait until every notification queued so far has been sent."""
        while self._pumps:
            await asyncio.gather(*self._pumps.values(), return_exceptions=True)

    async def quiet(
        self, quiet: float, timeout: float, idle: Callable[[], bool] | None = None
    ) -> bool:
        """Wait (at most ``timeout`` s) until every call ended, or nothing is left to send
        and the bot is done; whether it came.

        The bot is done when ``idle()`` says so, or, without it, once nothing happened
        for ``quiet`` s. ``idle`` is called on the loop, between two of its steps, so no
        request or notification can come between the look at Graph and the look at the bot.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            if self.done() or (not self._pumps and self._still(idle, quiet, loop.time())):
                return True
            await asyncio.sleep(0.01)
        return False

    def _still(self, idle: Callable[[], bool] | None, quiet: float, now: float) -> bool:
        if idle is not None:
            return idle()
        return now - self._active >= quiet

    def done(self) -> bool:
        """Whether every call has ended and nothing is left to send."""
        calls = self.registry.calls.values()
        return bool(calls) and not self._pumps and all(not c.live for c in calls)

    # -- sending -------------------------------------------------------------------

    def _kick(self, call: Call, delay: float) -> None:
        running = self._pumps.get(call.call_id)
        # A running pump takes the new story too; one that has returned (its done-callback
        # not run yet) takes nothing more, so the story needs a pump of its own.
        if running is not None and not running.done():
            return
        task = asyncio.create_task(self._pump(call, delay))
        self._pumps[call.call_id] = task
        call_id = call.call_id

        def finished(_task: asyncio.Task[None]) -> None:
            if self._pumps.get(call_id) is _task:
                del self._pumps[call_id]

        task.add_done_callback(finished)

    async def _pump(self, call: Call, delay: float = 0.0) -> None:
        if delay:
            await asyncio.sleep(delay)
        while (taken := self.registry.take(call)) is not None:
            note, times = taken
            for _ in range(times):
                await self._post(call, note.body)

    async def _post(self, call: Call, body: dict[str, Any]) -> None:
        self._active = asyncio.get_running_loop().time()
        line = self.registry.send(call, body)
        assert self._session is not None
        status: int | None = None
        error: str | None = None
        try:
            async with self._session.post(
                call.callback, data=orjson.dumps(body), headers={"Content-Type": _JSON}
            ) as answer:
                status = answer.status
                await answer.read()
        except aiohttp.ClientConnectorError as exc:
            error = f"cannot connect: {exc.os_error.strerror or exc}"
            self.unreachable = self.unreachable or f"{call.callback}: {error}"
        except (TimeoutError, aiohttp.ClientError) as exc:
            error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        self.registry.answered(call, line, status, error)
        opened = self._opened.get(call.call_id)
        if opened is not None:
            opened.set()
        self._active = asyncio.get_running_loop().time()

    async def _sweep_forever(self) -> None:
        while True:
            await asyncio.sleep(SWEEP_EVERY)
            for call in self.registry.sweep():
                self._kick(call, 0.0)

    # -- serving -------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        version = request.match_info["version"]
        tail = "/" + request.match_info["tail"]
        if version not in VERSIONS:
            return _error(404, "NotFound", f"{version!r} is not a Graph version: use v1.0 or beta")
        if request.method == "GET":
            return self._get(tail)
        if request.method not in ("POST", "DELETE"):
            return _error(405, "MethodNotAllowed", f"{request.method} is not a calls request")
        self._active = asyncio.get_running_loop().time()
        raw = await request.read()
        body: Any = None
        if raw.strip():
            try:
                body = orjson.loads(raw)
            except orjson.JSONDecodeError as exc:
                return _error(400, "BadRequest", f"the body is not valid JSON: {exc}")
        reply, call = self.registry.request(request.method, version, tail, body)
        if call is not None:
            self._kick(call, self.delay)
        return _response(reply)

    def _get(self, tail: str) -> web.Response:
        try:
            path = parse_call_path(tail, "/url")
        except ParseError as exc:
            return _error(400, "BadRequest", exc.message)
        call = None if path.call_id is None or path.rest else self.registry.calls.get(path.call_id)
        if call is None or not call.live:
            return _error(404, "NotFound", "Call not found.")
        body = {
            "@odata.type": "#microsoft.graph.call",
            "id": call.call_id,
            "state": self.registry.tracker.state(call.call_id),
            "direction": call.direction,
            "callbackUri": call.callback,
            "callChainId": call.offer.chain_id,
        }
        return web.Response(status=200, body=orjson.dumps(body), content_type=_JSON)


def _response(reply: Reply) -> web.Response:
    if reply.body is None:
        return web.Response(status=reply.status)
    return web.Response(status=reply.status, body=orjson.dumps(reply.body), content_type=_JSON)
