"""What must be REPORTED of malformed lines, request records, streamed and packed inputs."""

from __future__ import annotations

import gzip
import io
import sys
import tracemalloc
from pathlib import Path

import pytest

from callstate.verdict import MAX_BODY_BYTES, Finding, validate_lines, validate_path
from tests.verdict.conftest import (
    CALL,
    Json,
    RunJson,
    envelope,
    jsonl,
    note,
    opening,
    request,
    signal_note,
)
from tests.verdict.test_report import (
    BLIND_BODY,
    CONSULTATIVE_BODY,
    GOOD,
    both,
    state_after,
    verdicts,
)


class TestMalformed:
    """Malformed input is a ``malformed`` violation at its line, and processing goes on."""

    @pytest.mark.parametrize(
        "bad",
        [
            b"{not json",
            b'{"value": [',
            b"\xff\xfe\x00",
            b"42",
            b'"a string"',
            b"null",
            b'{"hello": "world"}',
            b'{"value": {"changeType": "updated"}}',
            b'{"value": ["not an object"]}',
            b'{"changeType": "updated"}',
            b'{"changeType": "updated", "resourceUrl": "/communications/meetings/1"}',
            b'{"changeType": "updated", "resourceUrl": "/communications/calls/"}',
            b'{"changeType": "updated", "resourceUrl": "/communications/calls/c/operations"}',
            b'{"changeType": "updated", "resourceUrl": "/communications/calls/c/x/y"}',
            b'{"changeType": "updated", "resource": "/app/meetings/c"}',
            b'{"changeType": "updated", "resourceUrl": 7}',
            b'{"changeType": "moved", "resourceUrl": "/communications/calls/c"}',
            b'{"changeType": 1, "resourceUrl": "/communications/calls/c"}',
            b'{"changeType": "updated", "resourceUrl": "/communications/calls/c",'
            b' "resourceData": {"state": 5}}',
            b'{"changeType": "updated", "resourceUrl": "/communications/calls/c",'
            b' "resourceData": {"state": ["established"]}}',
            b'{"changeType": "updated", "resourceUrl": "/communications/calls/c",'
            b' "resourceData": {"state": "terminated", "resultInfo": {"code": "abc"}}}',
            b'{"changeType": "updated", "resourceUrl": "/communications/calls/c",'
            b' "resourceData": {"state": "terminated", "resultInfo": {"code": 1.5}}}',
            b'{"changeType": "updated", "resourceUrl": "/communications/calls/c",'
            b' "resourceData": {"state": "terminated", "resultInfo": {"code": true}}}',
            b'{"changeType": "updated", "resourceUrl": "/communications/calls/c",'
            b' "resourceData": {"state": "terminated",'
            b' "resultInfo": {"code": 0, "subcode": "1' + b"0" * 30 + b'"}}}',
            b"[]",
            b'[{"changeType": "updated", "resourceUrl": "/communications/calls/c"}]',
            b'{"changeType": "updated", "resourceUrl": "/communications/calls/c",'
            b' "resourceData": {"state": "terminated", "resultInfo": "500/7000"}}',
            b'{"changeType": "updated", "resourceUrl": "/communications/calls/c",'
            b' "resourceData": "established"}',
            b'{"changeType": "updated", "resourceUrl": "/communications/calls/c",'
            b' "resourceData": {"state": "terminated", "terminationReason": 3}}',
            b'{"changeType": "updated", "resourceUrl": "/communications/calls/c/operations/o",'
            b' "resourceData": {"status": "exploded"}}',
            b'{"changeType": "updated", "resourceUrl": "/communications/calls/c/operations/o",'
            b' "resourceData": {"status": "failed", "resultInfo": {"code": "x"}}}',
            b'{"changeType": "updated", "resourceUrl": "/communications/calls/c/participants",'
            b' "resourceData": [1, 2]}',
            b'{"request": "POST /transfer"}',
            b"[" * 100_000 + b"]" * 100_000,
            b'{"a":' * 2000 + b"1" + b"}" * 2000,
        ],
    )
    def test_reported_and_next_line_read(self, bad: bytes, run_json: RunJson) -> None:
        """Exactly one malformed violation at line 2; lines 1 and 3 are read normally."""
        lines = [*jsonl([envelope(note("incoming", change="created"))]), bad, *jsonl([GOOD])]
        assert (*both([(2, "malformed")]), 2) == (
            *verdicts(lines, run_json),
            validate_lines(lines).calls,
        )

    def test_line_over_one_mib(self, run_json: RunJson) -> None:
        """A line over 1 MiB is malformed, not parsed; the next line is read."""
        padding = "x" * MAX_BODY_BYTES
        huge = jsonl([envelope(note("established", call="big", subject=padding))])[0]
        lines = [huge, *jsonl([GOOD])]
        assert (*both([(1, "malformed")]), 1) == (
            *verdicts(lines, run_json),
            validate_lines(lines).calls,
        )

    def test_line_of_exactly_one_mib(self, run_json: RunJson) -> None:
        """A body of exactly 1 MiB (before its newline) is still read."""
        body = jsonl([envelope(note("established", call="big", subject=""))])[0]
        body = body.replace(
            b'"subject":""', b'"subject":"' + b"x" * (MAX_BODY_BYTES - len(body)) + b'"'
        )
        assert MAX_BODY_BYTES == len(body)
        expected: tuple[list[object], int] = ([], 0)
        code, cli = run_json([body])
        assert expected == (cli["violations"], code)

    def test_bad_notification_in_batch(self, run_json: RunJson) -> None:
        """One bad notification in a batch is reported with its pointer; its neighbours count."""
        bodies: list[object] = [
            envelope(
                note("incoming", change="created"),
                {"changeType": "updated", "resourceUrl": 5},
                note("established"),
            )
        ]
        report = validate_lines(jsonl(bodies))
        expected = ([(1, None, "malformed")], "/value/1/resourceUrl", "established")
        actual = (
            [(v.line, v.call_id, v.rule) for v in report.violations],
            report.violations[0].message.split(":")[0],
            state_after(bodies),
        )
        assert expected == actual

    def test_malformed_names_its_call(self) -> None:
        """A bad field of a readable call notification is attributed to that call."""
        bad = note("established", resultInfo={"code": "five hundred"})
        expected = [(1, CALL, "malformed")]
        report = validate_lines(jsonl([envelope(bad)]))
        assert expected == [(v.line, v.call_id, v.rule) for v in report.violations]


