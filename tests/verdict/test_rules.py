"""The rule catalogue: every rule the validator reports is declared there, once."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import orjson
from hypothesis import given, settings

from callstate.rules import RULES, catalogue
from callstate.strategies import (
    INVALID_REQUEST_RULES,
    MUTATION_RULES,
    invalid_transfer_requests,
    mutated_streams,
)
from callstate.verdict import validate_lines, validate_path

REPO = Path(__file__).resolve().parents[2]


def reported(report: Any) -> set[str]:
    """Every rule id a report names."""
    return {f.rule for f in (*report.violations, *report.warnings)}


class TestCatalogue:
    """The catalogue itself."""

    def test_ids_are_unique(self) -> None:
        """No rule id is declared twice."""
        ids = [r.id for r in catalogue()]
        assert sorted(set(ids)) == sorted(ids)

    def test_every_rule_has_a_one_line_summary(self) -> None:
        """Each summary is one short line."""
        assert [] == [r.id for r in catalogue() if not r.summary or "\n" in r.summary]

    def test_definition_refusals_are_merged_in(self) -> None:
        """The rules the machine refuses events with come from the definition."""
        from callstate.machine import CALL_MACHINE

        expected = {e.rule for e in CALL_MACHINE.events}
        assert expected <= {r.id for r in catalogue()} - {r.id for r in RULES} | expected


class TestCommand:
    """``callstate rules``."""

    def test_json_lists_the_catalogue(self, run_command: Any) -> None:
        """``--format json`` prints every rule of the catalogue, in order."""
        code, out, _ = run_command(["rules", "--format", "json"])
        assert (0, catalogue().to_json()) == (code, orjson.loads(out))

    def test_text_names_every_rule(self, run_command: Any) -> None:
        """The text table has one line per rule, led by its id."""
        code, out, _ = run_command(["rules"])
        ids = [line.split()[0] for line in out.splitlines()]
        assert (0, [r.id for r in catalogue()]) == (code, ids)

    def test_readme_table_is_generated_from_the_catalogue(self) -> None:
        """The README's rule table is exactly ``callstate rules --format markdown``."""
        readme = (REPO / "README.md").read_text(encoding="utf-8")
        assert catalogue().markdown() in readme


class TestNothingOutsideTheCatalogue:
    """No rule id is reported that the catalogue does not declare."""

    def test_source_declares_no_rule_outside_it(self) -> None:
        """Every literal rule id in callstate's source is in the catalogue."""
        ids = {r.id for r in catalogue()}
        found: set[str] = set()
        for path in (REPO / "callstate").rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.keyword)
                    and node.arg == "rule"
                    and isinstance(node.value, ast.Constant)
                    and isinstance(node.value.value, str)
                ):
                    found.add(node.value.value)
                if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Problem":
                    arg = node.args[1] if len(node.args) > 1 else None
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                        found.add(arg.value)
        assert set() == found - ids

    @settings(max_examples=30, deadline=None)
    @given(mutated=mutated_streams(rules=MUTATION_RULES))
    def test_mutated_streams_report_catalogued_rules(self, mutated: Any) -> None:
        """Streams broken for every mutation rule report only catalogued rules."""
        assert set() == reported(validate_lines(mutated.lines)) - set(catalogue().by_id)

    @settings(max_examples=30, deadline=None)
    @given(case=invalid_transfer_requests(rules=INVALID_REQUEST_RULES))
    def test_invalid_requests_report_catalogued_rules(self, case: Any) -> None:
        """Request records breaking each request rule report only catalogued rules."""
        record = {"request": {"method": "POST", "url": case.path, "body": case.body}}
        report = validate_lines([orjson.dumps(record)])
        assert set() == reported(report) - set(catalogue().by_id)

    def test_shipped_examples_report_catalogued_rules(self) -> None:
        """Every shipped example trace reports only catalogued rules."""
        found: set[str] = set()
        for path in sorted((REPO / "examples").glob("*.jsonl")):
            found |= reported(validate_path(path))
        assert set() == found - set(catalogue().by_id)

    def test_readme_names_only_catalogued_rules(self) -> None:
        """Rule ids the README shows in brackets or back-quoted parentheses exist."""
        readme = (REPO / "README.md").read_text(encoding="utf-8")
        named = set(re.findall(r"\[([a-z]+(?:-[a-z0-9]+)+)\]", readme))
        assert set() == named - set(catalogue().by_id)
