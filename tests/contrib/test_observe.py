"""Findings as log records: one record each, under the ``callstate`` logger, fields in extra."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest

from callstate import CallWarning, Violation
from callstate.observe import LOGGER, log_finding
from tests.contrib.conftest import Records

AT = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
VIOLATION = Violation(
    line=7,
    call_id="c1",
    rule="transfer-not-in-progress",
    message="transferAccepted while established: no transfer in progress",
    state="established",
    received="transferAccepted",
)


class TestLogger:
    def test_null_handler(self) -> None:
        """The ``callstate`` logger has a NullHandler, so nothing prints unless configured."""
        assert ("callstate", True) == (
            LOGGER.name,
            any(isinstance(h, logging.NullHandler) for h in LOGGER.handlers),
        )

    def test_one_record_with_the_fields(self, callstate_records: Records) -> None:
        """A violation is one WARNING record; its extra holds every field and the time."""
        log_finding(VIOLATION, at=AT)
        (record,) = callstate_records.records
        fields = ("rule", "severity", "call_id", "state", "received", "line", "received_at")
        expected = (
            "WARNING",
            {
                "rule": "transfer-not-in-progress",
                "severity": "violation",
                "call_id": "c1",
                "state": "established",
                "received": "transferAccepted",
                "line": 7,
                "received_at": AT,
            },
            f"callstate violation: {VIOLATION}",
        )
        assert expected == (
            record.levelname,
            {k: getattr(record, k) for k in fields},
            record.getMessage(),
        )

    def test_warning_is_info(self, callstate_records: Records) -> None:
        """A warning is an INFO record; without ``at`` its time is None."""
        log_finding(CallWarning(line=None, call_id=None, rule="evicted", message="dropped"))
        (record,) = callstate_records.records
        assert ("INFO", None, None) == (record.levelname, record.received_at, record.line)

    def test_control_characters_are_escaped(self, callstate_records: Records) -> None:
        """A hostile call id cannot start a new log line; extra keeps the raw value."""
        hostile = "c1\nWARNING forged"
        log_finding(Violation(line=1, call_id=hostile, rule="malformed", message="m"))
        (record,) = callstate_records.records
        assert (False, hostile) == ("\n" in record.getMessage(), record.call_id)

    def test_another_logger(self, caplog: pytest.LogCaptureFixture) -> None:
        """``logger=`` sends the record elsewhere."""
        mine = logging.getLogger("mybot.calls")
        with caplog.at_level(logging.INFO, logger="mybot.calls"):
            log_finding(VIOLATION, logger=mine)
        assert [("mybot.calls", "transfer-not-in-progress")] == [
            (r.name, r.rule) for r in caplog.records
        ]

    def test_disabled_level_costs_nothing(self, callstate_records: Records) -> None:
        """Below the logger's level no record is made."""
        LOGGER.setLevel(logging.ERROR)
        log_finding(VIOLATION)
        assert [] == callstate_records.records
