"""``EmulatedGraph``: the emulator in a thread, on a free port of 127.0.0.1, for tests.

The emulator's event loop runs in its own thread; every method here hands its work
to that loop and waits, bounded, for the answer, so the registry is only ever
touched from its loop. The clock is virtual by default: nothing times out unless
the test advances it (:meth:`EmulatedGraph.advance`), so no test waits for Graph's
windows. Waits for the bot are bounded in real time (``wait``).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

import attrs

from callstate.emulate import Clock, Emulator, Freedoms, Offer, Verdict, VirtualClock
from callstate.errors import UsageError

__all__ = ["CallView", "EmulatedGraph"]

T = TypeVar("T")
#: How often, in real seconds, a wait looks again.
_POLL = 0.01


@attrs.frozen(kw_only=True)
class CallView:
    """One call as the emulator holds it: Graph's states sent, in order, and where it is."""

    call_id: str
    direction: str
    state: str | None
    states: tuple[str, ...]
    live: bool
    callback: str


class EmulatedGraph:
    """Graph's calls API for a bot under test: ``with EmulatedGraph(bot=URL) as graph: ...``.

    ``base_url`` is the ``/v1.0`` URL to give the bot's Graph client; ``bot`` is where
    incoming calls are offered (it may be set later, once the bot is up). The other
    options are :class:`~callstate.emulate.Emulator`'s; ``wait`` bounds, in real
    seconds, each hand-off to the emulator's thread.
    """

    def __init__(
        self,
        *,
        bot: str | None = None,
        clock: Clock | None = None,
        timeouts: Mapping[str, float] | None = None,
        seed: int = 0,
        delay: float = 0.05,
        record: str | Path | None = None,
        wait: float = 10.0,
    ) -> None:
        from callstate.emulate import Recorder

        self.clock = VirtualClock() if clock is None else clock
        self.wait_limit = wait
        self._emulator = Emulator(
            bot=bot,
            clock=self.clock,
            timeouts=timeouts,
            seed=seed,
            delay=delay,
            recorder=Recorder(record),
        )
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self.base_url = ""

    # -- the thread -------------------------------------------------------------

    def __enter__(self) -> EmulatedGraph:
        loop = asyncio.new_event_loop()
        self._loop = loop
        self._thread = threading.Thread(
            target=loop.run_forever, name="callstate-graph", daemon=True
        )
        self._thread.start()
        self.base_url = self._run(self._emulator.start())
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        loop = self._loop
        if loop is None:
            return
        try:
            self._run(self._emulator.stop())
        finally:
            loop.call_soon_threadsafe(loop.stop)
            if self._thread is not None:
                self._thread.join(self.wait_limit)
            loop.close()
            self._loop = None

    def _run(self, work: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        if self._loop is None:
            work.close()
            raise UsageError("graph", "the emulated Graph is not running: use it in a with block")
        future = asyncio.run_coroutine_threadsafe(work, self._loop)
        return future.result(self.wait_limit if timeout is None else timeout)

    def _read(self, read: Callable[[], T]) -> T:
        async def inside() -> T:
            return read()

        return self._run(inside())

    # -- driving ------------------------------------------------------------------

    @property
    def bot(self) -> str | None:
        """Where incoming calls are offered, and notifications go without a ``callbackUri``."""
        return self._emulator.registry.bot

    @bot.setter
    def bot(self, url: str | None) -> None:
        def put() -> None:
            self._emulator.registry.bot = url

        self._read(put)

    def offer_call(
        self,
        offer: Offer | None = None,
        *,
        situation: str | None = None,
        freedoms: Freedoms | None = None,
        callback: str | None = None,
    ) -> str:
        """Offer the bot an incoming call; its id, once its incoming notification was answered.

        Give an :class:`~callstate.emulate.Offer`, or its ``situation`` and ``freedoms``.
        """
        if offer is None:
            options: dict[str, Any] = {}
            if situation is not None:
                options["situation"] = situation
            if freedoms is not None:
                options["freedoms"] = freedoms
            offer = Offer(**options)
        if self.bot is None and callback is None:
            raise UsageError("callback", "no bot to offer the call to: set bot= or give callback=")
        self._run(self._emulator.offer(offer, callback=callback))
        return offer.call_id

    @property
    def longest_window(self) -> float:
        """The longest of Graph's windows, in seconds: past it, every window has run out."""
        return max(self._emulator.registry.seconds)

    def advance(self, seconds: float) -> None:
        """Move the virtual clock, then end the calls whose windows ran out, as Graph would."""
        if not isinstance(self.clock, VirtualClock):
            raise UsageError("clock", "only a virtual clock can be advanced")
        self.clock.advance(seconds)
        self._run(self._emulator.expire())

    def redeliver(self, call_id: str) -> None:
        """Deliver the call's last notification again (a webhook retry), now."""
        self._run(self._emulator.redeliver(call_id))

    def wait_for(self, done: Callable[[EmulatedGraph], bool], *, timeout: float = 10.0) -> bool:
        """Wait (at most ``timeout`` real seconds) until ``done(self)``; whether it came."""

        async def poll() -> bool:
            loop = asyncio.get_running_loop()
            deadline = loop.time() + timeout
            while loop.time() < deadline:
                await self._emulator.settle()
                if await asyncio.to_thread(done, self):
                    return True
                await asyncio.sleep(_POLL)
            return False

        return self._run(poll(), timeout + self.wait_limit)

    def wait(self, *, timeout: float = 10.0) -> bool:
        """Wait until every call has ended and everything queued was sent; whether it came."""
        return self.wait_for(lambda g: g._read(self._emulator.done), timeout=timeout)

    def quiet(
        self,
        *,
        quiet: float = 0.5,
        timeout: float = 10.0,
        idle: Callable[[], bool] | None = None,
    ) -> bool:
        """Wait until Graph has nothing left to send and the bot is done (every call ended
        counts); whether it came within ``timeout`` real seconds.

        The bot is done when ``idle()`` says it has no request left to send (for a bot in
        the test's process: deterministic), or else once nothing happened for ``quiet``
        real seconds. ``idle`` runs on the emulator's thread and must not block.
        """
        return self._run(self._emulator.quiet(quiet, timeout, idle), timeout + self.wait_limit)

    # -- reading ------------------------------------------------------------------

    @property
    def calls(self) -> dict[str, CallView]:
        """Every call, by id, as it stands."""

        def read() -> dict[str, CallView]:
            registry = self._emulator.registry
            return {
                cid: CallView(
                    call_id=cid,
                    direction=call.direction,
                    state=registry.tracker.state(cid),
                    states=tuple(call.states),
                    live=call.live,
                    callback=call.callback,
                )
                for cid, call in registry.calls.items()
            }

        return self._read(read)

    @property
    def trace(self) -> list[dict[str, Any]]:
        """The exchange so far, as a timed trace (``callstate validate`` accepts it)."""
        return self._read(lambda: self._emulator.registry.recorder.lines)

    @property
    def verdict(self) -> Verdict:
        """The verdict so far."""
        return self._read(self._emulator.registry.verdict)

    def verdict_of(self, calls: set[str]) -> Verdict:
        """The verdict of ``calls`` only."""
        return self._read(lambda: self._emulator.registry.verdict(calls))
