"""The trace as the tracker reads it, with each line's story read on the way.

:class:`StoryLines` sits between the trace and :meth:`Tracker.read_stream`: the
tracker keeps its bounded line reading, its limits and its messages, and every
complete line is first read for what it says. Each line goes on to the tracker as it
came, a timed one (``{"at": "<RFC 3339>", "body": {...}}``) too, so the tracker
judges exactly what ``validate`` judges, its time rules included; the story only
keeps the time. A line the tracker refuses as a whole (not an object, nested too
deep, a bad time) says nothing: its finding is the story's.
"""

from __future__ import annotations

from typing import IO, Any, Protocol

from callstate.machine.definition import MachineDefinition
from callstate.story._collect import Collector
from callstate.story._said import said_by
from callstate.verdict._body import decode_text, open_line

__all__ = ["StoryLines"]


class _Lines(Protocol):
    def readline(self, size: int = -1, /) -> bytes: ...


class StoryLines:
    """A binary line stream for :meth:`~callstate.Tracker.read_stream`, read for stories."""

    def __init__(
        self, stream: IO[bytes] | _Lines, collector: Collector, definition: MachineDefinition
    ) -> None:
        self._stream = stream
        self._collector = collector
        self._definition = definition
        self._at_start = True
        #: Lines begun so far: the tracker's line numbers.
        self.lines = 0

    def readline(self, size: int = -1, /) -> bytes:
        """The next chunk, as it came; a complete line is first read for its story."""
        chunk = self._stream.readline(size)
        starting, self._at_start = self._at_start, not chunk or chunk.endswith(b"\n")
        if not starting or not chunk:
            return chunk
        self.lines += 1
        if not self._at_start:  # the head of a line over the limit: the tracker reports it
            self._collector.begin(self.lines, None, [])
            return chunk
        at, body = _read(chunk)
        self._collector.begin(
            self.lines, at, [] if body is None else said_by(body, self._definition)
        )
        return chunk


def _read(chunk: bytes) -> tuple[str | None, dict[str, Any] | None]:
    """A line's time, as given, and the body it carries, read by the tracker's own steps
    (its findings dropped: the tracker reports them); ``None`` for a line it refuses whole."""
    read, line = decode_text(chunk, 0, [])
    opened = open_line(line, 0, []) if read else None
    if opened is None:
        return None, None
    body, stamped = opened
    return (None if stamped is None else line["at"]), body
