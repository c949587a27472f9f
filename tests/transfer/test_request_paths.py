"""Request paths read by the one calls-URL grammar: the bot's requests, and hostile URLs."""

from __future__ import annotations

from pathlib import Path
from unittest import mock

import orjson
import pytest
from hypothesis import given, strategies as st

from callstate.errors import ParseError
from callstate.graph.wire import (
    MAX_ID,
    REQUEST_ACTIONS,
    CallPathError,
    RequestPath,
    parse_request_path,
    plain_request_path,
)
from callstate.transfer import PATH_POINTER, validate_transfer_request
from callstate.verdict import Tracker
from tests.conftest import RunCommand

BODY = {"transferTarget": {"identity": {"user": {"id": "u"}}}}
GRAPH = "https://graph.microsoft.com/v1.0"

#: URLs that urlsplit could not read (a bad port, a broken IPv6 bracket) and other
#: URLs that are no Graph request path; each is one invalid-path, never a traceback.
HOSTILE = [
    "https://graph.microsoft.com:99999/v1.0/communications/calls/c1/transfer",
    "https://graph.microsoft.com:abc/v1.0/communications/calls/c1/transfer",
    "https://graph.microsoft.com:443/v1.0/communications/calls/c1/transfer",
    "https://[::1/v1.0/communications/calls/c1/transfer",
    "https://[::1]:8080/v1.0/communications/calls/c1/transfer",
    "https://]graph.microsoft.com[/v1.0/communications/calls/c1/transfer",
    "https://user@graph.microsoft.com/v1.0/communications/calls/c1/transfer",
    "https://user:pw@graph.microsoft.com/v1.0/communications/calls/c1/transfer",
    f"{GRAPH}/communications/calls/c1/transfer?debug=1",
    f"{GRAPH}/communications/calls/c1/transfer#x",
    "https:///v1.0/communications/calls/c1/transfer",
    f"/communications/calls/{'x' * (MAX_ID + 1)}/transfer",
    "/communications/calls/c1/transfer/" + "y" * 100_000,
]


class TestRequestPaths:
    """parse_request_path: create, delete and the call's actions, as issue 12 needs them."""

    @pytest.mark.parametrize(
        ("url", "expected"),
        [
            ("/communications/calls", RequestPath(None, None, False)),
            (f"{GRAPH}/communications/calls", RequestPath(None, None, False)),
            ("/communications/calls/c1", RequestPath("c1", None, False)),
            ("/app/calls/c1", RequestPath("c1", None, True)),
            ("/communications/calls/c1/keepalive", RequestPath("c1", "keepAlive", False)),
            ("/BETA/Communications/Calls/c1/ANSWER", RequestPath("c1", "answer", False)),
            (f"{GRAPH}/app/calls/c1/transfer", RequestPath("c1", "transfer", True)),
            (
                "https://graph.microsoft.us/v1.0/communications/calls/C1/Reject",
                RequestPath("C1", "reject", False),
            ),
        ],
    )
    def test_accepted(self, url: str, expected: RequestPath) -> None:
        """Each form names its call (as sent), the action in Graph's spelling, and legacy."""
        assert expected == parse_request_path(url, "/request/url")

    @pytest.mark.parametrize("action", REQUEST_ACTIONS)
    def test_every_action(self, action: str) -> None:
        """Every declared action reads back as itself."""
        expected = RequestPath("c1", action, False)
        assert expected == parse_request_path(f"/communications/calls/c1/{action}", "")

    @pytest.mark.parametrize(
        "url",
        [
            "/communications/calls/c1/mute",
            "/communications/calls/c1/transfer/x",
            "/communications/calls/c1/operations/o1",
            "/communications/onlineMeetings/m1",
            "/communications/calls/",
            *HOSTILE,
        ],
    )
    def test_rejected(self, url: str) -> None:
        """Anything else is a CallPathError at the pointer given, with a bounded message."""
        with pytest.raises(CallPathError) as caught:
            parse_request_path(url, "/request/url")
        expected = "/request/url"
        assert expected == caught.value.pointer
        assert len(caught.value.message) < 400

    def test_not_a_string(self) -> None:
        """A URL that is not a string is a ParseError too."""
        with pytest.raises(ParseError, match="expected a string, got the number 7"):
            parse_request_path(7, "/request/url")


