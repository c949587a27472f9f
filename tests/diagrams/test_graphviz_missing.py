"""Without Graphviz, svg and png fail with a clear install message; the rest still work."""

from __future__ import annotations

from pathlib import Path

import pytest

from callstate.diagrams import GraphvizMissing, render, write_committed
from callstate.errors import CallstateError


@pytest.fixture
def no_dot(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A PATH with no ``dot`` on it."""
    monkeypatch.setenv("PATH", str(tmp_path))


@pytest.mark.usefixtures("no_dot")
class TestNoGraphviz:
    @pytest.mark.parametrize("fmt", ["svg", "png"])
    def test_graphviz_missing(self, fmt: str) -> None:
        """svg and png raise GraphvizMissing, a CallstateError, naming the installers."""
        with pytest.raises(GraphvizMissing) as caught:
            render(format=fmt)
        message = str(caught.value)
        assert (
            isinstance(caught.value, CallstateError),
            "apt-get install graphviz" in message,
            "brew install graphviz" in message,
            "conda install graphviz" in message,
        ) == (True, True, True, True)

    @pytest.mark.parametrize("fmt", ["mermaid", "dot", "table"])
    def test_text_formats_need_no_program(self, fmt: str) -> None:
        """mermaid, dot and table render without Graphviz."""
        assert render(format=fmt).strip() != ""

    def test_write_committed_writes_nothing(self, tmp_path: Path) -> None:
        """write_committed fails before writing anything when Graphviz is missing."""
        target = tmp_path / "out"
        with pytest.raises(GraphvizMissing):
            write_committed(target)
        assert not target.exists()
