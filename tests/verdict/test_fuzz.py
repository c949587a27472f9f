"""Fuzzed bytes and JSON: nothing escapes, and every line is accepted or reported at its line."""

from __future__ import annotations

import contextlib
import io
import math
import tempfile
from pathlib import Path
from typing import Any

import orjson
from hypothesis import given, strategies as st

from callstate.cli import main
from callstate.verdict import Report, Tracker, validate_lines
from tests.verdict.conftest import envelope, note, request

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=20,
)

BASES: list[dict[str, Any]] = [
    envelope(note("established")),
    envelope(note("transferring")),
    envelope(note("terminated", change="deleted", resultInfo={"code": 0, "subcode": 7015})),
    envelope(note("established", resultInfo={"code": 500, "subCode": 7700}, replacesContext="r")),
    envelope(note(change="deleted")),
    envelope(note(sub="/operations/o", data={"status": "completed", "resultInfo": {"code": 200}})),
    envelope(note(sub="/participants", data=[{"id": "p"}])),
    request({"transferTarget": {"identity": {"user": {"id": "u"}}}}),
]


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """A valid body with one value somewhere replaced by random JSON, or removed."""
    body = orjson.loads(orjson.dumps(draw(st.sampled_from(BASES))))
    node: Any = body
    path: list[Any] = []
    while isinstance(node, dict | list) and node and draw(st.booleans()):
        key = draw(st.sampled_from(sorted(node) if isinstance(node, dict) else range(len(node))))
        path.append(key)
        node = node[key]
    if not path:
        return orjson.dumps(draw(JSON))
    parent: Any = body
    for key in path[:-1]:
        parent = parent[key]
    if isinstance(parent, dict) and draw(st.booleans()):
        del parent[path[-1]]
    else:
        parent[path[-1]] = draw(JSON)
    return orjson.dumps(body)


def check(lines: list[bytes]) -> Report:
    """Validate ``lines``: findings lie on real lines; every unreadable line is reported (a
    byte order mark before the first is skipped, as a file's is)."""
    report = validate_lines(lines)
    where = {f.line for f in [*report.violations, *report.warnings]}
    unreadable = set()
    for number, line in enumerate(lines, 1):
        if number == 1:
            line = line.removeprefix(b"\xef\xbb\xbf")
        if not line.strip():
            continue
        try:
            value = orjson.loads(line)
        except orjson.JSONDecodeError:
            unreadable.add(number)
            continue
        if not isinstance(value, dict | list):
            unreadable.add(number)
    malformed = {v.line for v in report.violations if v.rule == "malformed"}
    expected: tuple[bool, set[int], int] = (True, set(), len(lines))
    actual = (where <= set(range(1, len(lines) + 1)), unreadable - malformed, report.lines)
    assert expected == actual
    return report


class TestFuzzApi:
    """validate_lines never raises on anything."""

    @given(st.lists(st.binary(max_size=120), max_size=20))
    def test_random_bytes(self, lines: list[bytes]) -> None:
        """Random bytes: every non-JSON line is a malformed violation at its own line."""
        check(lines)

    @given(st.lists(JSON.map(orjson.dumps), max_size=20))
    def test_random_json(self, lines: list[bytes]) -> None:
        """Random JSON values of every shape: no exception, findings on real lines."""
        check(lines)

    @given(st.lists(mutated(), min_size=1, max_size=20))
    def test_mutated_envelopes(self, lines: list[bytes]) -> None:
        """Valid bodies with one field broken or removed: no exception, findings located."""
        check(lines)

    @given(st.lists(st.text(max_size=80), max_size=20))
    def test_random_text(self, lines: list[str]) -> None:
        """str lines, lone surrogates included, are read like bytes."""
        report = validate_lines(lines)
        found = {f.line for f in [*report.violations, *report.warnings]}
        expected = True
        assert expected == (found <= set(range(1, len(lines) + 1)))

    def test_python_values_in_a_dict(self) -> None:
        """A dict handed to ingest holding non-JSON Python values is reported, not raised."""
        tracker = Tracker()
        odd: list[object] = [math.nan, b"bytes", {1, 2}, object(), {1: "int key"}]
        found = []
        for i, value in enumerate(odd):
            tracker.ingest(envelope(note("established", call=f"c{i}")))
            end = envelope(note("terminated", change="deleted", call=f"c{i}", odd=value))
            found.append(([f.rule for f in tracker.ingest(end)], tracker.state(f"c{i}")))
        expected: list[tuple[list[str], str]] = [([], "terminated")] + [
            (["malformed"], "established")
        ] * 4
        assert expected == found


class TestFuzzCli:
    """Garbage through ``callstate validate``: exit 0 or 1, one JSON report, never a traceback."""

    @given(st.lists(st.binary(max_size=80) | mutated(), max_size=12))
    def test_garbage_file(self, lines: list[bytes]) -> None:
        """The CLI prints a report whose ok matches the exit code."""
        stdout = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
        stderr = io.StringIO()
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "garbage.jsonl"
            path.write_bytes(b"\n".join(lines))
            with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
                code = main(["validate", str(path), "--format", "json"])
        stdout.flush()
        report = orjson.loads(stdout.buffer.getvalue())
        hint = "callstate validate: hint: "  # e.g. "looks like one JSON array"
        said = [line for line in stderr.getvalue().splitlines() if not line.startswith(hint)]
        expected = (True, [], 0 if report["ok"] else 1)
        assert expected == (code in (0, 1), said, code)
