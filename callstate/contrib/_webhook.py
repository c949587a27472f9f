"""What every webhook middleware does with one calling-notification body, framework aside.

A middleware reads the body (bounded), hands it here, and gets back whether to
answer it itself (``reject_malformed``) or pass it on. Checking never breaks the
bot: an exception while ingesting or in an observer is logged, and the request
goes on to the application as if callstate were not there.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Final, Protocol

import orjson

from callstate.errors import UsageError
from callstate.graph.wire import describe_argument
from callstate.observe import LOGGER, TimedObserver, log_finding
from callstate.rules import catalogue
from callstate.verdict import MAX_BODY_BYTES, Finding, Violation

__all__ = ["IngestsBodies", "Problem", "Webhook", "check_observers", "tell"]

#: The rule a body that is not a webhook body gets; ``reject_malformed`` answers those.
_MALFORMED: Final = catalogue()["malformed"].id
_PROBLEM_TYPE: Final = "urn:callstate:rule:malformed"


class IngestsBodies(Protocol):
    """What a middleware needs of a tracker: :meth:`callstate.Tracker.ingest`."""

    def ingest(self, body: object, *, line: int | None = None) -> tuple[Finding, ...]:
        """Check one body; return its findings."""


class Problem:
    """An answer a middleware sends instead of calling the app: an RFC 9457 problem."""

    __slots__ = ("body", "status")

    #: The media type of :attr:`body`.
    content_type: Final = "application/problem+json"

    def __init__(self, status: int, body: bytes) -> None:
        self.status = status
        self.body = body


class Webhook:
    """The options every middleware shares, and the check of one body."""

    def __init__(
        self,
        *,
        tracker: IngestsBodies,
        path: str,
        max_body: int,
        reject_malformed: bool,
        on_finding: TimedObserver | None,
        logger: logging.Logger | None,
        in_thread: bool,
    ) -> None:
        check_observers(tracker, on_finding)
        if not isinstance(path, str) or not path.startswith("/"):
            raise UsageError(
                "path", f"expected a URL path starting with '/', got {describe_argument(path)}"
            )
        if type(max_body) is not int or not 0 < max_body <= MAX_BODY_BYTES:
            raise UsageError(
                "max_body",
                f"expected a whole number of bytes from 1 to {MAX_BODY_BYTES}, "
                f"got {describe_argument(max_body)}",
            )
        if logger is not None and not all(
            callable(getattr(logger, name, None)) for name in ("log", "isEnabledFor")
        ):
            raise UsageError(
                "logger", f"expected a logging.Logger, got {describe_argument(logger)}"
            )
        # Not bool(): the string "false" (from the environment, say) would be true.
        for name, flag in (("reject_malformed", reject_malformed), ("in_thread", in_thread)):
            if type(flag) is not bool:
                raise UsageError(name, f"must be True or False, got {describe_argument(flag)}")
        self.tracker = tracker
        self.path = path
        self.max_body = max_body
        self.reject_malformed = reject_malformed
        self.on_finding = on_finding
        self.logger = LOGGER if logger is None else logger
        self.in_thread = in_thread

    def wants(self, method: str, path: str) -> bool:
        """Whether a request is a calling webhook this middleware checks: a POST to its path."""
        return method == "POST" and path == self.path

    @staticmethod
    def now() -> datetime:
        """The time a body is received, in UTC."""
        return datetime.now(UTC)

    async def check(self, body: bytes, at: datetime) -> Problem | None:
        """Ingest ``body``, tell every finding, and say how to answer if not by the app."""
        try:
            if self.in_thread:
                findings = await asyncio.to_thread(self.tracker.ingest, body)
            else:
                findings = self.tracker.ingest(body)
        except Exception:
            self.logger.exception("callstate: checking a webhook body failed; passed on unchecked")
            return None
        self.tell(findings, at)
        return self._problem(400, findings)

    def oversize(self, size: str, at: datetime) -> Problem | None:
        """A body over ``max_body``: reported (the tracker never sees it), maybe answered 413."""
        finding = Violation(
            line=None,
            call_id=None,
            rule=_MALFORMED,
            message=f"body over {self.max_body} bytes ({size}); not checked",
        )
        self.tell((finding,), at)
        return self._problem(413, (finding,))

    def tell(self, findings: Sequence[Finding], at: datetime) -> None:
        """Log each finding and hand it to ``on_finding``; an observer's error is only logged."""
        tell(findings, at, logger=self.logger, on_finding=self.on_finding)

    def _problem(self, status: int, findings: Sequence[Finding]) -> Problem | None:
        if not self.reject_malformed:
            return None
        malformed = [f for f in findings if f.rule == _MALFORMED]
        if not malformed:
            return None
        first = malformed[0]
        document: dict[str, Any] = {
            "type": _PROBLEM_TYPE,
            "title": "Not a calling notification body",
            "status": status,
            "detail": first.message,
            "instance": self.path,
            "rule": first.rule,
            "violations": [f.to_json() for f in malformed],
        }
        return Problem(status, orjson.dumps(document))


def check_observers(tracker: object, on_finding: object) -> None:
    """Refuse, by name, a tracker that cannot ingest or an ``on_finding`` that is not callable."""
    if not callable(getattr(tracker, "ingest", None)):
        raise UsageError(
            "tracker", f"expected a callstate Tracker, got {describe_argument(tracker)}"
        )
    if on_finding is not None and not callable(on_finding):
        raise UsageError("on_finding", f"expected a callable, got {describe_argument(on_finding)}")


def tell(
    findings: Sequence[Finding],
    at: datetime,
    *,
    logger: logging.Logger,
    on_finding: TimedObserver | None,
) -> None:
    """Log each finding and hand it to ``on_finding``; an observer's error is only logged."""
    for finding in findings:
        try:
            log_finding(finding, logger=logger, at=at)
            if on_finding is not None:
                on_finding(finding, at=at)
        except Exception:
            logger.exception("callstate: a finding observer failed")
