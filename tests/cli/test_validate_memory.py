"""``validate`` memory does not grow with the number of findings, in any format.

Measured with tracemalloc on two sizes, not with time: ten times the malformed
lines may not cost more memory. The 1,000,000-line goal (100 MB peak RSS) is a
bench measurement, not a test.
"""

from __future__ import annotations

import io
import os
import sys
import tracemalloc
from pathlib import Path

import pytest

from callstate.cli import main

SIZES = (1_000, 10_000)
#: What 9,000 more findings held would cost several times over (about 600 bytes each).
FLAT = 1_000_000


def _peak(path: Path, argv: list[str], monkeypatch: pytest.MonkeyPatch) -> int:
    """Peak traced bytes of ``callstate validate PATH ARGV`` writing to /dev/null."""
    with open(os.devnull, "wb") as sink:
        monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(sink, write_through=True))
        tracemalloc.start()
        try:
            code = main(["validate", str(path), *argv])
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
            sys.stdout.flush()
            monkeypatch.undo()
    assert 1 == code
    return peak


@pytest.mark.parametrize(
    "argv",
    [
        ["--format", "text"],
        ["--format", "jsonl"],
        ["--format", "github"],
        ["--format", "json", "--max-findings", "100"],
        ["--format", "junit", "--max-findings", "100"],
        ["--format", "sarif", "--max-findings", "100"],
    ],
    ids=["text", "jsonl", "github", "json", "junit", "sarif"],
)
def test_flat_in_the_number_of_findings(
    argv: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Streamed formats hold no finding; documents hold at most --max-findings."""
    peaks = []
    for count in SIZES:
        path = tmp_path / f"bad{count}.jsonl"
        path.write_bytes(b"{oops\n" * count)
        peaks.append(_peak(path, argv, monkeypatch))
    assert peaks[1] - peaks[0] < FLAT, peaks
