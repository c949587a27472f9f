"""The README stays true: its diagram, its commands and its examples."""

from __future__ import annotations

import re
from pathlib import Path

from callstate.diagrams import render

REPO = Path(__file__).resolve().parents[2]
README = (REPO / "README.md").read_text(encoding="utf-8")


def _blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", README, flags=re.S)


class TestReadme:
    """What the README shows is what the code does."""

    def test_mermaid_block_is_the_generated_diagram(self) -> None:
        """The embedded Mermaid diagram is exactly what the definition gives now."""
        assert [render(format="mermaid")] == _blocks("mermaid")

    def test_ci_runs_the_readme_test_command(self) -> None:
        """``.ci/run`` runs the README's test command exactly."""
        test_command = _blocks("sh")[1].strip()
        ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
        assert f"\n{test_command} || status=1\n" in ci

    def test_main_command_names_a_shipped_example(self) -> None:
        """The quick start validates a trace that ships in examples/."""
        main_command = _blocks("sh")[0]
        trace = re.search(r"callstate validate (\S+)", main_command)
        assert trace is not None
        assert (REPO / trace.group(1)).is_file()

    def test_no_placeholders_left(self) -> None:
        """Every section is written."""
        assert [] == re.findall(r"^(?:KIT|PERF|MERMAID)$", README, flags=re.M)
