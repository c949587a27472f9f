"""Replay a recorded trace to a bot's webhook over real HTTP, in order and paced.

Each non-blank line of a JSON Lines trace is one webhook body; it is POSTed exactly
as it is in the file (without its line ending), so a bot sees the bytes Graph sent,
odd spellings and all. Request records (``{"request": ...}``) are what the bot sent
to Graph, not what Graph sends to the bot, so they are skipped and reported as such.

httpx is the client: it is well kept, typed, and its synchronous ``Client`` reuses
one connection across the whole replay and has separate connect/read timeouts, so
an absent bot fails fast and a hung one fails after ``timeout`` seconds.
"""

from __future__ import annotations

import math
import os
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import IO

import attrs
import httpx
import orjson

from callstate.errors import CallstateError, UsageError

__all__ = [
    "BotUnreachable",
    "Delivery",
    "ReplayReport",
    "parse_header",
    "parse_rate",
    "replay",
]

_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_RATE = re.compile(r"\s*(\d+(?:\.\d*)?|\.\d+)\s*(?:/\s*(s|sec|second|min|minute))?\s*")
#: Headers replay sets itself: overriding them would change how the body is framed or read.
_RESERVED = frozenset({"content-type", "content-length", "host", "transfer-encoding"})
_SKIP_NOTE = "request record: the bot's own request to Graph, not a notification"


@attrs.frozen
class Delivery:
    """What happened to one line: the bot's HTTP status, or why it was skipped."""

    line: int
    status: int | None
    reason: str

    @property
    def skipped(self) -> bool:
        """Whether the line was not sent."""
        return self.status is None

    @property
    def ok(self) -> bool:
        """Whether the bot answered 2xx."""
        return self.status is not None and 200 <= self.status < 300


@attrs.frozen
class ReplayReport:
    """Every line's outcome, in trace order."""

    url: str
    deliveries: tuple[Delivery, ...]

    @property
    def sent(self) -> int:
        """How many envelopes were POSTed and answered."""
        return sum(not d.skipped for d in self.deliveries)

    @property
    def skipped(self) -> int:
        """How many lines were not sent (request records)."""
        return sum(d.skipped for d in self.deliveries)

    @property
    def failed(self) -> tuple[Delivery, ...]:
        """Deliveries the bot answered with something other than 2xx."""
        return tuple(d for d in self.deliveries if not d.skipped and not d.ok)

    @property
    def ok(self) -> bool:
        """Whether the bot answered every envelope with 2xx."""
        return not self.failed


class BotUnreachable(CallstateError):
    """The bot could not be reached, or broke off, while line ``line`` was being sent."""

    def __init__(self, line: int, url: str, reason: str, report: ReplayReport) -> None:
        self.line = line
        self.url = url
        self.reason = reason
        #: What was delivered before the replay stopped.
        self.report = report
        super().__init__(
            f"line {line}: cannot reach {url}: {reason} "
            f"({report.sent} envelope{'s' if report.sent != 1 else ''} delivered before)"
        )


def parse_rate(text: str) -> float:
    """Envelopes per second from ``10``, ``10/s``, ``0.5/s`` or ``30/min``."""
    match = _RATE.fullmatch(text)
    if match is None:
        raise UsageError("--rate", f"expected N/s or N/min (for example 10/s), got {text!r}")
    per_minute = (match.group(2) or "s").startswith("min")
    per_second = float(match.group(1)) / (60.0 if per_minute else 1.0)
    if per_second <= 0:
        raise UsageError("--rate", f"must be more than 0, got {text!r}")
    return per_second


def parse_header(text: str) -> tuple[str, str]:
    """``(name, value)`` from ``Name: value``; the name must be an HTTP token."""
    name, colon, value = text.partition(":")
    if not colon:
        raise UsageError("--header", f"expected K:V (for example 'X-Test: 1'), got {text!r}")
    name, value = name.strip(), value.strip()
    _check_header("--header", name, value)
    return name, value


def _check_header(argument: str, name: str, value: str) -> None:
    if not _TOKEN.fullmatch(name):
        raise UsageError(argument, f"{name!r} is not a valid header name")
    if any(c in value for c in "\r\n\0"):
        raise UsageError(argument, f"the value of {name!r} contains a line break or NUL")
    if name.lower() in _RESERVED:
        raise UsageError(argument, f"{name} is set by replay itself and cannot be overridden")


