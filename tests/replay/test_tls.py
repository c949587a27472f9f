"""https bots: the certificate is checked, and a private CA can be trusted from Python.

The bot is the recording server behind TLS, with the test-only certificate in
``data/`` (see ``data/README.md``).
"""

from __future__ import annotations

import io
import ssl
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest

from callstate.replay import BotUnreachable, replay
from tests.replay.conftest import Bot, serve_bot

_DATA = Path(__file__).parent / "data"


@pytest.fixture
def tls_bot() -> Iterator[Bot]:
    """The recording bot on https://127.0.0.1, its certificate signed by the test CA."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(_DATA / "server.pem")

    def wrap(server: ThreadingHTTPServer) -> None:
        server.socket = context.wrap_socket(server.socket, server_side=True)

    record = Bot("")
    bots = serve_bot(record, wrap=wrap)
    bot = next(bots)
    bot.url = bot.url.replace("http://", "https://")
    yield bot
    bots.close()


class TestTLS:
    def test_unknown_ca_is_refused_clearly(self, tls_bot: Bot, envelopes: list[bytes]) -> None:
        """With the system's trust store the test CA is unknown: one clear TLS reason."""
        with pytest.raises(BotUnreachable) as caught:
            replay(io.BytesIO(envelopes[0]), tls_bot.url, timeout=5)
        expected: object = (True, [])
        assert expected == (
            caught.value.reason.startswith("TLS certificate not trusted: "),
            tls_bot.received,
        )

    def test_trusted_ca_delivers_byte_for_byte(self, tls_bot: Bot, envelopes: list[bytes]) -> None:
        """An ssl_context that trusts the CA sends every envelope over one TLS connection."""
        context = ssl.create_default_context(cafile=_DATA / "ca.pem")
        report = replay(
            io.BytesIO(b"\n".join(envelopes[:3])), tls_bot.url, ssl_context=context, timeout=5
        )
        expected: object = ([202] * 3, envelopes[:3])
        assert expected == (
            [d.status for d in report.deliveries],
            [r.body for r in tls_bot.received],
        )
