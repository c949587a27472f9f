"""Sockets held to one deadline: what ``http.client`` reads and writes through.

``http.client`` sets one timeout per socket operation, so a bot dripping one byte at
a time could hold one answer for ever. Every wait here (name lookup, connect, TLS
handshake, each send, each read) is cut to what is left of the envelope's deadline.
"""

from __future__ import annotations

import io
import selectors
import socket
import ssl
import threading
import time
from collections.abc import Sequence
from typing import Any, Final

from callstate.replay._target import Target

__all__ = ["TLS", "Deadline", "Wire", "open_socket"]

#: The longest single wait handed to a socket (``settimeout`` overflows far above this).
_LONGEST_WAIT: Final = 1e6


class Deadline:
    """The moment by which the current envelope's answer must be complete."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.at = time.monotonic() + seconds

    def start(self) -> None:
        """Give the next envelope its full ``seconds``."""
        self.at = time.monotonic() + self.seconds

    def left(self) -> float:
        """Seconds left for the current answer; raises ``TimeoutError`` when none are."""
        left = self.at - time.monotonic()
        if left <= 0:
            raise TimeoutError("out of time")
        return min(left, _LONGEST_WAIT)


class _Reader(io.RawIOBase):
    """Reads of the wire's socket, each cut to what is left of the deadline."""

    def __init__(self, wire: Wire) -> None:
        self._wire = wire

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        return self._wire.recv_into(buffer)

    def close(self) -> None:
        if not self.closed:
            self._wire.reader_closed()
        super().close()


class Wire:
    """What ``http.client`` sees as its socket: sends and reads held to the deadline.

    Like ``socket.makefile``, an open reader keeps the socket open after ``close``:
    a response that ends with the connection is read after the connection lets go.
    """

    def __init__(self, sock: socket.socket, deadline: Deadline) -> None:
        self._sock = sock
        self._deadline = deadline
        self._readers = 0
        self._closed = False

    def sendall(self, data: bytes) -> None:
        with memoryview(data) as view, view.cast("B") as octets:
            sent = 0
            while sent < len(octets):
                self._sock.settimeout(self._deadline.left())
                sent += self._sock.send(octets[sent:])

    def recv_into(self, buffer: memoryview) -> int:
        self._sock.settimeout(self._deadline.left())
        return self._sock.recv_into(buffer)

    def makefile(self, mode: str) -> io.BufferedReader:
        self._readers += 1
        return io.BufferedReader(_Reader(self))

    def reader_closed(self) -> None:
        self._readers -= 1
        if self._closed and not self._readers:
            self._sock.close()

    def dropped(self) -> bool:
        """Whether the bot closed the idle connection (or sent something unasked).

        On TLS, a readable socket may only hold session tickets: a read that finds no
        application data (``SSLWantReadError``) means the connection is still good.
        """
        with selectors.DefaultSelector() as selector:
            selector.register(self._sock, selectors.EVENT_READ)
            if not selector.select(0):
                return False
        if not isinstance(self._sock, ssl.SSLSocket):
            return True
        self._sock.settimeout(0.0)
        try:
            self._sock.recv(1)
        except ssl.SSLWantReadError:
            return False
        except OSError:
            return True
        return True  # the end of the stream, or bytes nobody asked for

    def close(self) -> None:
        self._closed = True
        if not self._readers:
            self._sock.close()


def _resolve(host: str, port: int, deadline: Deadline) -> Sequence[tuple[Any, ...]]:
    """``getaddrinfo``, which has no timeout of its own, run in a thread held to the deadline."""
    try:
        return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_NUMERICHOST)
    except socket.gaierror:
        pass
    found: list[Sequence[tuple[Any, ...]]] = []
    errors: list[OSError] = []

    def look_up() -> None:
        try:
            found.append(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
        except OSError as exc:
            errors.append(exc)

    worker = threading.Thread(target=look_up, name="callstate-replay-lookup", daemon=True)
    worker.start()
    worker.join(deadline.left())
    if errors:
        raise errors[0]
    if not found:
        raise TimeoutError("name lookup")
    return found[0]


class TLS:
    """The TLS context: the caller's, or the system's trust store made on first use."""

    def __init__(self, context: ssl.SSLContext | None) -> None:
        self._context = context

    def context(self) -> ssl.SSLContext:
        """The context to wrap sockets with."""
        if self._context is None:
            self._context = ssl.create_default_context()
        return self._context


def open_socket(target: Target, deadline: Deadline, tls: TLS) -> socket.socket:
    """A connected socket to ``target`` (TLS when https), every step held to ``deadline``."""
    last: OSError | None = None
    for family, kind, proto, _name, address in _resolve(target.host, target.port, deadline):
        sock = socket.socket(family, kind, proto)
        try:
            sock.settimeout(deadline.left())
            sock.connect(address)
        except TimeoutError:
            sock.close()
            raise
        except OSError as exc:
            sock.close()
            last = exc
            continue
        break
    else:
        raise last or OSError(f"no address for {target.host}")
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if not target.tls:
        return sock
    try:
        secure = tls.context().wrap_socket(
            sock, server_hostname=target.host, do_handshake_on_connect=False
        )
    except BaseException:
        sock.close()
        raise
    try:
        secure.settimeout(deadline.left())
        secure.do_handshake()
    except BaseException:
        secure.close()  # wrap_socket took the descriptor over from sock
        raise
    return secure
