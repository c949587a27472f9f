"""Trace bytes as the tracker reads them: a gzip file unpacked on the fly, a BOM dropped.

Both are told from the first bytes, not the file name, so ``zcat``-free pipes
(``callstate validate < trace.jsonl.gz``) and BOM-writing editors just work.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Callable
from typing import IO, Final, cast

__all__ = ["GZIP_MAGIC", "UTF8_BOM", "Gunzipped", "trace_stream", "without_bom"]

#: The first two bytes of every gzip member (RFC 1952).
GZIP_MAGIC: Final = b"\x1f\x8b"
#: The UTF-8 byte order mark some editors put at the start of a file.
UTF8_BOM: Final = b"\xef\xbb\xbf"


def _peekable(raw: IO[bytes]) -> io.BufferedReader:
    if isinstance(raw, io.BufferedReader):
        return raw
    return io.BufferedReader(raw)  # type: ignore[arg-type]  # any binary stream with readinto


class Gunzipped:
    """Lines of a gzip stream; a corrupt or truncated one ends it, and says why in :attr:`error`.

    So the lines before the damage are still validated, and the damage is reported
    at the line after them instead of escaping as an exception.
    """

    def __init__(self, raw: io.BufferedReader) -> None:
        import gzip  # here, not at the top: most traces are not gzipped, and it costs startup

        self._gzip = gzip.GzipFile(fileobj=raw, mode="rb")
        self._damaged = (gzip.BadGzipFile, zlib.error)
        #: Why the stream ended early, or ``None``.
        self.error: str | None = None

    def readline(self, size: int = -1) -> bytes:
        """One line (at most ``size`` bytes), ``b""`` at the end or at the damage."""
        return self._guarded(self._gzip.readline, size)

    def peek(self, size: int) -> bytes:
        """Bytes ahead, not consumed; ``b""`` once damaged."""
        return self._guarded(self._gzip.peek, size)

    def read(self, size: int = -1) -> bytes:
        """Up to ``size`` bytes, ``b""`` at the end or at the damage."""
        return self._guarded(self._gzip.read, size)

    def _guarded(self, read: Callable[[int], bytes], size: int) -> bytes:
        if self.error is not None:
            return b""
        try:
            return read(size)
        except EOFError:
            self.error = "the gzip stream is truncated"
        except self._damaged as exc:
            self.error = f"the gzip stream is corrupt: {exc}"
        return b""


def trace_stream(raw: IO[bytes]) -> IO[bytes] | Gunzipped:
    """``raw`` as trace bytes: gunzipped when it starts with the gzip magic, without a BOM.

    Nothing is read whole: a gzip stream is decompressed as the lines are read.
    """
    buffered = _peekable(raw)
    stream = Gunzipped(buffered) if buffered.peek(2)[:2] == GZIP_MAGIC else buffered
    if stream.peek(3)[:3] == UTF8_BOM:
        stream.read(3)
    return stream if isinstance(stream, Gunzipped) else cast("IO[bytes]", stream)


def without_bom(first: bytes | str) -> bytes | str:
    """A trace's first line without the byte order mark an editor may put before it (as
    bytes, or U+FEFF as text), as :func:`trace_stream` reads a file."""
    if isinstance(first, str):
        return first.removeprefix("\ufeff")
    return first.removeprefix(UTF8_BOM)