class TestHostileUrls:
    """Bad ports, broken brackets, user info, queries: invalid-path in every entry point."""

    @pytest.mark.parametrize("url", HOSTILE)
    def test_validate_transfer_request(self, url: str) -> None:
        """One invalid-path problem, and no call id."""
        verdict = validate_transfer_request(BODY, path=url)
        expected = ([(PATH_POINTER, "invalid-path")], None)
        assert expected == ([(p.pointer, p.rule) for p in verdict.problems], verdict.call_id)

    @pytest.mark.parametrize("url", HOSTILE)
    def test_tracker_request_records(self, url: str) -> None:
        """A request record with the URL is one invalid-path finding, as a dict and as bytes."""
        record = {"request": {"method": "POST", "url": url, "body": BODY}}
        for body in (record, orjson.dumps(record)):
            expected = ["invalid-path"]
            assert expected == [f.rule for f in Tracker().ingest(body)]

    @pytest.mark.parametrize("url", HOSTILE[:6])
    def test_check_request_cli(self, url: str, tmp_path: Path, run_command: RunCommand) -> None:
        """``check-request --path`` exits 1 and names the invalid path; no traceback."""
        body = tmp_path / "request.json"
        body.write_bytes(orjson.dumps(BODY))
        code, out, err = run_command(["check-request", str(body), "--path", url])
        expected = (1, True, False)
        assert expected == (code, "invalid-path" in out + err, "Traceback" in out + err)


_PREFIXES = [
    f"https://graph.microsoft.com/{version}/communications/calls/" for version in ("v1.0", "beta")
] + ["/communications/calls/", "/v1.0/communications/calls/", "/beta/communications/calls/"]
#: Prefixes the general grammar reads and the plain spelling does not.
_OTHER_PREFIXES = [
    "https://graph.microsoft.us/v1.0/communications/calls/",
    "https://GRAPH.microsoft.com/v1.0/communications/calls/",
    "/V1.0/communications/calls/",
    "/app/calls/",
    "http://graph.microsoft.com/v1.0/communications/calls/",
    "https://example.com/v1.0/communications/calls/",
]


class TestPlainSpelling:
    """plain_request_path: one match for Graph's own spelling, the grammar's reading."""

    @pytest.mark.parametrize("prefix", _PREFIXES)
    @pytest.mark.parametrize("action", [*REQUEST_ACTIONS, None])
    def test_takes_graphs_spelling(self, prefix: str, action: str | None) -> None:
        """Every prefix Graph writes, with each action or none, is read in one match."""
        tail = "" if action is None else f"/{action}"
        assert ("c1", action) == plain_request_path(f"{prefix}c1{tail}")

    @given(
        prefix=st.sampled_from(_PREFIXES + _OTHER_PREFIXES),
        call_id=st.text(alphabet="ab/?#%", max_size=12)
        | st.integers(MAX_ID - 1, MAX_ID + 1).map(lambda n: "c" * n),
        suffix=st.sampled_from(
            ["/transfer", "/Transfer", "/transfer/", "/answer", "/keepalive", "", "/", "/x"]
        ),
    )
    def test_agrees_with_the_grammar(self, prefix: str, call_id: str, suffix: str) -> None:
        """What it reads, the general grammar reads the same (so a fast branch may trust it)."""
        url = f"{prefix}{call_id}{suffix}"
        plain = plain_request_path(url)
        with mock.patch("callstate.graph._calls_url.plain_request_path", return_value=None):
            try:
                general: RequestPath | None = parse_request_path(url, PATH_POINTER)
            except CallPathError:
                general = None
        if plain is not None:
            assert general == RequestPath(*plain, False)