def _check_url(url: str) -> httpx.URL:
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise UsageError("--to", f"{url!r} is not a URL: {exc}") from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise UsageError("--to", f"expected an http:// or https:// URL with a host, got {url!r}")
    return parsed


def _lines(stream: IO[bytes]) -> Iterator[tuple[int, bytes]]:
    for number, raw in enumerate(stream, 1):
        body = raw[:-1] if raw.endswith(b"\n") else raw
        body = body[:-1] if body.endswith(b"\r") else body
        if body.strip():
            yield number, body


def _is_request_record(body: bytes) -> bool:
    if b'"request"' not in body:
        return False
    try:
        obj = orjson.loads(body)
    except orjson.JSONDecodeError:
        return False
    return isinstance(obj, dict) and "request" in obj and "value" not in obj


def _reason(exc: httpx.TransportError, timeout: float) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return f"no answer within {timeout:g} s ({type(exc).__name__})"
    return str(exc) or type(exc).__name__


def replay(
    trace: str | os.PathLike[str] | IO[bytes],
    url: str,
    *,
    rate: float | None = None,
    headers: Mapping[str, str] | Iterable[tuple[str, str]] = (),
    timeout: float = 10.0,
    on_delivery: Callable[[Delivery], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    transport: httpx.BaseTransport | None = None,
) -> ReplayReport:
    """POST every envelope of ``trace`` to ``url``, in order, at most ``rate`` per second.

    ``trace`` is a path or a binary stream of JSON Lines; it is read line by line.
    ``on_delivery`` is called after each line, so a caller can report progress.
    ``sleep``, ``clock`` and ``transport`` exist so pacing and HTTP can be replaced
    (in tests, or by a caller with its own scheduler). A non-2xx answer is recorded
    and the replay goes on; a bot that cannot be reached raises
    :class:`BotUnreachable`, which carries what was delivered before.
    """
    _check_url(url)
    if rate is not None and not (math.isfinite(rate) and rate > 0):
        raise UsageError("rate", f"must be a finite number more than 0, got {rate!r}")
    if not (math.isfinite(timeout) and timeout > 0):
        raise UsageError("timeout", f"must be a finite number more than 0, got {timeout!r}")
    pairs = list(headers.items() if isinstance(headers, Mapping) else headers)
    for name, value in pairs:
        _check_header("headers", name, value)
    if isinstance(trace, (str, os.PathLike)):
        try:
            stream: IO[bytes] = open(trace, "rb")  # noqa: SIM115 (closed below)
        except OSError as exc:
            raise UsageError("trace", f"cannot read {os.fspath(trace)}: {exc.strerror}") from None
    else:
        stream = trace
    try:
        return _send(stream, url, rate, pairs, timeout, on_delivery, sleep, clock, transport)
    except OSError as exc:
        raise UsageError("trace", f"cannot read the trace: {exc}") from None
    finally:
        if stream is not trace:
            stream.close()


def _send(
    stream: IO[bytes],
    url: str,
    rate: float | None,
    headers: list[tuple[str, str]],
    timeout: float,
    on_delivery: Callable[[Delivery], None] | None,
    sleep: Callable[[float], None],
    clock: Callable[[], float],
    transport: httpx.BaseTransport | None,
) -> ReplayReport:
    interval = 0.0 if rate is None else 1.0 / rate
    deliveries: list[Delivery] = []
    next_at: float | None = None
    client = httpx.Client(
        headers=[("User-Agent", "callstate-replay"), *headers],
        timeout=timeout,
        follow_redirects=False,
        trust_env=False,
        transport=transport,
    )
    with client:
        for line, body in _lines(stream):
            if _is_request_record(body):
                delivery = Delivery(line, None, _SKIP_NOTE)
            else:
                if next_at is not None and (wait := next_at - clock()) > 0:
                    sleep(wait)
                next_at = clock() + interval
                try:
                    response = client.post(
                        url, content=body, headers={"Content-Type": "application/json"}
                    )
                except httpx.TransportError as exc:
                    report = ReplayReport(url, tuple(deliveries))
                    raise BotUnreachable(line, url, _reason(exc, timeout), report) from None
                delivery = Delivery(line, response.status_code, response.reason_phrase)
            deliveries.append(delivery)
            if on_delivery is not None:
                on_delivery(delivery)
    return ReplayReport(url, tuple(deliveries))
