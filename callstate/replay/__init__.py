"""Replay a recorded trace to a bot's webhook over real HTTP, in order and paced.

Each non-blank line of a JSON Lines trace is one webhook body; it is POSTed exactly
as it is in the file (without its line ending), so a bot sees the bytes Graph sent,
odd spellings and all. Request records (``{"request": ...}``) are what the bot sent
to Graph, not what Graph sends to the bot, so they are skipped and reported as such.

The client is the standard library's ``http.client``, held to one deadline per
envelope (see ``callstate.replay._http``): ``timeout`` bounds connecting, sending,
every redirect and the whole answer, not each socket read, and at most 64 KiB of each
answer's body is read. No third-party HTTP client is needed, so replay adds no
dependency and its behaviour against a hostile bot is all in this package.
"""

from __future__ import annotations

import math
import os
import re
import ssl
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import IO, Final
from urllib.parse import urljoin

import attrs

from callstate.errors import CallstateError, UsageError
from callstate.replay._http import Deadline, Failure, Poster, printable
from callstate.replay._target import BadTarget, Target
from callstate.replay._trace import LINE_CAP, is_request_record, lines, webhook_body

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
#: Headers that carry credentials: not sent on to another origin by a redirect.
_CREDENTIALS = frozenset({"authorization", "proxy-authorization", "cookie"})
_SKIP_NOTE = "request record: the bot's own request to Graph, not a notification"
#: Redirects that mean "send the same request there" (303 means "GET something else").
_REDIRECTS: Final = frozenset({301, 302, 307, 308})
_MAX_REDIRECTS: Final = 5


@attrs.frozen
class Delivery:
    """What happened to one line: the bot's HTTP status, or why it was not sent."""

    line: int
    status: int | None
    reason: str
    #: The URLs redirects led to, in order, when they were followed.
    redirects: tuple[str, ...] = ()
    #: Whether the envelope went out a second time because a kept-alive connection was closed.
    resent: bool = False
    #: The Location of a redirect that was not followed.
    location: str | None = None
    #: The line's size in bytes when it was too long to send.
    oversize: int | None = None

    @property
    def skipped(self) -> bool:
        """Whether the line was not sent (a request record, or a line too long)."""
        return self.status is None

    @property
    def refused(self) -> bool:
        """Whether the line was not sent because it is too long."""
        return self.oversize is not None

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
        """How many request records were not sent."""
        return sum(d.skipped and not d.refused for d in self.deliveries)

    @property
    def refused(self) -> tuple[Delivery, ...]:
        """Lines that were not sent because they are too long."""
        return tuple(d for d in self.deliveries if d.refused)

    @property
    def failed(self) -> tuple[Delivery, ...]:
        """Deliveries the bot answered with something other than 2xx."""
        return tuple(d for d in self.deliveries if not d.skipped and not d.ok)

    @property
    def ok(self) -> bool:
        """Whether every envelope was sent and answered with 2xx."""
        return not self.failed and not self.refused


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
    if not isinstance(name, str) or not isinstance(value, str):
        raise UsageError(argument, f"expected text names and values, got {name!r}: {value!r}")
    if not _TOKEN.fullmatch(name):
        raise UsageError(argument, f"{name!r} is not a valid header name")
    if any(not (c.isprintable() or c == "\t") for c in value):
        raise UsageError(argument, f"the value of {name!r} contains a control character")
    if name.lower() in _RESERVED:
        raise UsageError(argument, f"{name} is set by replay itself and cannot be overridden")


def _check_url(url: str) -> Target:
    if not isinstance(url, str):
        raise UsageError("--to", f"expected a URL, got {url!r}")
    try:
        return Target.parse(url)
    except BadTarget as exc:
        raise UsageError("--to", f"{url!r} cannot be sent to: {exc}") from None