class TestRequests:
    """Transfer request records: validated, and the outcome must match their kind."""

    def test_invalid_request_reported(self, run_json: RunJson) -> None:
        """A request with no transferTarget is reported at its line with the request rule."""
        lines = jsonl([*opening(), request({"clientContext": "c"})])
        expected = both([(4, "required")])
        assert expected == verdicts(lines, run_json)

    def test_invalid_path_reported(self, run_json: RunJson) -> None:
        """A request to a path that is not a transfer path."""
        lines = jsonl([*opening(), request(BLIND_BODY, url="/communications/calls/x/hangup")])
        expected = both([(4, "invalid-path")])
        assert expected == verdicts(lines, run_json)

    @pytest.mark.parametrize(
        ("body", "outcome"),
        [
            (BLIND_BODY, ("fail_transfer", "consultative")),
            (BLIND_BODY, ("complete_transfer", "consultative")),
            (CONSULTATIVE_BODY, ("complete_transfer", "blind")),
            (CONSULTATIVE_BODY, ("fail_transfer", "blind")),
        ],
        ids=["blind+7700", "blind+AppTransferred", "consultative+0/7015", "consultative+7000"],
    )
    def test_kind_mismatch(self, body: Json, outcome: tuple[str, str], run_json: RunJson) -> None:
        """The outcome of the other kind is transfer-kind-mismatch at the outcome's line."""
        lines = jsonl(
            [
                *opening(),
                request(body),
                envelope(note("transferring")),
                envelope(note("transferAccepted")),
                envelope(signal_note(*outcome)),
            ]
        )
        expected = both([(7, "transfer-kind-mismatch")])
        assert expected == verdicts(lines, run_json)

    def test_kind_forgotten_after_outcome(self, run_json: RunJson) -> None:
        """After a blind failure, an unannounced consultative transfer is not a mismatch."""
        lines = jsonl(
            [
                *opening(),
                request(BLIND_BODY),
                envelope(note("transferring")),
                envelope(signal_note("fail_transfer", "blind")),
                envelope(note("transferring")),
                envelope(signal_note("fail_transfer", "consultative")),
            ]
        )
        expected: tuple[list[object], list[object], int] = ([], [], 0)
        assert expected == verdicts(lines, run_json)


