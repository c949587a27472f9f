"""The verdict: track live calls through the machine and report what broke, located."""

from callstate.verdict.finding import CallWarning, Finding, StepRecord, Violation
from callstate.verdict.report import Report, validate_lines, validate_path
from callstate.verdict.store import CallStore, MemoryStore, Saved, Stored
from callstate.verdict.tracker import MAX_BODY_BYTES, HistoryStep, StepObserver, Tracker

__all__ = [
    "MAX_BODY_BYTES",
    "CallStore",
    "CallWarning",
    "Finding",
    "HistoryStep",
    "MemoryStore",
    "Report",
    "Saved",
    "StepObserver",
    "StepRecord",
    "Stored",
    "Tracker",
    "Violation",
    "validate_lines",
    "validate_path",
]
