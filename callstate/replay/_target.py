"""Where an envelope goes: an http(s) URL read once into host, port and request target."""

from __future__ import annotations

from typing import Final
from urllib.parse import quote, urlsplit

import attrs

__all__ = ["BadTarget", "Target"]

#: Characters left as they are in a request target; everything else is percent-encoded.
_SAFE: Final = "/%!$&'()*+,;=:@-._~"


class BadTarget(ValueError):
    """A URL replay cannot send to; the message says why."""


@attrs.frozen
class Target:
    """One webhook URL, split the way a request needs it."""

    #: The URL as given (for reports).
    url: str
    tls: bool
    host: str
    port: int
    #: Path and query, percent-encoded: what goes on the request line.
    request_target: str

    @property
    def origin(self) -> tuple[bool, str, int]:
        """Scheme, host and port: what one connection serves."""
        return (self.tls, self.host, self.port)

    @classmethod
    def parse(cls, url: str) -> Target:
        """Read ``url``; raises :class:`BadTarget` unless it is an http(s) URL with a host."""
        if any(not c.isprintable() or c.isspace() for c in url):
            raise BadTarget("a URL cannot hold spaces or control characters")
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as exc:
            raise BadTarget(str(exc)) from None
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https") or not parts.hostname:
            raise BadTarget("expected an http:// or https:// URL with a host")
        if parts.username is not None or parts.password is not None:
            raise BadTarget("credentials in the URL are not sent: pass them with --header")
        if port == 0:
            raise BadTarget("port 0 cannot be connected to")
        host = parts.hostname
        try:
            host.encode("idna")
        except UnicodeError:
            raise BadTarget(f"{host!r} is not a valid host name") from None
        path = quote(parts.path or "/", safe=_SAFE)
        query = f"?{quote(parts.query, safe=_SAFE + '?')}" if parts.query else ""
        tls = scheme == "https"
        return cls(url, tls, host, port or (443 if tls else 80), path + query)
