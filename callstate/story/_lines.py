"""The trace as the tracker reads it, with each line's story read on the way.

:class:`StoryLines` sits between the trace and :meth:`Tracker.read_stream`: the
tracker keeps its bounded line reading, its limits and its messages, and every
complete line is first read for what it says. A timed line (``{"at": "<RFC
3339>", "body": {...}}``) is handed on as its body, its time kept for the story;
a timed request record goes on as it is (the tracker reads its ``request``).
"""

from __future__ import annotations

from typing import IO, Any, Protocol

import orjson

from callstate.errors import ParseError
from callstate.machine.definition import MachineDefinition
from callstate.story._collect import Collector
from callstate.story._said import read_time, said_by, timed
from callstate.verdict import Finding, Violation

__all__ = ["StoryLines"]


class _Lines(Protocol):
    def readline(self, size: int = -1, /) -> bytes: ...


class StoryLines:
    """A binary line stream for :meth:`~callstate.Tracker.read_stream`, read for stories."""

    def __init__(
        self,
        stream: IO[bytes] | _Lines,
        collector: Collector,
        found: list[Finding],
        definition: MachineDefinition,
    ) -> None:
        self._stream = stream
        self._collector = collector
        self._found = found
        self._definition = definition
        self._at_start = True
        #: Lines begun so far: the tracker's line numbers.
        self.lines = 0

    def readline(self, size: int = -1, /) -> bytes:
        """The next chunk; a complete line is read for its story, a timed one unwrapped."""
        chunk = self._stream.readline(size)
        starting, self._at_start = self._at_start, not chunk or chunk.endswith(b"\n")
        if not starting or not chunk:
            return chunk
        self.lines += 1
        if not self._at_start:  # the head of a line over the limit: the tracker reports it
            self._collector.begin(self.lines, None, [])
            return chunk
        return self._line(chunk)

    def _line(self, chunk: bytes) -> bytes:
        number = self.lines
        try:
            body: Any = orjson.loads(chunk) if not chunk.isspace() else None
        except orjson.JSONDecodeError:
            body = None
        if type(body) is not dict:
            self._collector.begin(number, None, [])
            return chunk
        at = None
        if timed(body):
            try:
                at = read_time(body.get("at"))
                if "body" in body:
                    chunk = _dumped(body["body"])
            except ParseError as exc:
                return self._malformed(number, body, exc)
            if "body" in body:
                body = body["body"]
                if type(body) is not dict:
                    self._collector.begin(number, at, [])
                    return chunk
        self._collector.begin(number, at, said_by(body, self._definition))
        return chunk

    def _malformed(self, number: int, body: dict[str, Any], exc: ParseError) -> bytes:
        """Report a timed line that cannot be handed on, on its call when it names one."""
        inner = body.get("body")
        calls = {
            s.call_id for s in said_by(inner if type(inner) is dict else body, self._definition)
        }
        self._collector.begin(number, None, [])
        self._found.append(
            Violation(
                line=number,
                call_id=calls.pop() if len(calls) == 1 else None,
                rule="malformed",
                message=f"{exc.pointer}: {exc.message}",
            )
        )
        return b"\n"  # a line the tracker skips: reported here, as malformed


def _dumped(body: object) -> bytes:
    """A timed line's body as the line the tracker reads; ``ParseError`` at ``/body`` if it
    cannot be written back (nested deeper than JSON encoding allows)."""
    try:
        return orjson.dumps(body) + b"\n"
    except orjson.JSONEncodeError as exc:
        raise ParseError(f"cannot be read: {exc}", pointer="/body") from None
