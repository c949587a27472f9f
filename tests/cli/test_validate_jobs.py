"""validate --jobs N: the calls spread over worker processes, the output as one process's."""

from __future__ import annotations

import zlib
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from callstate.errors import UsageError
from callstate.simulate import mix
from callstate.verdict import Report, validate_path
from callstate.verdict.report import MAX_JOBS
from tests.cli.conftest import Validate
from tests.verdict.conftest import envelope, note

FORMATS = ("text", "json", "jsonl", "github", "junit", "sarif")


def _worker(call_id: str, jobs: int) -> int:
    return zlib.crc32(call_id.encode()) % jobs


def _ids(jobs: int, same: bool) -> tuple[str, str]:
    """Two call ids in one worker (``same``) or in two."""
    first = "call-0"
    for i in range(1, 100):
        other = f"call-{i}"
        if (_worker(other, jobs) == _worker(first, jobs)) == same:
            return first, other
    raise AssertionError("no such pair")


def _hostile(jobs: int) -> list[bytes]:
    """Lines the byte scan cannot read alone, or that name no call, for the same worker."""
    a, b = _ids(jobs, same=True)
    create = {
        "request": {"method": "POST", "url": "/communications/calls", "body": {}},
        "response": {"status": 201, "body": {"id": "made-1"}},
    }
    return [
        b'{"value": [}',
        b"   ",
        b"",
        b'{"x":"' + b"a" * (1 << 20) + b'"}',
        orjson.dumps(envelope(note("incoming", change="created", call=a))),
        orjson.dumps(envelope(note("incoming", change="created", call=b))),
        orjson.dumps(envelope(note("establishing", call=a), note("establishing", call=b))),
        orjson.dumps(envelope(note("established", call=a))).replace(b"/", b"\\/"),
        orjson.dumps(envelope(note("transferring", call=b))).replace(b"/calls/", b"/CALLS/"),
        # The id's last character escaped: its bytes alone would name another call.
        orjson.dumps(envelope(note("transferAccepted", call=b))).replace(
            b.encode(), b[:-1].encode() + b"\\u%04x" % ord(b[-1])
        ),
        orjson.dumps(create),
        orjson.dumps(envelope(note("establishing", call="made-1"))),
        orjson.dumps({"value": [{"changeType": "updated", "resourceUrl": "/nowhere"}]}),
    ]


def _trace(path: Path, calls: int, seed: int, cut: int, extra: list[bytes], at: int) -> Path:
    lines = list(mix(calls, seed=seed))
    lines = lines[: max(1, len(lines) - cut)]  # a cut leaves calls unfinished
    where = min(at, len(lines))
    body = b"".join(lines[:where]) + b"".join(e + b"\n" for e in extra) + b"".join(lines[where:])
    path.write_bytes(body)
    return path


def _seen(report: Report) -> Any:
    return (report.to_json(), report.violation_count, report.warning_count, report.unsplit_line)


