"""``callstate diagram``: formats, files, the committed set, and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

import callstate.cli
from callstate.diagrams import COMMITTED, render


def test_default_is_mermaid_on_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    """With no options the full mermaid diagram goes to stdout."""
    assert callstate.cli.main(["diagram"]) == 0
    assert render(format="mermaid") == capsys.readouterr().out


def test_only_transfer_table(capsys: pytest.CaptureFixture[str]) -> None:
    """--only transfer --format table prints the transfer part's table."""
    assert callstate.cli.main(["diagram", "--only", "transfer", "--format", "table"]) == 0
    assert render(format="table", only="transfer") == capsys.readouterr().out


def test_format_from_output_suffix(tmp_path: Path) -> None:
    """--output x.dot writes dot without --format."""
    out = tmp_path / "x.dot"
    assert callstate.cli.main(["diagram", "--output", str(out)]) == 0
    assert render(format="dot") == out.read_text()


def test_missing_dot_exit_2_with_install_message(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """svg without Graphviz exits 2 with one line saying how to install it."""
    monkeypatch.setenv("PATH", str(tmp_path))
    assert callstate.cli.main(["diagram", "--format", "svg"]) == 2
    err = capsys.readouterr().err
    assert (
        len(err.strip().splitlines()),
        "apt-get install graphviz" in err,
        "Traceback" in err,
    ) == (1, True, False)


def test_png_refused_on_a_terminal(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Binary PNG is not written to a terminal; the message says to use --output."""
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    monkeypatch.setattr("callstate.cli._diagram.render", lambda **_: b"\x89PNG")
    assert callstate.cli.main(["diagram", "--format", "png"]) == 2
    assert "--output" in capsys.readouterr().err


def test_write_all_then_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--write-all DIR writes every committed file; --check DIR then passes."""
    pytest.importorskip("shutil").which("dot") or pytest.skip("Graphviz dot is not installed")
    assert callstate.cli.main(["diagram", "--write-all", str(tmp_path)]) == 0
    assert sorted(n for n, _, _ in COMMITTED) == sorted(p.name for p in tmp_path.iterdir())
    assert callstate.cli.main(["diagram", "--check", str(tmp_path)]) == 0


def test_check_names_drifted_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--check exits 1 and names the file that drifted."""
    pytest.importorskip("shutil").which("dot") or pytest.skip("Graphviz dot is not installed")
    callstate.cli.main(["diagram", "--write-all", str(tmp_path)])
    name = next(n for n, _, fmt in COMMITTED if fmt == "mermaid")
    (tmp_path / name).write_text("stateDiagram-v2\n")
    capsys.readouterr()
    assert callstate.cli.main(["diagram", "--check", str(tmp_path)]) == 1
    assert [str(tmp_path / name)] == [
        line.split(": ")[0]
        for line in capsys.readouterr().err.splitlines()
        if ": " in line and not line.startswith("regenerate")
    ]


@pytest.mark.parametrize(
    "argv",
    [
        ["diagram", "--write-all", "d", "--format", "svg"],
        ["diagram", "--call", "abc"],
        ["diagram", "--trace", "t.jsonl", "--format", "table"],
    ],
)
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    """Conflicting or incomplete options exit 2 with one line."""
    assert callstate.cli.main(argv) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_trace_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """--trace of a missing file exits 2 with one clear line naming it."""
    missing = tmp_path / "t.jsonl"
    assert 2 == callstate.cli.main(["diagram", "--trace", str(missing)])
    err = capsys.readouterr().err
    assert [
        f"callstate diagram: error: --trace: cannot read {missing}: No such file or directory"
    ] == err.splitlines()


@pytest.mark.parametrize(
    ("name", "fmt"), [("x.DOT", "dot"), ("x.Mmd", "mermaid"), ("x.MD", "table")]
)
def test_suffix_in_any_case(tmp_path: Path, name: str, fmt: str) -> None:
    """--output picks the format from its suffix whatever the letter case."""
    out = tmp_path / name
    assert 0 == callstate.cli.main(["diagram", "--output", str(out)])
    assert render(format=fmt) == out.read_text()


def test_upper_case_png_is_png(tmp_path: Path) -> None:
    """-o x.PNG writes PNG bytes, not Mermaid text."""
    pytest.importorskip("shutil").which("dot") or pytest.skip("Graphviz dot is not installed")
    out = tmp_path / "x.PNG"
    assert 0 == callstate.cli.main(["diagram", "-o", str(out)])
    assert b"\x89PNG\r\n\x1a\n" == out.read_bytes()[:8]


@pytest.mark.parametrize("name", ["x.jpg", "x.JPEG", "x.txt"])
def test_unknown_suffix_exit_2_writes_nothing(
    tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """An --output suffix that names no format exits 2 with one line, and writes nothing."""
    out = tmp_path / name
    assert 2 == callstate.cli.main(["diagram", "-o", str(out)])
    err = capsys.readouterr().err
    assert (1, True, False) == (len(err.splitlines()), "--format" in err, out.exists())


def test_explicit_format_wins_over_suffix(tmp_path: Path) -> None:
    """With --format, any file name is taken as given."""
    out = tmp_path / "diagram.txt"
    assert 0 == callstate.cli.main(["diagram", "--format", "dot", "-o", str(out)])
    assert render(format="dot") == out.read_text()