def replay(
    trace: str | os.PathLike[str] | IO[bytes],
    url: str,
    *,
    rate: float | None = None,
    headers: Mapping[str, str] | Iterable[tuple[str, str]] = (),
    timeout: float = 10.0,
    follow_redirects: bool = False,
    ssl_context: ssl.SSLContext | None = None,
    on_delivery: Callable[[Delivery], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> ReplayReport:
    """POST every envelope of ``trace`` to ``url``, in order, at most ``rate`` per second.

    ``trace`` is a path or a binary stream of JSON Lines; it is read line by line, and
    a line over 4 MiB is reported, not sent. ``timeout`` bounds each envelope's whole
    delivery. With ``follow_redirects``, a 301/302/307/308 answer is followed by POSTing
    the same bytes to its Location (at most 5 times; credentials stay with the first
    origin). ``ssl_context`` replaces the system's trust store for https.
    ``on_delivery`` is called after each line, so a caller can report progress.
    ``sleep`` and ``clock`` pace the envelopes and can be replaced (in tests, or by a
    caller with its own scheduler). A non-2xx answer is recorded and the replay goes
    on; a bot that cannot be reached raises :class:`BotUnreachable`, which carries
    what was delivered before.
    """
    start = _check_url(url)
    if rate is not None and not (
        isinstance(rate, (int, float)) and math.isfinite(rate) and rate > 0
    ):
        raise UsageError("rate", f"must be a finite number more than 0, got {rate!r}")
    if not (isinstance(timeout, (int, float)) and math.isfinite(timeout) and timeout > 0):
        raise UsageError("timeout", f"must be a finite number more than 0, got {timeout!r}")
    pairs = list(headers.items() if isinstance(headers, Mapping) else headers)
    for name, value in pairs:
        _check_header("headers", name, value)
    if not any(name.lower() == "user-agent" for name, _value in pairs):
        pairs.insert(0, ("User-Agent", "callstate-replay"))
    encoded = [(name, value.encode()) for name, value in pairs]
    if isinstance(trace, (str, os.PathLike)):
        try:
            stream: IO[bytes] = open(trace, "rb")  # noqa: SIM115 (closed below)
        except OSError as exc:
            reason = exc.strerror or str(exc)
            raise UsageError("trace", f"cannot read {os.fspath(trace)}: {reason}") from None
    else:
        stream = trace
    deadline = Deadline(float(timeout))
    poster = Poster(deadline, ssl_context)
    try:
        deliveries: list[Delivery] = []
        interval = 0.0 if rate is None else 1.0 / rate
        next_at: float | None = None
        for line in lines(stream):
            if line.body is None:
                reason = f"not sent: {line.size} bytes, over the {LINE_CAP >> 20} MiB replay sends"
                delivery = Delivery(line.number, None, reason, oversize=line.size)
            elif is_request_record(line.body):
                delivery = Delivery(line.number, None, _SKIP_NOTE)
            else:
                if next_at is not None and (wait := next_at - clock()) > 0:
                    sleep(wait)
                next_at = clock() + interval
                deadline.start()
                try:
                    delivery = _deliver(
                        poster,
                        start,
                        line.number,
                        webhook_body(line.body),
                        encoded,
                        follow=follow_redirects,
                    )
                except Failure as exc:
                    report = ReplayReport(url, tuple(deliveries))
                    raise BotUnreachable(line.number, url, exc.reason, report) from None
            deliveries.append(delivery)
            if on_delivery is not None:
                on_delivery(delivery)
        return ReplayReport(url, tuple(deliveries))
    finally:
        poster.close()
        if stream is not trace:
            stream.close()


def _deliver(
    poster: Poster,
    start: Target,
    number: int,
    body: bytes,
    headers: Sequence[tuple[str, bytes]],
    *,
    follow: bool,
) -> Delivery:
    """POST one envelope, following redirects when asked, within one deadline."""
    target, resent = start, False
    hops: list[str] = []
    while True:
        sent = headers
        if target.origin != start.origin:
            sent = [(n, v) for n, v in headers if n.lower() not in _CREDENTIALS]
        try:
            answer = poster.post(target, body, sent)
        except Failure as exc:
            if hops:
                raise Failure(f"{exc.reason}, after a redirect to {printable(hops[-1])}") from None
            raise
        resent = resent or answer.resent
        location = answer.location if answer.status in _REDIRECTS else None
        if location is not None and follow and len(hops) < _MAX_REDIRECTS:
            try:
                target = Target.parse(urljoin(target.url, location))
            except (BadTarget, ValueError) as exc:
                return _answered(
                    number,
                    answer.reason,
                    answer.status,
                    hops,
                    resent,
                    location,
                    f"not followed: {printable(str(exc))}",
                )
            hops.append(target.url)
            continue
        why_not = ""
        if location is not None:
            why_not = "not followed: " + (
                f"more than {_MAX_REDIRECTS} redirects" if follow else "use --follow-redirects"
            )
        return _answered(number, answer.reason, answer.status, hops, resent, location, why_not)


def _answered(
    number: int,
    reason: str,
    status: int,
    hops: list[str],
    resent: bool,
    location: str | None,
    why_not: str,
) -> Delivery:
    """The delivery of an answered envelope, its reason phrase followed by what happened."""
    notes = []
    if resent:
        notes.append("sent again on a new connection: the kept-alive one had been closed")
    if hops:
        count = f"{len(hops)} redirect{'s' if len(hops) != 1 else ''}"
        notes.append(f"after {count}, to {printable(hops[-1])}")
    if location is not None:
        notes.append(f"redirect to {printable(location)} {why_not}")
    text = reason + (f" ({'; '.join(notes)})" if notes else "")
    return Delivery(number, status, text, tuple(hops), resent, location)
