"""The committed diagrams under diagrams/ match what the definition gives now."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from callstate.diagrams import COMMITTED, check_committed, committed_files, write_committed
from callstate.machine import CALL_MACHINE

DIAGRAMS = Path(__file__).resolve().parents[2] / "diagrams"
HAS_DOT = shutil.which("dot") is not None


@pytest.mark.parametrize("name", [name for name, _, _ in COMMITTED])
def test_committed_file_matches_definition(name: str) -> None:
    """Regenerate one committed diagram and fail, naming it, when it drifted."""
    if name.endswith(".svg") and not HAS_DOT:
        pytest.skip("Graphviz dot is not installed; CI installs it and compares the SVGs")
    drifts = [d for d in check_committed(DIAGRAMS, svg=HAS_DOT) if d.name == name]
    assert [
        f"diagrams/{d} -- regenerate with: callstate diagram --write-all diagrams" for d in drifts
    ] == []


def test_committed_files_are_the_listed_ones() -> None:
    """Every listed file is produced, and nothing else."""
    names = [name for name, _, fmt in COMMITTED if HAS_DOT or fmt != "svg"]
    assert names == list(committed_files())


@pytest.mark.skipif(not HAS_DOT, reason="write_committed draws SVGs, which need Graphviz")
class TestWriteAndCheck:
    def test_written_files_check_clean(self, tmp_path: Path) -> None:
        """What write_committed writes, check_committed accepts."""
        written = write_committed(tmp_path)
        assert ([tmp_path / n for n, _, _ in COMMITTED], ()) == (
            list(written),
            check_committed(tmp_path),
        )

    def test_changed_definition_is_drift(self, tmp_path: Path) -> None:
        """After a definition change every full diagram drifts, and the transfer ones do not."""
        write_committed(tmp_path)
        smaller = CALL_MACHINE.replace(transitions=CALL_MACHINE.transitions[:-1], check=False)
        drifted = {d.name for d in check_committed(tmp_path, definition=smaller)}
        assert {n for n, part, _ in COMMITTED if part is None} == drifted

    def test_missing_file_is_drift(self, tmp_path: Path) -> None:
        """A committed file that is missing is reported by name."""
        write_committed(tmp_path)
        name = COMMITTED[0][0]
        (tmp_path / name).unlink()
        assert [name] == [d.name for d in check_committed(tmp_path)]

    def test_other_graphviz_compared_by_content(self, tmp_path: Path) -> None:
        """An SVG laid out by another Graphviz version passes when its labels agree."""
        write_committed(tmp_path)
        svg = next(n for n, _, fmt in COMMITTED if fmt == "svg")
        text = (tmp_path / svg).read_text()
        moved = text.replace("laid out by Graphviz ", "laid out by Graphviz 0.0-other ", 1)
        (tmp_path / svg).write_text(moved.replace(' x="', ' x="1', 3))
        assert check_committed(tmp_path) == ()
        (tmp_path / svg).write_text(moved.replace("terminated<", "ended<", 1))
        assert [svg] == [d.name for d in check_committed(tmp_path)]
