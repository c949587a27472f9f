"""What the emulator says of the bot once the run is over: the rules it broke, and why.

Three things make a bot fail (exit 1): a request that broke a rule (a violation,
with its rule id), a notification the bot did not answer with 2xx, and a call still
live when the run's time ran out. Warnings are listed and do not fail it.
"""

from __future__ import annotations

from typing import Final

import attrs

from callstate.cli._output import escape, plural
from callstate.verdict.finding import Finding, Violation

__all__ = ["EXIT_CONFORMED", "EXIT_NOT_CONFORMED", "Undelivered", "Unknown", "Verdict"]

#: The bot conformed.
EXIT_CONFORMED: Final = 0
#: The bot broke a rule, left a notification unanswered, or a call was still live.
EXIT_NOT_CONFORMED: Final = 1


@attrs.frozen(kw_only=True)
class Undelivered:
    """A notification the bot did not answer with 2xx: its trace line, and what came back."""

    line: int
    call_id: str
    status: int | None
    error: str | None = None

    def __str__(self) -> str:
        got = f"HTTP {self.status}" if self.status is not None else self.error or "no answer"
        return (
            f"line {self.line:<4} call {escape(self.call_id)}  notification not answered 2xx: {got}"
        )


@attrs.frozen(kw_only=True)
class Unknown:
    """A request about a call the emulator never had (Graph answers 404)."""

    line: int
    method: str
    url: str

    def __str__(self) -> str:
        return f"line {self.line:<4} {self.method} {escape(self.url)}: no such call (404)"


@attrs.frozen(kw_only=True)
class Verdict:
    """The run's verdict.

    ``requests`` are the findings the bot's requests gave, ``notes`` those judged at
    Graph's notifications and at the end of the run (a keepAlive overdue, a transfer
    left unfinished); ``unknown`` the requests about calls Graph never had;
    ``undelivered`` the notifications the bot did not 2xx; ``live`` the calls still
    live when the run ended; ``calls`` how many calls the run had.
    """

    calls: int
    requests: tuple[Finding, ...] = ()
    notes: tuple[Finding, ...] = ()
    unknown: tuple[Unknown, ...] = ()
    undelivered: tuple[Undelivered, ...] = ()
    live: tuple[str, ...] = ()

    @property
    def violations(self) -> tuple[Finding, ...]:
        """Every violation, of the requests and of the notifications."""
        return tuple(f for f in (*self.requests, *self.notes) if isinstance(f, Violation))

    @property
    def rules(self) -> tuple[str, ...]:
        """The rule ids of the violations, each once, in the order found."""
        return tuple(dict.fromkeys(f.rule for f in self.violations))

    @property
    def conformed(self) -> bool:
        """No violation, no request about an unknown call, every notification 2xx, no call live."""
        return not (self.violations or self.unknown or self.undelivered or self.live)

    @property
    def exit_code(self) -> int:
        """0 when the bot conformed, else 1."""
        return EXIT_CONFORMED if self.conformed else EXIT_NOT_CONFORMED

    def lines(self) -> list[str]:
        """The verdict as a person reads it, one finding a line, a summary last."""
        out = [str(f) for f in (*self.requests, *self.notes)]
        out += [str(u) for u in self.unknown]
        out += [str(u) for u in self.undelivered]
        out += [f"-         call {escape(c)}  still live when the run ended" for c in self.live]
        verdict = "conformed" if self.conformed else "did not conform"
        out.append(
            f"{plural(self.calls, 'call')}: {plural(len(self.violations), 'violation')}, "
            f"{plural(len(self.undelivered), 'notification')} not answered 2xx, "
            f"{len(self.live)} still live; the bot {verdict}"
        )
        return out

    def to_json(self) -> dict[str, object]:
        """The verdict as JSON data."""
        return {
            "calls": self.calls,
            "conformed": self.conformed,
            "requests": [f.to_json() | {"severity": f.severity} for f in self.requests],
            "notes": [f.to_json() | {"severity": f.severity} for f in self.notes],
            "unknown": [attrs.asdict(u) for u in self.unknown],
            "undelivered": [attrs.asdict(u) for u in self.undelivered],
            "live": list(self.live),
        }
