"""``callstate report``: writes the page, checks its name, and exits as documented."""

from __future__ import annotations

from pathlib import Path

import pytest

from callstate.cli import main

REPO = Path(__file__).resolve().parents[2]


def test_clean_trace_exit_0(tmp_path: Path) -> None:
    """A trace that conforms gives a page and exit 0."""
    out = tmp_path / "r.html"
    assert 0 == main(["report", str(REPO / "examples/blind-user-success.jsonl"), "-o", str(out)])
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_violations_exit_1(tmp_path: Path) -> None:
    """A trace with violations still gives the page, and exits 1 (for CI)."""
    out = tmp_path / "r.HTML"
    assert 1 == main(["report", str(REPO / "examples/violations.jsonl"), "-o", str(out)])
    assert "FAILED: 8 violations" in out.read_text(encoding="utf-8")


def test_stdout_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    """Without -o the page goes to stdout."""
    main(["report", str(REPO / "examples/blind-user-success.jsonl")])
    assert capsys.readouterr().out.rstrip().endswith("</html>")


def test_not_html_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An output not named .html is a usage error, and nothing is written."""
    out = tmp_path / "r.png"
    assert 2 == main(["report", str(REPO / "examples/violations.jsonl"), "-o", str(out)])
    assert (1, False) == (len(capsys.readouterr().err.splitlines()), out.exists())


def test_missing_trace_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An unreadable trace exits 2 with one line naming it."""
    missing = tmp_path / "none.jsonl"
    assert 2 == main(["report", str(missing), "-o", str(tmp_path / "r.html")])
    assert [
        f"callstate report: error: TRACE: cannot read {missing}: No such file or directory"
    ] == capsys.readouterr().err.splitlines()


def test_one_call(tmp_path: Path) -> None:
    """--call reports that call only."""
    out = tmp_path / "r.html"
    trace = str(REPO / "examples/violations.jsonl")
    call = "9e38f250-5d5f-5a7d-bce0-4a281e6d4dfa"
    assert 1 == main(["report", trace, "--call", call, "-o", str(out)])
    text = out.read_text(encoding="utf-8")
    assert (1, 1) == (text.count('<section class="call"'), text.count(f'data-call-id="{call}"'))
