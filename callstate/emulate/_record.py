"""The exchange as a timed trace: each request with Graph's answer, each notification sent.

Every line carries its ``at``; the trace is what ``callstate validate`` checks and
``callstate replay`` resends. With a path, each line is written as it happens, so a
run cut short still leaves its trace.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import IO, Any, Final

import orjson

from callstate.errors import UsageError

__all__ = ["MAX_LINES", "Recorder"]

#: The most lines one run records (a run is bounded in calls and time; so is its trace).
MAX_LINES: Final = 1_000_000


class Recorder:
    """The trace's lines, in order, kept in memory and, with ``path``, written as they come."""

    def __init__(self, path: str | Path | None = None) -> None:
        self._lines: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._file: IO[bytes] | None = None
        if path is not None:
            try:
                self._file = open(path, "wb")  # noqa: SIM115  # closed by close()
            except OSError as exc:
                raise UsageError("record", f"cannot write {path}: {exc.strerror or exc}") from None

    def add(self, line: dict[str, Any]) -> int:
        """Append ``line``; its 1-based number in the trace."""
        with self._lock:
            if len(self._lines) >= MAX_LINES:
                raise UsageError("record", f"the trace passed {MAX_LINES} lines")
            self._lines.append(line)
            if self._file is not None:
                self._file.write(orjson.dumps(line) + b"\n")
                self._file.flush()
            return len(self._lines)

    @property
    def lines(self) -> list[dict[str, Any]]:
        """A copy of the lines so far."""
        with self._lock:
            return list(self._lines)

    def jsonl(self) -> list[bytes]:
        """The lines as JSON Lines, as ``callstate validate`` reads them."""
        return [orjson.dumps(line) for line in self.lines]

    def close(self) -> None:
        """Close the file, if any."""
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None
