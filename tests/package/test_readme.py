"""The README stays true: its diagram, its commands and its examples."""

from __future__ import annotations

import re
from pathlib import Path

from callstate.diagrams import render

REPO = Path(__file__).resolve().parents[2]
README = (REPO / "README.md").read_text(encoding="utf-8")


def _blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", README, flags=re.S)


def _quick_start() -> list[str]:
    """The quick start's shell blocks: the venv step, the install-and-validate, the tests."""
    venv, main, tests = _blocks("sh")[:3]
    return [venv, main, tests]


class TestReadme:
    """What the README shows is what the code does."""

    def test_mermaid_block_is_the_generated_diagram(self) -> None:
        """The embedded Mermaid diagram is exactly what the definition gives now."""
        assert [render(format="mermaid")] == _blocks("mermaid")

    def test_ci_runs_the_readme_test_command(self) -> None:
        """``.ci/run`` runs the README's test command exactly."""
        test_command = _quick_start()[2].strip()
        ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
        assert f"\n{test_command} || status=1\n" in ci

    def test_main_command_names_a_shipped_example(self) -> None:
        """The quick start validates a trace that ships in examples/."""
        main_command = _quick_start()[1]
        trace = re.search(r"callstate validate (\S+)", main_command)
        assert trace is not None
        assert (REPO / trace.group(1)).is_file()

    def test_no_placeholders_left(self) -> None:
        """Every section is written."""
        assert [] == re.findall(r"^(?:KIT|PERF|MERMAID)$", README, flags=re.M)

    def test_quick_start_makes_a_venv_first(self) -> None:
        """The first command makes and activates a venv: Debian's Python refuses pip outside one."""
        expected = "python3 -m venv .venv && . .venv/bin/activate"
        assert expected == _quick_start()[0].strip()

    def test_links_survive_pypi(self) -> None:
        """Every link is absolute: PyPI renders the README away from the repository's files."""
        targets = re.findall(r"\]\(([^)\s]+)", README)
        assert [] == [t for t in targets if not t.startswith(("https://", "#"))]
