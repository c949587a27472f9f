"""The bot's own requests, from its httpx client, reach the tracker as request records."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any

import httpx
import pytest

from callstate import Finding, Tracker, UsageError
from callstate.contrib.httpx import observe
from tests.contrib.conftest import Records, StandInGraph

CALL = "341a0500-d4bf-4224-8b19-1581168d328b"
BLIND = {
    "transferTarget": {
        "endpointType": "default",
        "identity": {"user": {"id": "550fae72-d251-43ec-868c-373732c2704f", "tenantId": "t1"}},
    }
}


class _Recording(Tracker):
    """A tracker that keeps every body it was handed."""

    def __init__(self) -> None:
        super().__init__()
        self.handed: list[Any] = []

    def ingest(self, body: object, *, line: int | None = None) -> tuple[Finding, ...]:
        self.handed.append(body)
        return super().ingest(body, line=line)


def _transfer_record(status: int = 202) -> dict[str, Any]:
    return {
        "request": {
            "method": "POST",
            "url": f"/v1.0/communications/calls/{CALL}/transfer",
            "body": BLIND,
        },
        "response": {"status": status},
    }


class TestSyncClient:
    def test_transfer_is_a_request_record(self, graph: tuple[str, StandInGraph]) -> None:
        """A transfer POST becomes the trace's request record, with its status."""
        base, _app = graph
        tracker = _Recording()
        with httpx.Client() as client:
            observe(client, tracker)
            client.post(f"{base}/communications/calls/{CALL}/transfer", json=BLIND)
        assert [_transfer_record()] == tracker.handed

    def test_tracker_takes_the_record(self) -> None:
        """``Tracker.ingest`` reads a record with a response: no finding, the call known."""
        tracker = Tracker()
        established = {
            "value": [
                {
                    "changeType": "updated",
                    "resourceUrl": f"/communications/calls/{CALL}",
                    "resourceData": {
                        "@odata.type": "#microsoft.graph.call",
                        "state": "established",
                    },
                }
            ]
        }
        found = [*tracker.ingest(established), *tracker.ingest(_transfer_record())]
        assert ([], "established") == (found, tracker.state(CALL))

    def test_other_requests_are_not_fed_by_default(self, graph: tuple[str, StandInGraph]) -> None:
        """DELETE, answer and non-calls URLs are not fed unless ``requests="all"``."""
        base, app = graph
        tracker = _Recording()
        with httpx.Client() as client:
            observe(client, tracker)
            client.delete(f"{base}/communications/calls/{CALL}")
            client.post(f"{base}/communications/calls/{CALL}/answer", json={})
            client.get(f"{base}/users")
        assert (3, []) == (len(app.requests), tracker.handed)

    def test_all_requests(self, graph: tuple[str, StandInGraph]) -> None:
        """``requests="all"`` feeds every calls request, a DELETE with no body too."""
        base, _app = graph
        tracker = _Recording()
        with httpx.Client() as client:
            observe(client, tracker, requests="all")
            client.delete(f"{base}/communications/calls/{CALL}")
            client.post(f"{base}/communications/calls/{CALL}/keepAlive")
            client.get(f"{base}/users/u1")
        expected = [
            {
                "request": {"method": "DELETE", "url": f"/v1.0/communications/calls/{CALL}"},
                "response": {"status": 202},
            },
            {
                "request": {
                    "method": "POST",
                    "url": f"/v1.0/communications/calls/{CALL}/keepAlive",
                },
                "response": {"status": 202},
            },
        ]
        assert expected == tracker.handed

    def test_findings_are_logged_and_told(
        self, graph: tuple[str, StandInGraph], callstate_records: Records
    ) -> None:
        """A transfer to a number that is not E.164: logged, and told with the time it was sent."""
        base, _app = graph
        told: list[tuple[str, datetime]] = []

        def on_finding(finding: Finding, *, at: datetime) -> None:
            told.append((finding.rule, at))

        body = {"transferTarget": {"identity": {"phone": {"id": "0800"}}}}
        with httpx.Client() as client:
            observe(client, Tracker(), on_finding=on_finding)
            client.post(f"{base}/communications/calls/{CALL}/transfer", json=body)
        logged = [r.rule for r in callstate_records.records if hasattr(r, "rule")]
        assert (["not-e164"], ["not-e164"], True) == (
            [rule for rule, _ in told],
            logged,
            all(at.tzinfo is not None for _, at in told),
        )

    def test_existing_hooks_are_kept(self, graph: tuple[str, StandInGraph]) -> None:
        """The client's own hooks still run, before callstate's."""
        base, _app = graph
        seen: list[str] = []
        tracker = _Recording()
        with httpx.Client(event_hooks={"response": [lambda r: seen.append("mine")]}) as client:
            observe(client, tracker)
            client.post(f"{base}/communications/calls/{CALL}/transfer", json=BLIND)
        assert (["mine"], 1) == (seen, len(tracker.handed))

    def test_a_broken_tracker_never_breaks_the_request(
        self, graph: tuple[str, StandInGraph], callstate_records: Records
    ) -> None:
        """An error while checking is logged; the bot's request still gets its answer."""

        class Broken:
            def ingest(self, body: object, *, line: int | None = None) -> tuple[Finding, ...]:
                raise RuntimeError("boom")

        base, _app = graph
        with httpx.Client() as client:
            observe(client, Broken())
            status = client.post(f"{base}/communications/calls/{CALL}/transfer", json=BLIND)
        errors = [r.getMessage() for r in callstate_records.records if r.levelno >= logging.ERROR]
        assert (202, ["callstate: checking an outgoing request failed"]) == (
            status.status_code,
            errors,
        )


class TestAsyncClient:
    def test_transfer_is_a_request_record(self, graph: tuple[str, StandInGraph]) -> None:
        """An AsyncClient gets an async hook, with the same record."""
        base, _app = graph
        tracker = _Recording()

        async def send() -> None:
            async with httpx.AsyncClient() as client:
                observe(client, tracker)
                await client.post(f"{base}/communications/calls/{CALL}/transfer", json=BLIND)

        asyncio.run(send())
        assert [_transfer_record()] == tracker.handed

    def test_failed_request_carries_its_status(self, graph: tuple[str, StandInGraph]) -> None:
        """A 4xx answer is in the record's response."""
        base, app = graph
        app.status = 403
        tracker = _Recording()

        async def send() -> None:
            async with httpx.AsyncClient() as client:
                observe(client, tracker)
                await client.post(f"{base}/communications/calls/{CALL}/transfer", json=BLIND)

        asyncio.run(send())
        assert [_transfer_record(403)] == tracker.handed


class TestOptions:
    def test_not_a_client(self) -> None:
        """Only httpx clients can be observed."""
        with pytest.raises(UsageError, match="client"):
            observe(object(), Tracker())  # type: ignore[arg-type]

    def test_unknown_requests(self) -> None:
        """``requests`` is ``transfer`` or ``all``."""
        with httpx.Client() as client, pytest.raises(UsageError, match="requests"):
            observe(client, Tracker(), requests="some")  # type: ignore[arg-type]
