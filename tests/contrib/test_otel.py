"""OpenTelemetry: a findings counter by rule and severity, and span events, with the real SDK."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, datetime
from typing import Any

from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from callstate import CallWarning, Tracker, Violation
from callstate.contrib.asgi import CallstateMiddleware
from callstate.contrib.otel import COUNTER, EVENT, FindingTelemetry
from tests.contrib.conftest import REPO
from tests.contrib.test_asgi import _App, _request, _run

AT = datetime(2026, 1, 2, 3, 4, 5, 678_901, tzinfo=UTC)
VIOLATION = Violation(
    line=3,
    call_id="c1",
    rule="transfer-not-in-progress",
    message="no transfer in progress",
    state="established",
    received="transferAccepted",
)
WARNING = CallWarning(line=None, call_id=None, rule="evicted", message="dropped")


def _counts(reader: InMemoryMetricReader) -> dict[tuple[str, str], int]:
    """The counter's value per (rule, severity)."""
    data = reader.get_metrics_data()
    assert data is not None
    counts: dict[tuple[str, str], int] = {}
    for resource in data.resource_metrics:
        for scope in resource.scope_metrics:
            for metric in scope.metrics:
                if metric.name == COUNTER:
                    for point in metric.data.data_points:
                        attributes: Any = point.attributes
                        counts[attributes["rule"], attributes["severity"]] = point.value  # type: ignore[union-attr]
    return counts


def _tracing() -> tuple[TracerProvider, InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider, exporter


class TestCounter:
    def test_counts_by_rule_and_severity(self) -> None:
        """Each finding adds one, under its rule and severity."""
        reader = InMemoryMetricReader()
        telemetry = FindingTelemetry(meter_provider=MeterProvider(metric_readers=[reader]))
        for finding in (VIOLATION, VIOLATION, WARNING):
            telemetry.record(finding)
        expected = {("transfer-not-in-progress", "violation"): 2, ("evicted", "warning"): 1}
        assert expected == _counts(reader)


class TestSpanEvents:
    def test_event_on_the_current_span(self) -> None:
        """A recording span gets one event per finding, with the fields and the receive time."""
        provider, exporter = _tracing()
        telemetry = FindingTelemetry(meter_provider=MeterProvider())
        with provider.get_tracer("test").start_as_current_span("POST /api/calls"):
            telemetry.record(VIOLATION, at=AT)
        ((event,),) = [span.events for span in exporter.get_finished_spans()]
        expected = (
            EVENT,
            {
                "callstate.rule": "transfer-not-in-progress",
                "callstate.severity": "violation",
                "callstate.message": "no transfer in progress",
                "callstate.call_id": "c1",
                "callstate.state": "established",
                "callstate.received": "transferAccepted",
                "callstate.line": 3,
            },
            1767323045678901000,
        )
        assert expected == (event.name, dict(event.attributes or {}), event.timestamp)

    def test_no_span_no_event(self) -> None:
        """Outside any span only the counter moves, and nothing fails."""
        reader = InMemoryMetricReader()
        telemetry = FindingTelemetry(meter_provider=MeterProvider(metric_readers=[reader]))
        telemetry.record(WARNING)
        assert {("evicted", "warning"): 1} == _counts(reader)

    def test_through_the_middleware(self) -> None:
        """As a middleware's ``on_finding``, a malformed body marks the request's span."""
        provider, exporter = _tracing()
        reader = InMemoryMetricReader()
        telemetry = FindingTelemetry(meter_provider=MeterProvider(metric_readers=[reader]))
        middleware = CallstateMiddleware(_App(), tracker=Tracker(), on_finding=telemetry.record)
        tracer = provider.get_tracer("test")

        async def instrumented(scope: Any, receive: Any, send: Any) -> None:
            with tracer.start_as_current_span("POST /api/calls"):
                await middleware(scope, receive, send)

        _run(instrumented, *_request([b"not json"]))  # type: ignore[arg-type]
        events = [e.name for span in exporter.get_finished_spans() for e in span.events]
        assert ([EVENT], {("malformed", "violation"): 1}) == (events, _counts(reader))


class TestPrometheusRecipe:
    def test_readme_recipe_counts(self) -> None:
        """The README's prometheus_client recipe exposes callstate_findings_total by label."""
        readme = (REPO / "README.md").read_text(encoding="utf-8")
        (recipe,) = [
            block
            for block in re.findall(r"```python\n(.*?)```", readme, flags=re.S)
            if "prometheus_client" in block
        ]
        code = (
            recipe
            + "\nfrom callstate import Violation\n"
            + "v = Violation(line=1, call_id='c1', rule='malformed', message='m')\n"
            + "count_finding(v, at=None)\ncount_finding(v, at=None)\n"
            + "from prometheus_client import REGISTRY\n"
            + "print(REGISTRY.get_sample_value('callstate_findings_total',"
            + " {'rule': 'malformed', 'severity': 'violation'}))\n"
        )
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
        )
        assert (0, "2.0") == (done.returncode, done.stdout.strip())
