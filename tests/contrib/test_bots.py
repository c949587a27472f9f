"""The README's bots, run under real servers and driven by ``callstate replay``.

The findings their middleware logs equal ``callstate validate``'s on the same
trace: rule, call id and order, and the line too, because the trace's request
records (which replay does not send) reach the same tracker in order, so the
tracker's body numbers are the trace's line numbers.
"""

from __future__ import annotations

import contextlib
import re
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import httpx
import orjson
import pytest

from callstate import Tracker, validate_path
from callstate.contrib.httpx import observe
from callstate.observe import log_finding
from callstate.replay import Delivery, replay
from tests.contrib.conftest import (
    REPO,
    Records,
    StandInGraph,
    aiohttp_server,
    load_example,
    uvicorn_server,
)

README = (REPO / "README.md").read_text(encoding="utf-8")
#: example module -> how to serve it.
EXAMPLES: dict[str, Callable[[ModuleType], contextlib.AbstractContextManager[str]]] = {
    "bot_fastapi": lambda module: uvicorn_server(module.app),
    "bot_aiohttp": lambda module: aiohttp_server(module.make_app()),
}

Located = tuple[int | None, str | None, str]


def _expected(trace: Path) -> list[Located]:
    found: list[Located] = []
    validate_path(trace, on_finding=lambda f: found.append((f.line, f.call_id, f.rule)))
    return found


def _logged(records: Records) -> list[Located]:
    return [(r.line, r.call_id, r.rule) for r in records.records if hasattr(r, "rule")]


def _request_log(trace: Path, tracker: Tracker) -> Callable[[Delivery], None]:
    """``on_delivery``: a skipped request record goes to the tracker, as the bot's own log."""
    lines = trace.read_bytes().splitlines()

    def deliver(delivery: Delivery) -> None:
        if delivery.skipped:
            for finding in tracker.ingest(lines[delivery.line - 1], line=delivery.line):
                log_finding(finding)

    return deliver


def _bot_sends(trace: Path, client: httpx.Client, base: str) -> Callable[[Delivery], None]:
    """``on_delivery``: the bot sends each skipped request record itself, through ``client``."""
    lines = trace.read_bytes().splitlines()

    def deliver(delivery: Delivery) -> None:
        if delivery.skipped:
            request = orjson.loads(lines[delivery.line - 1])["request"]
            path = request["url"].partition("/communications/")[2]
            client.request(request["method"], f"{base}/communications/{path}", json=request["body"])

    return deliver


@contextlib.contextmanager
def _running(name: str) -> Iterator[tuple[ModuleType, str, list[bytes]]]:
    module = load_example(name)
    bodies: list[bytes] = []
    module.handle_notifications = bodies.append
    with EXAMPLES[name](module) as url:
        yield module, url, bodies


class TestReadme:
    @pytest.mark.parametrize("name", [*sorted(EXAMPLES), "bot_requests"])
    def test_readme_shows_the_file_verbatim(self, name: str) -> None:
        """The README's "Run it in your bot" block is ``examples/NAME.py``, byte for byte."""
        text = (REPO / "examples" / f"{name}.py").read_text(encoding="utf-8")
        section = README.partition("## Run it in your bot\n")[2].partition("\n## ")[0]
        blocks = re.findall(r"```python\n(.*?)```", section, flags=re.S)
        assert text in blocks


class TestUnderRealServers:
    @pytest.mark.parametrize("name", sorted(EXAMPLES))
    def test_findings_equal_validate(
        self, name: str, mixed_trace: Path, callstate_records: Records
    ) -> None:
        """Replayed through the bot, the logged findings are validate's, in order."""
        with _running(name) as (module, url, _bodies):
            report = replay(mixed_trace, url, on_delivery=_request_log(mixed_trace, module.tracker))
        expected = _expected(mixed_trace)
        assert (True, expected) == (report.ok, _logged(callstate_records))

    @pytest.mark.parametrize("name", sorted(EXAMPLES))
    def test_findings_equal_validate_with_requests_over_httpx(
        self,
        name: str,
        mixed_trace: Path,
        callstate_records: Records,
        graph: tuple[str, StandInGraph],
    ) -> None:
        """The bot's own requests, sent through an observed httpx client, complete the verdict."""
        base, _app = graph
        with _running(name) as (module, url, _bodies), httpx.Client() as client:
            observe(client, module.tracker)
            report = replay(mixed_trace, url, on_delivery=_bot_sends(mixed_trace, client, base))
        assert (True, _expected(mixed_trace)) == (report.ok, _logged(callstate_records))

    @pytest.mark.parametrize("name", sorted(EXAMPLES))
    def test_without_the_requests_the_kind_check_is_lost(
        self, name: str, mixed_trace: Path, callstate_records: Records
    ) -> None:
        """Notifications alone miss the kind mismatch: 7 findings against validate's 8."""
        with _running(name) as (_module, url, _bodies):
            replay(mixed_trace, url)
        rules = [rule for _line, _call, rule in _expected(mixed_trace)]
        logged = [rule for _line, _call, rule in _logged(callstate_records)]
        assert (8, ["transfer-kind-mismatch"]) == (
            len(rules),
            [r for r in rules if r not in logged],
        )

    @pytest.mark.parametrize("name", sorted(EXAMPLES))
    def test_app_gets_the_same_bytes(self, name: str, mixed_trace: Path) -> None:
        """The bot's handler receives every envelope exactly as the trace holds it."""
        with _running(name) as (_module, url, bodies):
            replay(mixed_trace, url)
        sent = [line for line in mixed_trace.read_bytes().splitlines() if b'"request"' not in line]
        assert sent == bodies

    @pytest.mark.parametrize("name", sorted(EXAMPLES))
    def test_records_carry_the_finding(self, name: str, callstate_records: Records) -> None:
        """A finding's record has its rule, call id, state, received value, line and time."""
        bodies = [_envelope("established"), _envelope("transferAccepted")]
        reference = Tracker()
        (finding,) = [f for body in bodies for f in reference.ingest(body)]
        with _running(name) as (_module, url, _bodies):
            statuses = [_post(url, body) for body in bodies]
        (record,) = [r for r in callstate_records.records if hasattr(r, "rule")]
        fields = ("rule", "call_id", "state", "received", "line", "severity")
        expected = (
            [202, 202],
            "WARNING",
            {k: getattr(finding, k) for k in fields},
            True,
        )
        assert expected == (
            statuses,
            record.levelname,
            {k: getattr(record, k) for k in fields},
            record.received_at.tzinfo is not None,
        )


def _envelope(state: str) -> bytes:
    return (
        b'{"value":[{"changeType":"updated","resourceUrl":"/communications/calls/c1",'
        b'"resourceData":{"@odata.type":"#microsoft.graph.call","state":"%s"}}]}' % state.encode()
    )


def _post(url: str, body: bytes) -> int:
    request = urllib.request.Request(url, data=body, method="POST")
    with urllib.request.urlopen(request, timeout=10) as answer:
        return int(answer.status)