class TestStreamedFindings:
    """``on_finding`` takes each finding as it is found; the report keeps only counts."""

    def test_findings_forwarded_in_order(self, tmp_path: Path) -> None:
        """The same findings, in line order, through the callback; the lists stay empty.

        The call is left in transferAccepted, so the end of input (line 6) warns last.
        """
        lines = jsonl([*opening(), envelope(note("transferAccepted")), envelope(note("parked"))])
        lines.append(b"{oops")
        path = tmp_path / "trace.jsonl"
        path.write_bytes(b"\n".join(lines))
        kept = validate_path(path)
        seen: list[Finding] = []
        streamed = validate_path(path, on_finding=seen.append)
        (accepted, malformed), (unknown, unfinished) = kept.violations, kept.warnings
        expected = (
            [accepted, unknown, malformed, unfinished],
            [],
            [],
            {
                "transfer-not-in-progress": 1,
                "unknown-state": 1,
                "malformed": 1,
                "unfinished-transfer": 1,
            },
            (2, 2, False),
        )
        actual = (
            seen,
            streamed.violations,
            streamed.warnings,
            streamed.counts,
            (streamed.violation_count, streamed.warning_count, streamed.ok),
        )
        assert expected == actual

    def test_counts_without_callback(self) -> None:
        """Without a callback the lists are kept and the counts agree with them."""
        report = validate_lines(
            [b"{oops", b"[", *jsonl([envelope(note("parked", change="created"))])]
        )
        expected = ({"malformed": 2, "unknown-state": 1}, 2, 1)
        assert expected == (report.counts, report.violation_count, report.warning_count)

    def test_validate_lines_streams_too(self) -> None:
        """validate_lines takes on_finding as well."""
        seen: list[str] = []
        report = validate_lines([b"{oops"] * 3, on_finding=lambda f: seen.append(f.rule))
        expected = (["malformed"] * 3, [], {"malformed": 3}, False)
        assert expected == (seen, report.violations, report.counts, report.ok)

    def test_counts_in_json(self) -> None:
        """to_json carries the counts by rule."""
        expected = {"malformed": 1}
        assert expected == validate_lines([b"{oops"]).to_json()["counts"]

    def test_findings_are_not_accumulated(self, tmp_path: Path) -> None:
        """Ten times the malformed lines cost no more memory: no finding is held."""
        peaks = []
        for count in (2_000, 20_000):
            path = tmp_path / f"bad{count}.jsonl"
            path.write_bytes(b"{oops\n" * count)
            tracemalloc.start()
            try:
                report = validate_path(path, on_finding=lambda f: None)
                peaks.append(tracemalloc.get_traced_memory()[1])
            finally:
                tracemalloc.stop()
            assert {"malformed": count} == report.counts
        # 18,000 more findings held would be several MB (about 600 bytes each).
        assert peaks[1] - peaks[0] < 1_000_000, peaks


class TestCompressedAndBom:
    """validate_path reads gzip and skips a UTF-8 BOM, told from the first bytes."""

    def test_gzip_same_report(self, tmp_path: Path) -> None:
        """A .gz trace gives the same report as the plain one."""
        lines = jsonl([*opening(), envelope(note("transferAccepted"))])
        plain = tmp_path / "trace.jsonl"
        plain.write_bytes(b"\n".join(lines) + b"\n")
        packed = tmp_path / "trace.jsonl.gz"
        packed.write_bytes(gzip.compress(plain.read_bytes()))
        assert validate_path(plain) == validate_path(packed)

    def test_gzip_without_suffix(self, tmp_path: Path) -> None:
        """The gzip magic decides, not the file name."""
        path = tmp_path / "trace"
        path.write_bytes(gzip.compress(b"\n".join(jsonl(opening()))))
        expected = (3, 1, True)
        report = validate_path(path)
        assert expected == (report.notifications, report.calls, report.ok)

    @pytest.mark.parametrize("damage", ["truncated", "corrupt"])
    def test_damaged_gzip_is_malformed_after_the_last_line(
        self, damage: str, tmp_path: Path
    ) -> None:
        """The lines before the damage count; the damage is one malformed violation after them."""
        packed = gzip.compress(b"\n".join(jsonl(opening())) + b"\n" + b"x" * 50_000)
        if damage == "truncated":
            packed = packed[: len(packed) // 2]
        else:
            packed = packed[:10] + b"\xff" * 8 + packed[18:]
        path = tmp_path / "trace.jsonl.gz"
        path.write_bytes(packed)
        report = validate_path(path)
        (last,) = [v for v in report.violations if "gzip stream" in v.message]
        assert ("malformed", report.lines) == (last.rule, last.line)

    def test_bom_at_start(self, tmp_path: Path) -> None:
        """A UTF-8 BOM before the first body is not a malformed line."""
        path = tmp_path / "trace.jsonl"
        path.write_bytes(b"\xef\xbb\xbf" + b"\n".join(jsonl(opening())))
        expected = ([], 3)
        report = validate_path(path)
        assert expected == (report.violations, report.notifications)

    def test_bom_on_stdin(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Standard input too, even when it is not a buffered reader."""
        data = b"\xef\xbb\xbf" + b"\n".join(jsonl(opening()))
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
        expected = ([], 3)
        report = validate_path("-")
        assert expected == (report.violations, report.notifications)

    @pytest.mark.parametrize("text", [False, True], ids=["bytes", "str"])
    def test_bom_before_the_first_of_validate_lines(self, tmp_path: Path, text: bool) -> None:
        """validate_lines skips a BOM before its first line as validate_path skips a file's,
        and only there: one before a later line is that line's malformed JSON."""
        lines = jsonl(opening())
        data = b"\xef\xbb\xbf" + b"\n".join(lines) + b"\n\xef\xbb\xbf" + lines[-1] + b"\n"
        path = tmp_path / "trace.jsonl"
        path.write_bytes(data)
        with path.open("rb") as f:
            report = validate_lines(data.decode().splitlines() if text else f)
        expected = [(v.line, v.rule) for v in validate_path(path).violations]
        assert ([(4, "malformed")], expected) == (
            [(v.line, v.rule) for v in report.violations],
            [(4, "malformed")],
        )
