"""The shipped example traces: generated, in sync, and judged as documented by the validator."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest

from callstate.simulate import OUTCOMES, TRANSFER_SCENARIOS
from callstate.verdict import validate_lines

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
GENERATED = sorted(
    [f"{s}-{o}.jsonl" for s in TRANSFER_SCENARIOS for o in OUTCOMES]
    + ["mixed.jsonl", "violations.jsonl", "README.md"]
)


def test_in_sync_with_the_generator(generator: ModuleType, tmp_path: Path) -> None:
    """Regenerating gives the committed files byte for byte: nothing is hand-edited."""
    generator.generate(tmp_path)
    expected = {name: (EXAMPLES / name).read_bytes() for name in GENERATED}
    actual = {path.name: path.read_bytes() for path in sorted(tmp_path.iterdir())}
    assert expected == actual


def test_readme_lists_every_violation(generator: ModuleType) -> None:
    """Each violation's line and rule appear in the examples README."""
    readme = (EXAMPLES / "README.md").read_text()
    for line, rule, _ in generator.violations():
        assert f"| {line} | `{rule}` |" in readme


class TestValidator:
    """The validator accepts the scenario traces and reports exactly the listed violations."""

    @pytest.mark.parametrize("name", [n for n in GENERATED if n.endswith(".jsonl")])
    def test_trace(self, generator: ModuleType, name: str) -> None:
        """violations.jsonl breaks the listed rules at the listed lines; the rest conform."""
        report = validate_lines((EXAMPLES / name).read_bytes().splitlines())
        found = [(v.line, v.rule) for v in report.violations]
        expected = []
        if name == "violations.jsonl":
            expected = [(line, rule) for line, rule, _ in generator.violations()]
        assert expected == found
        assert not report.warnings
