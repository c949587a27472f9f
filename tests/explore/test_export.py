"""Exported paths: ready-made notification streams that the validator accepts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import orjson
from hypothesis import HealthCheck, given, settings

from callstate.explorer import explore, export_paths, path_calls
from callstate.machine import CALL_MACHINE, MachineDefinition
from callstate.strategies import definitions
from callstate.verdict import validate_lines

RunCli = Callable[..., tuple[int, str, str]]


def _by_call(lines: list[bytes]) -> dict[str, list[dict[str, object]]]:
    calls: dict[str, list[dict[str, object]]] = defaultdict(list)
    for line in lines:
        item = orjson.loads(line)["value"][0]
        calls[item["resourceUrl"].rsplit("/", 1)[-1]].append(item["resourceData"])
    return dict(calls)


class TestExport:
    def test_validator_accepts_every_path_strictly(self) -> None:
        """The exported stream has no violation and no warning, even with --strict."""
        exploration = explore()
        lines = list(export_paths(exploration))
        report = validate_lines(lines, strict=True)
        expected: object = ([], [], len(path_calls(exploration)))
        assert expected == (report.violations, report.warnings, report.calls)

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(definitions())
    def test_validator_accepts_every_path_of_any_definition(
        self, definition: MachineDefinition
    ) -> None:
        """On a drawn definition too: a path ending in a result two kinds share (8523) is
        read as the kind whose step it is, where the other kind's edge was dropped."""
        lines = list(export_paths(explore(definition, depth=8)))
        assert [] == validate_lines(lines, definition=definition).violations

    def test_one_call_per_transition_at_least_its_path_long(self) -> None:
        """Each covered transition (and marker) is one call: the opening, its path, then on."""
        exploration = explore()
        calls = _by_call(list(export_paths(exploration)))
        exported = path_calls(exploration)
        expected = [True] * len(exported)
        lengths = [len(c.steps) + 1 for c in exported]
        assert expected == [len(n) >= k for n, k in zip(calls.values(), lengths, strict=True)]

    def test_each_call_takes_its_transition_then_ends(self) -> None:
        """The path's last notification reports its transition's state; the call then ends."""
        exploration = explore()
        calls = _by_call(list(export_paths(exploration)))
        exported = path_calls(exploration)
        expected = [
            (CALL_MACHINE.event(c.transition.event).reports, "terminated") for c in exported
        ]
        actual = [
            (notes[len(c.steps)]["state"], notes[-1].get("state", "terminated"))
            for notes, c in zip(calls.values(), exported, strict=True)
        ]
        assert expected == actual

    def test_calls_open_at_the_initial_state(self) -> None:
        """Every exported call starts with a notification of the initial state."""
        calls = _by_call(list(export_paths(explore())))
        expected = {CALL_MACHINE.initial}
        assert expected == {notes[0]["state"] for notes in calls.values()}

    def test_lines_are_newline_terminated_json(self) -> None:
        """Every exported line is one JSON object ending in a newline."""
        lines = list(export_paths(explore()))
        expected = [True] * len(lines)
        assert expected == [line.endswith(b"\n") and line.count(b"\n") == 1 for line in lines]


class TestExportCli:
    def test_writes_the_api_output(self, tmp_path: Path, run_cli: RunCli) -> None:
        """--export-paths writes exactly what export_paths() yields and says so."""
        target = tmp_path / "paths.jsonl"
        code, out, _err = run_cli(["--export-paths", str(target)])
        expected: object = (0, b"".join(export_paths(explore())))
        assert expected == (code, target.read_bytes())
        assert out.splitlines()[-1].startswith(f"wrote {len(path_calls(explore()))} calls")

    def test_json_output_stays_one_object(self, tmp_path: Path, run_cli: RunCli) -> None:
        """With --format json, stdout is still only the JSON object."""
        code, out, _err = run_cli(["--format", "json", "--export-paths", str(tmp_path / "p")])
        expected: object = (0, explore().to_json())
        assert expected == (code, orjson.loads(out))

    def test_unwritable_path_exits_2(self, tmp_path: Path, run_cli: RunCli) -> None:
        """A path that cannot be written is a usage error: exit 2, one line."""
        code, out, err = run_cli(["--export-paths", str(tmp_path / "no" / "such" / "file")])
        expected: object = (2, "", 1)
        assert expected == (code, out, err.count("\n"))
        assert "--export-paths: cannot write" in err
