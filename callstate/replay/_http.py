"""The HTTP/1.1 client replay sends with: stdlib ``http.client`` over deadline-held sockets.

Its sockets come from ``callstate.replay._wire``, so ``timeout`` bounds each whole
answer. Bodies are read up to :data:`BODY_CAP` bytes and the connection is dropped
past that, so an endless body costs neither memory nor time. A kept-alive connection
the bot closed is found before use when it can be, and an envelope it swallowed
without an answer is sent once more on a new connection.
"""

from __future__ import annotations

import http.client
import socket
import ssl
from collections.abc import Sequence
from typing import Final

import attrs

from callstate.replay._target import Target
from callstate.replay._wire import TLS, Deadline, Wire, open_socket

__all__ = ["BODY_CAP", "Answer", "Deadline", "Failure", "Poster", "printable"]

#: Bytes of each answer's body that are read; past that the connection is closed.
BODY_CAP: Final = 64 * 1024
_CHUNK: Final = 16 * 1024
#: Kept-alive connections held at once (one per origin: the webhook and redirect targets).
_POOL: Final = 4
_REASON_CAP: Final = 120


class Failure(Exception):
    """The bot could not be reached, or broke off; ``reason`` says how, in one line."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


@attrs.frozen
class Answer:
    """The bot's answer to one POST: status, reason phrase, and Location when it redirects."""

    status: int
    reason: str
    location: str | None
    #: Whether the envelope went out again on a new connection (the kept-alive one was closed).
    resent: bool


def printable(text: str, limit: int = _REASON_CAP) -> str:
    """``text`` on one line, control characters escaped, cut to ``limit`` characters."""
    out = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text[: limit + 1])
    return out if len(out) <= limit else out[: limit - 1] + "…"


class _Connection(http.client.HTTPConnection):
    """One kept-alive connection to an origin, its socket held to the deadline."""

    def __init__(self, target: Target, deadline: Deadline, tls: TLS) -> None:
        super().__init__(target.host, target.port)
        self._target = target
        self._deadline = deadline
        self._tls = tls
        #: Answers read on the current socket: more than 0 means the next request reuses it.
        self.answered = 0

    def connect(self) -> None:
        self.answered = 0
        self.sock = Wire(open_socket(self._target, self._deadline, self._tls), self._deadline)

    @property
    def reused(self) -> bool:
        """Whether the next request goes out on a socket that already carried an answer."""
        return self.sock is not None and self.answered > 0

    def dropped(self) -> bool:
        """Whether the kept-alive socket is known to be closed by the bot."""
        return isinstance(self.sock, Wire) and self.sock.dropped()


#: Errors meaning the bot closed the connection: before any answer came (a kept-alive one to
#: send on again), or after its status line (the answer stands).
_CLOSED = (
    BrokenPipeError,
    ConnectionResetError,  # http.client.RemoteDisconnected is one
    ConnectionAbortedError,
    ssl.SSLEOFError,
    ssl.SSLZeroReturnError,
)
_BEFORE_ANSWER = ("sending", "waiting for the answer")


class Poster:
    """POSTs bodies to targets over kept-alive connections, one deadline per envelope."""

    def __init__(self, deadline: Deadline, context: ssl.SSLContext | None) -> None:
        self._deadline = deadline
        self._tls = TLS(context)
        self._pool: dict[tuple[bool, str, int], _Connection] = {}
        self._stage = ""

    def post(self, target: Target, body: bytes, headers: Sequence[tuple[str, bytes]]) -> Answer:
        """Send one body and read the answer; raises :class:`Failure` when there is none.

        An envelope that a reused connection swallowed (closed before any answer) is
        sent once more on a new connection, within the same deadline.
        """
        connection = self._connection(target)
        try:
            if connection.reused and connection.dropped():
                connection.close()
            try:
                return self._exchange(connection, target, body, headers, resent=False)
            except _CLOSED:
                if not (connection.answered and self._stage in _BEFORE_ANSWER):
                    raise
            connection.close()
            return self._exchange(connection, target, body, headers, resent=True)
        except Exception as exc:
            self._forget(target)
            raise Failure(_describe(exc, self._deadline.seconds, self._stage)) from None
        except BaseException:
            self._forget(target)
            raise

    def close(self) -> None:
        """Close every connection."""
        for connection in self._pool.values():
            connection.close()
        self._pool.clear()

    def _connection(self, target: Target) -> _Connection:
        connection = self._pool.pop(target.origin, None)
        if connection is None:
            connection = _Connection(target, self._deadline, self._tls)
            while len(self._pool) >= _POOL:
                self._pool.pop(next(iter(self._pool))).close()
        self._pool[target.origin] = connection  # the most recently used is last
        return connection

    def _forget(self, target: Target) -> None:
        connection = self._pool.pop(target.origin, None)
        if connection is not None:
            connection.close()

    def _exchange(
        self,
        connection: _Connection,
        target: Target,
        body: bytes,
        headers: Sequence[tuple[str, bytes]],
        *,
        resent: bool,
    ) -> Answer:
        again = " again, on a new connection" if resent else ""
        if connection.sock is None:
            self._stage = f"connecting{again}"
            connection.connect()
        self._stage = f"sending{again}"
        connection.putrequest("POST", target.request_target, skip_accept_encoding=True)
        for name, value in headers:
            connection.putheader(name, value)
        connection.putheader("Content-Type", "application/json")
        connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        self._stage = f"waiting for the answer{again}"
        response = connection.getresponse()
        connection.answered += 1
        self._stage = f"reading the body of its {response.status} answer"
        answer = Answer(
            response.status,
            printable(response.reason or ""),
            response.getheader("Location"),
            resent,
        )
        try:
            complete = _discard_body(response)
        except _CLOSED:
            complete = False  # closed after its status line (uvicorn's 500 resets): it answered
        finally:
            response.close()  # a response that ended its connection holds the socket till here
        if not complete:
            connection.close()
        return answer


def _discard_body(response: http.client.HTTPResponse) -> bool:
    """Read and drop up to :data:`BODY_CAP` bytes; whether the body ended within them."""
    left = BODY_CAP + 1
    while left > 0:
        chunk = response.read(min(left, _CHUNK))
        if not chunk:
            return True
        left -= len(chunk)
    return False


def _describe(exc: Exception, seconds: float, stage: str) -> str:
    """One bounded line saying why there was no answer, and at which stage."""
    if isinstance(exc, Failure):
        return exc.reason
    if isinstance(exc, TimeoutError):
        return f"no complete answer within {seconds:g} s ({stage})"
    if isinstance(exc, socket.gaierror):
        return f"cannot resolve the host name: {printable(exc.strerror or str(exc))}"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"TLS certificate not trusted: {printable(exc.verify_message or str(exc))}"
    if isinstance(exc, ssl.SSLError):
        return f"TLS failed: {printable(exc.reason or str(exc))} ({stage})"
    if isinstance(exc, http.client.RemoteDisconnected):
        return f"the bot closed the connection without answering ({stage})"
    if isinstance(exc, http.client.IncompleteRead):
        return f"the answer broke off after {len(exc.partial)} bytes ({stage})"
    if isinstance(exc, http.client.HTTPException):
        kind = type(exc).__name__
        return f"the answer is not HTTP/1.1 ({kind}: {printable(str(exc), 80)})"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, OSError):
        return f"{printable(exc.strerror or str(exc) or type(exc).__name__)} ({stage})"
    return f"{type(exc).__name__}: {printable(str(exc))} ({stage})"
