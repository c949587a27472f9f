"""Findings as log records, under the ``callstate`` logger (standard library only).

The ``callstate`` logger has a :class:`logging.NullHandler`, so nothing is printed
until the application configures logging. Each finding is one record: a
violation at ``WARNING``, a warning at ``INFO``, with its fields in the record's
``extra`` (``record.rule``, ``record.call_id``, ``record.state``, ``record.received``,
``record.line``, ``record.severity``, ``record.received_at``), so a JSON formatter
or a filter can use them without parsing the message.

In a long-running process a finding's ``line`` is not a line of a file: it is the
sequence number of the body among those the tracker was handed (the first body
is 1), unless the caller passed ``line=`` to :meth:`~callstate.Tracker.ingest`.
Several workers, each with its own tracker, count independently. ``received_at``
is when the body was received, which the middleware records.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Protocol

from callstate.verdict import Finding

__all__ = ["LOGGER", "TimedObserver", "log_finding"]

#: The logger every finding goes to, unless another is given.
LOGGER = logging.getLogger("callstate")
LOGGER.addHandler(logging.NullHandler())

_LEVELS = {"violation": logging.WARNING, "warning": logging.INFO}


class TimedObserver(Protocol):
    """Told of each finding a middleware or client hook sees, with the time it was received.

    :func:`log_finding` and :meth:`callstate.contrib.otel.FindingTelemetry.record` are
    observers; so is any ``def on_finding(finding, *, at): ...``.
    """

    def __call__(self, finding: Finding, *, at: datetime) -> None:
        """Take note of ``finding``, whose body was received at ``at`` (UTC)."""


def log_finding(
    finding: Finding, *, logger: logging.Logger | None = None, at: datetime | None = None
) -> None:
    """Log ``finding`` as one record on ``logger`` (the ``callstate`` logger by default).

    ``at`` is when its body was received, in ``record.received_at`` (``None`` when
    not known). The message is ``callstate <severity>: <str(finding)>``, control
    characters escaped; the ``extra`` fields hold the values as they arrived.
    """
    target = LOGGER if logger is None else logger
    level = _LEVELS.get(finding.severity, logging.WARNING)
    if not target.isEnabledFor(level):
        return
    target.log(
        level,
        "callstate %s: %s",
        finding.severity,
        finding,  # str(finding) escapes control characters: no forged log lines
        extra={
            "rule": finding.rule,
            "severity": finding.severity,
            "call_id": finding.call_id,
            "state": finding.state,
            "received": finding.received,
            "line": finding.line,
            "received_at": at,
        },
    )
