"""Output helpers shared by the commands: escaping for people, plurals, a guarded stdout.

No dependency beyond the standard library, so the dispatcher can use it for every
command without importing the tracker.
"""

from __future__ import annotations

import argparse
import re
import sys
from typing import IO, Final

__all__ = ["CONTROL", "Output", "escape", "escaped", "plural", "stdout"]

# C0 and C1 controls, DEL, line/paragraph separators and bidirectional overrides
# (which reorder what a terminal shows): nothing a reader should see raw.
CONTROL: Final = re.compile(
    "[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)
_NAMED: Final = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def escaped(match: re.Match[str]) -> str:
    """The escape of one matched control character (``\\n``, ``\\x1b``, ``\\u202e``)."""
    char = match[0]
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape(text: str) -> str:
    """``text`` with control characters shown as ``\\n``, ``\\x1b``, ``\\u202e``: one line."""
    return CONTROL.sub(escaped, text) if CONTROL.search(text) else text


def plural(count: int, word: str) -> str:
    """``1 call``, ``2 calls``."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


class _TextSink:
    """Bytes written to a text stream that has no ``buffer`` (an ``io.StringIO`` stdout)."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream

    def write(self, data: bytes) -> int:
        return self._stream.write(data.decode("utf-8", "backslashreplace"))

    def flush(self) -> None:
        self._stream.flush()


class Output:
    """Bytes to standard output; remembers a failed write, so it is not taken for a read."""

    def __init__(self, stream: IO[bytes] | _TextSink) -> None:
        self._stream = stream
        #: True once a write failed (a full disk, a closed pipe).
        self.failed = False

    def write(self, data: bytes) -> None:
        """Write ``data``; an ``OSError`` is re-raised after marking :attr:`failed`."""
        try:
            self._stream.write(data)
        except OSError:
            self.failed = True
            raise

    def line(self, text: str) -> None:
        """Write ``text`` and a newline, as UTF-8 (lone surrogates of odd file names escaped)."""
        self.write(text.encode("utf-8", "backslashreplace") + b"\n")

    def flush(self) -> None:
        """Flush; a failure marks :attr:`failed`."""
        try:
            self._stream.flush()
        except OSError:
            self.failed = True
            raise


def stdout() -> Output:
    """Standard output as bytes, after flushing what its text layer holds."""
    sys.stdout.flush()
    buffer = getattr(sys.stdout, "buffer", None)
    return Output(buffer if buffer is not None else _TextSink(sys.stdout))


def whole_number(text: str) -> int:
    """An argparse type: a whole number >= 0, told in the flag's own error line."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {value}")
    return value


def window(text: str) -> tuple[str, float]:
    """An argparse type: ``NAME=SECONDS``, a timeout's name and a window above 0."""
    name, eq, seconds = text.partition("=")
    try:
        value = float(seconds)
    except ValueError:
        value = -1.0
    if not eq or not name or not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"expected NAME=SECONDS (answer=5), got {text!r}")
    return name, value