class TestSameOutput:
    @pytest.mark.parametrize("fmt", FORMATS)
    def test_every_format_is_byte_for_byte_the_same(
        self, validate: Validate, tmp_path: Path, fmt: str
    ) -> None:
        """Each --format writes the same bytes with --jobs 2 and 3 as with one process."""
        trace = _trace(tmp_path / "t.jsonl", 30, 3, 40, _hostile(2), 25)
        one = validate(str(trace), "--format", fmt)
        assert one == validate(str(trace), "--format", fmt, "--jobs", "2")

    @pytest.mark.parametrize("flags", [("--strict",), ("--require-requests",), ("-q",)])
    def test_options_are_passed_on(self, validate: Validate, tmp_path: Path, flags: Any) -> None:
        """--strict, --require-requests and -q give the same output over workers."""
        trace = _trace(tmp_path / "t.jsonl", 20, 5, 15, [], 0)
        one = validate(str(trace), "--format", "jsonl", *flags)
        assert one == validate(str(trace), "--format", "jsonl", "--jobs", "3", *flags)

    def test_max_findings_cuts_the_same(self, validate: Validate, tmp_path: Path) -> None:
        """--max-findings keeps the same first findings."""
        trace = _trace(tmp_path / "t.jsonl", 20, 7, 30, [b"[1]"] * 6, 5)
        one = validate(str(trace), "--format", "json", "--max-findings", "3")
        assert one == validate(str(trace), "--format", "json", "--max-findings", "3", "--jobs", "2")

    @settings(
        max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(
        calls=st.integers(1, 25),
        seed=st.integers(0, 1000),
        cut=st.integers(0, 60),
        at=st.integers(0, 200),
        jobs=st.integers(2, 3),
        hostile=st.booleans(),
    )
    def test_any_trace_gives_the_same_report(
        self, tmp_path: Path, calls: int, seed: int, cut: int, at: int, jobs: int, hostile: bool
    ) -> None:
        """For drawn traces, the report over workers equals one process's, findings in order."""
        extra = _hostile(jobs) if hostile else []
        trace = _trace(tmp_path / f"t{seed}.jsonl", calls, seed, cut, extra, at)
        one = validate_path(trace)
        many = validate_path(trace, jobs=jobs)
        assert _seen(one) == _seen(many)

    def test_lines_of_a_known_form_naming_another_call(
        self, validate: Validate, tmp_path: Path
    ) -> None:
        """A line of a form already read is its id's call's, though its bytes name another call
        too (a worker tells it by its form, not by a scan): the output is one process's."""
        c, d = _ids(2, same=False)

        def noted(state: str, call: str, other: str) -> bytes:
            body = envelope(note(state, call=call, note=f"/communications/calls/{other}"))
            return orjson.dumps(body)

        lines = [orjson.dumps(envelope(note("incoming", change="created", call=c)))]
        lines += [orjson.dumps(envelope(note("incoming", change="created", call=d)))]
        for state in ("establishing", "established", "established", "hold", "established"):
            lines += [noted(state, c, d), noted(state, d, c)]
        lines += [noted("transferAccepted", c, d), noted("terminated", d, c)]
        trace = tmp_path / "t.jsonl"
        trace.write_bytes(b"\n".join(lines) + b"\n")
        one = validate(str(trace), "--format", "jsonl")
        assert (1, one) == (one[0], validate(str(trace), "--format", "jsonl", "--jobs", "2"))


class TestOneProcess:
    def test_a_line_naming_calls_of_two_workers(self, validate: Validate, tmp_path: Path) -> None:
        """Such a line is validated in one process, same output, with a hint on stderr."""
        a, b = _ids(2, same=False)
        bodies = [
            envelope(note("incoming", change="created", call=a)),
            envelope(note("incoming", change="created", call=b)),
            envelope(note("establishing", call=a), note("establishing", call=b)),
        ]
        trace = tmp_path / "t.jsonl"
        trace.write_bytes(b"".join(orjson.dumps(x) + b"\n" for x in bodies))
        code, out, err = validate(str(trace), "--format", "jsonl", "--jobs", "2")
        assert (code, out) == validate(str(trace), "--format", "jsonl")[:2]
        assert "--jobs: line 3 of" in err
        assert 3 == validate_path(trace, jobs=2).unsplit_line

    def test_gzip_input(self, validate: Validate, tmp_path: Path) -> None:
        """gzip input is validated in one process, with the same output."""
        import gzip

        trace = tmp_path / "t.jsonl.gz"
        trace.write_bytes(gzip.compress(b"".join(mix(5, seed=2))))
        assert validate(str(trace)) == validate(str(trace), "--jobs", "2")


class TestUsage:
    @pytest.mark.parametrize(
        ("value", "said"),
        [
            ("0", f"expected a whole number of processes from 1 to {MAX_JOBS}, got the number 0"),
            ("-1", f"expected a whole number of processes from 1 to {MAX_JOBS}, got the number -1"),
            (
                "99999",
                f"expected a whole number of processes from 1 to {MAX_JOBS}, got the number 99999",
            ),
            ("two", "expected a whole number, got 'two'"),
        ],
    )
    def test_bad_jobs_is_a_usage_error(self, validate: Validate, value: str, said: str) -> None:
        """--jobs is 1 to MAX_JOBS, said in one line (exit 2): not 99,999 forks."""
        code, _, err = validate("x.jsonl", "--jobs", value)
        assert (2, [f"callstate validate: error: --jobs: {said}"]) == (code, err.splitlines())

    @pytest.mark.parametrize("value", [0, -3, MAX_JOBS + 1, 1.5, True, "2"])
    def test_bad_jobs_in_the_api(self, tmp_path: Path, value: object) -> None:
        """validate_path(jobs=) takes an int from 1 to MAX_JOBS, else a UsageError naming it."""
        with pytest.raises(
            UsageError,
            match=f"^jobs: expected a whole number of processes from 1 to {MAX_JOBS}, got ",
        ):
            validate_path(tmp_path / "x.jsonl", jobs=value)  # type: ignore[arg-type]

    def test_as_many_as_may_be(self, tmp_path: Path) -> None:
        """MAX_JOBS itself is taken: each worker takes the calls that hash to it."""
        trace = _trace(tmp_path / "t.jsonl", 4, 1, 0, [], 0)
        assert _seen(validate_path(trace)) == _seen(validate_path(trace, jobs=MAX_JOBS))


class TestWorkers:
    def test_a_failing_worker_fails_the_run(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A worker's exception reaches the caller, naming the worker; none is left running."""
        from callstate.verdict import _partition

        def broken(index: int) -> Any:
            raise ValueError(f"broken {index}")

        monkeypatch.setattr(_partition, "_work", broken)
        trace = _trace(tmp_path / "t.jsonl", 3, 1, 0, [], 0)
        with pytest.raises(RuntimeError, match="validate worker 0: ValueError: broken 0"):
            validate_path(trace, jobs=2)

    def test_a_worker_that_dies(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """A worker ending without an answer is an error with its exit code, not a hang."""
        import os

        from callstate.verdict import _partition

        def dies(index: int) -> Any:
            os._exit(3)

        monkeypatch.setattr(_partition, "_work", dies)
        trace = _trace(tmp_path / "t.jsonl", 3, 1, 0, [], 0)
        with pytest.raises(RuntimeError, match="ended with exit code 3"):
            validate_path(trace, jobs=2)
