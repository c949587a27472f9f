"""Findings as OpenTelemetry signals, through ``opentelemetry-api`` only.

:class:`FindingTelemetry` counts each finding on the counter ``callstate.findings``
(attributes ``rule`` and ``severity``) and, when a span is being recorded (the
request's server span, under OpenTelemetry's ASGI or aiohttp instrumentation),
adds a ``callstate.finding`` event to it. Without an SDK configured, every call is
OpenTelemetry's no-op. Pass ``telemetry.record`` as a middleware's ``on_finding``.
Needs ``pip install 'callstate[otel]'``.
"""

from __future__ import annotations

from callstate._extras import require

require("opentelemetry.metrics", "otel", part="callstate.contrib.otel")

from datetime import UTC, datetime, timedelta
from typing import Final

from opentelemetry import metrics, trace

from callstate.verdict import Finding

__all__ = ["COUNTER", "EVENT", "FindingTelemetry"]

#: The counter's name: one per finding, by rule and severity.
COUNTER: Final = "callstate.findings"
#: The span event's name.
EVENT: Final = "callstate.finding"


class FindingTelemetry:
    """Counts findings and marks the current span; ``record`` is a middleware's ``on_finding``.

    ``meter_provider`` defaults to the global one (set by the application's SDK setup,
    before or after this object is made).
    """

    def __init__(self, *, meter_provider: metrics.MeterProvider | None = None) -> None:
        from callstate import __version__

        meter = metrics.get_meter("callstate", __version__, meter_provider=meter_provider)
        self._counter = meter.create_counter(
            COUNTER,
            unit="{finding}",
            description="Findings callstate reported, by rule and severity",
        )

    def record(self, finding: Finding, *, at: datetime | None = None) -> None:
        """Count ``finding``, and add it as an event to the current span if one is recording.

        ``at`` (when its body was received) is the event's time; without it, now.
        """
        self._counter.add(1, {"rule": finding.rule, "severity": finding.severity})
        span = trace.get_current_span()
        if not span.is_recording():
            return
        fields = {
            "callstate.rule": finding.rule,
            "callstate.severity": finding.severity,
            "callstate.message": finding.message,
            "callstate.call_id": finding.call_id,
            "callstate.state": finding.state,
            "callstate.received": finding.received,
            "callstate.line": finding.line,
        }
        attributes = {k: v for k, v in fields.items() if v is not None}
        when = None if at is None else _nanoseconds(at)
        span.add_event(EVENT, attributes=attributes, timestamp=when)


_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)


def _nanoseconds(at: datetime) -> int:
    """``at`` as nanoseconds since the epoch, exactly (a naive time is taken as UTC)."""
    aware = at if at.tzinfo is not None else at.replace(tzinfo=UTC)
    return (aware - _EPOCH) // timedelta(microseconds=1) * 1_000
