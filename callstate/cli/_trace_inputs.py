"""What ``validate`` reads: paths and globs expanded, and hints when the input is not JSON Lines.

Kept out of the validate command so that command stays about the verdict.
"""

from __future__ import annotations

import glob
import os
import sys
from collections.abc import Sequence
from typing import Final

import attrs
import orjson

from callstate.cli._formats import STDIN_NAME
from callstate.errors import UsageError
from callstate.verdict._input import UTF8_BOM, trace_stream

__all__ = ["TraceInput", "expand", "head", "jsonl_hint"]

#: Bytes read from the start of an input to tell a pretty-printed file or an array.
_HEAD: Final = 4096


@attrs.frozen
class TraceInput:
    """One input: ``path`` as ``validate_path`` takes it (``-`` for stdin), ``name`` as shown."""

    path: str
    name: str

    @property
    def is_stdin(self) -> bool:
        """True for standard input."""
        return self.path == "-"


def expand(patterns: Sequence[str]) -> list[TraceInput]:
    """Each path as is, each glob as its files (sorted); none given means standard input.

    A pattern that matches no file, or ``-`` given twice, is a usage error.
    """
    inputs: dict[str, TraceInput] = {}
    for pattern in patterns or ["-"]:
        if pattern == "-":
            if "-" in inputs:
                raise UsageError("PATH", "standard input (-) can be read only once")
            inputs["-"] = TraceInput("-", STDIN_NAME)
        elif glob.has_magic(pattern) and not os.path.lexists(pattern):
            matched = [
                p for p in sorted(glob.glob(pattern, recursive=True)) if not os.path.isdir(p)
            ]
            if not matched:
                raise UsageError("PATH", f"no file matches {pattern!r}")
            for path in matched:
                inputs.setdefault(path, TraceInput(path, path))
        else:
            inputs.setdefault(pattern, TraceInput(pattern, pattern))
    return list(inputs.values())


def head(trace: TraceInput) -> bytes:
    """The first few KiB of an input (a file's gunzipped), ``b""`` when they cannot be read.

    Standard input is peeked at, not read, so the validation still sees every byte.
    """
    if trace.is_stdin:
        peek = getattr(sys.stdin.buffer, "peek", None)
        try:
            return bytes(peek(_HEAD)[:_HEAD]) if peek is not None else b""
        except (OSError, ValueError):
            return b""
    try:
        with open(trace.path, "rb") as raw:  # read as validation reads it: damage ends it
            return trace_stream(raw).read(_HEAD)
    except OSError:
        return b""


def _first_line(start: bytes) -> tuple[int, bytes]:
    """The 1-based number and content of the first non-blank line of ``start``."""
    for number, line in enumerate(start.removeprefix(UTF8_BOM).split(b"\n"), 1):
        if line.strip():
            return number, line.strip()
    return 0, b""


def jsonl_hint(trace: TraceInput, start: bytes, malformed_line: int | None) -> str | None:
    """A hint when the input's first body is malformed because it is not JSON Lines.

    ``start`` is the input's first bytes and ``malformed_line`` the line of its first
    finding when that is ``malformed``: one JSON array, or one document pretty-printed
    over several lines, is told from its first line without reading further.
    """
    number, first = _first_line(start)
    if malformed_line is None or number != malformed_line:
        return None
    source = "" if trace.is_stdin else f" {trace.name}"
    if first.startswith(b"["):
        what, jq = "one JSON array", "jq -c '.[]'"
    elif first.startswith(b"{") and first.endswith((b"{", b"[", b",")) and _not_json(first):
        what, jq = "one JSON document over several lines (pretty-printed)", "jq -c ."
    else:
        return None
    name = "the input" if trace.is_stdin else trace.name
    return (
        f"{name} looks like {what}; validate reads JSON Lines, one webhook body a line: "
        f"try {jq}{source} | callstate validate"
    )


def _not_json(line: bytes) -> bool:
    try:
        orjson.loads(line)
    except orjson.JSONDecodeError:
        return True
    return False
