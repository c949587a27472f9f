"""``callstate check-request`` end to end: exit codes, one line per problem, never a traceback."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import orjson
import pytest

from callstate.cli import main

if TYPE_CHECKING:
    from conftest import SpecRequest

USER_BODY = b'{"transferTarget": {"identity": {"user": {"id": "u"}}}}'
PSTN_EXAMPLES = {3, 4}


def write(tmp_path: Path, data: bytes, name: str = "request.json") -> str:
    """Write ``data`` to a file under ``tmp_path`` and return its path."""
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def problem_lines(out: str) -> list[tuple[str, str]]:
    """``(pointer, rule)`` of each ``<pointer>  <rule>  <message>`` line."""
    return [tuple(line.split("  ")[:2]) for line in out.splitlines()]  # type: ignore[misc]


class TestValid:
    """Exit 0 for a valid request, warnings on stderr."""

    def test_every_spec_request_passes(
        self, spec_requests: list[SpecRequest], tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Each documented request, at its documented URL, from an application instance."""
        for request in spec_requests:
            file = write(tmp_path, request.body.encode(), f"example{request.example}.json")
            argv = ["check-request", file, "--path", request.url, "--caller", "applicationInstance"]
            code = main(argv)
            out, err = capsys.readouterr()
            kind = "consultative" if request.example in {2, 4} else "blind"
            target = "pstn" if request.example in PSTN_EXAMPLES else "user"
            call_id = request.url.split("/calls/")[1].split("/")[0]
            expected = (0, f"valid: {kind} transfer to {target}, call {call_id}\n", "")
            assert expected == (code, out, err)

    def test_deprecated_path_warns_on_stdout(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """The /app path still passes; its warning goes to stdout before the verdict."""
        code = main(
            ["check-request", write(tmp_path, USER_BODY), "--path", "/app/calls/c/transfer"]
        )
        out, err = capsys.readouterr()
        lines = out.splitlines()
        expected = (
            0,
            [("warning: (path)", "deprecated-path")],
            "valid: blind transfer to user, call c",
            "",
        )
        assert expected == (code, problem_lines(lines[0]), lines[1], err)

    def test_stdin_is_read_for_a_dash(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """``-`` reads the body from standard input."""
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(USER_BODY)))
        code = main(["check-request", "-"])
        expected = (0, "valid: blind transfer to user\n")
        assert expected == (code, capsys.readouterr().out)


class TestInvalid:
    """Exit 1 for an invalid request, one located problem per line."""

    def test_pstn_from_an_application(
        self, spec_requests: list[SpecRequest], tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """The PSTN examples fail for a plain application, at the phone party."""
        for request in spec_requests:
            if request.example not in PSTN_EXAMPLES:
                continue
            file = write(tmp_path, request.body.encode())
            code = main(["check-request", file, "--caller", "application"])
            out, err = capsys.readouterr()
            expected = (
                1,
                [("/transferTarget/identity/phone", "pstn-needs-application-instance")],
                "invalid: 1 problem",
                "",
            )
            *problems, verdict = out.splitlines()
            assert expected == (code, problem_lines("\n".join(problems)), verdict, err)

    def test_every_problem_is_printed(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Several faults, body and path, each on its own line in order."""
        body = b'{"transferTarget": {"identity": {}, "endpointType": 1}, "clientContext": []}'
        code = main(["check-request", write(tmp_path, body), "--path", "/calls/x"])
        out, err = capsys.readouterr()
        expected = (
            1,
            [
                ("/transferTarget/identity", "party-count"),
                ("/transferTarget/endpointType", "wrong-type"),
                ("/clientContext", "wrong-type"),
                ("(path)", "invalid-path"),
            ],
            "invalid: 4 problems",
            "",
        )
        *problems, verdict = out.splitlines()
        assert expected == (code, problem_lines("\n".join(problems)), verdict, err)

    @pytest.mark.parametrize(
        "data",
        [b"", b"\x00\xff\xfe\x80garbage", bytes(range(256)), b"\x89PNG\r\n\x1a\n\x00", b"{'a': 1}"],
        ids=["empty", "garbage", "binary", "png", "python-dict"],
    )
    def test_input_that_is_not_json_exits_1(
        self, data: bytes, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Empty, garbage or binary input is one malformed problem, not a traceback."""
        code = main(["check-request", write(tmp_path, data)])
        out, err = capsys.readouterr()
        expected = (1, [("/", "malformed")], "invalid: 1 problem", "")
        *problems, verdict = out.splitlines()
        assert expected == (code, problem_lines("\n".join(problems)), verdict, err)


class TestUsage:
    """Exit 2 for a file that cannot be read or a bad argument."""

    @pytest.mark.parametrize("which", ["missing", "directory"])
    def test_unreadable_input_exits_2(
        self, which: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A missing file or a directory gives one error line on stderr."""
        target = tmp_path / "nope.json" if which == "missing" else tmp_path
        code = main(["check-request", str(target)])
        out, err = capsys.readouterr()
        expected = (2, "", 1, True)
        actual = (
            code,
            out,
            len(err.splitlines()),
            err.startswith("callstate check-request: error:"),
        )
        assert expected == actual
        assert "Traceback" not in err

    @pytest.mark.parametrize(
        "argv",
        [
            ["check-request", "f", "--caller", "bot"],
            ["check-request", "f", "-x"],
            ["check-request", "f", "--format", "xml"],
        ],
        ids=["bad-caller", "unknown-option", "bad-format"],
    )
    def test_bad_arguments_exit_2(
        self, argv: list[str], capsys: pytest.CaptureFixture[str]
    ) -> None:
        """argparse refuses them with one line, exit status 2."""
        with pytest.raises(SystemExit) as caught:
            main(argv)
        err = capsys.readouterr().err
        expected = (2, 1)
        assert expected == (caught.value.code, len(err.splitlines()))


class TestSubprocess:
    """``python -m callstate check-request`` really exits 0, 1 and 2."""

    def test_exit_codes(self, tmp_path: Path) -> None:
        """Valid, invalid and unreadable inputs, through a real interpreter."""
        cases = {
            "valid": write(tmp_path, USER_BODY, "valid.json"),
            "invalid": write(tmp_path, b"\xff not json", "invalid.json"),
            "unreadable": str(tmp_path / "missing.json"),
        }
        codes = {}
        for name, file in cases.items():
            run = subprocess.run(
                [sys.executable, "-m", "callstate", "check-request", file],
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
            assert "Traceback" not in run.stderr, run.stderr
            codes[name] = run.returncode
        expected = {"valid": 0, "invalid": 1, "unreadable": 2}
        assert expected == codes


def run_stdin(
    data: bytes, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *argv: str
) -> tuple[int, str, str]:
    """``callstate check-request ARGV`` with ``data`` on standard input."""
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    code = main(["check-request", *argv])
    out, err = capsys.readouterr()
    return code, out, err


URL = "https://graph.microsoft.com/v1.0/communications/calls/abc/transfer"


def record(body: object, *, url: object = URL, method: object = "POST") -> bytes:
    """A trace's request record."""
    return orjson.dumps({"request": {"method": method, "url": url, "body": body}})


class TestInputs:
    """Standard input by default, and the request records traces contain."""

    def test_no_file_reads_stdin(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Like validate: no FILE reads standard input."""
        expected = (0, "valid: blind transfer to user\n", "")
        assert expected == run_stdin(USER_BODY, monkeypatch, capsys)

    def test_record_url_is_the_path(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A request record is checked as its body POSTed to its url."""
        data = record(orjson.loads(USER_BODY))
        expected = (0, "valid: blind transfer to user, call abc\n", "")
        assert expected == run_stdin(data, monkeypatch, capsys)

    def test_record_problems_point_into_the_record(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Problems point into the record: /request/body/..., /request/method; the url is (path)."""
        data = record({"transferTarget": {}}, url="/calls/x", method="GET")
        code, out, _ = run_stdin(data, monkeypatch, capsys)
        expected = (
            1,
            [
                ("/request/method", "invalid-request"),
                ("/request/body/transferTarget/identity", "required"),
                ("(path)", "invalid-path"),
                ("invalid: 3 problems",),
            ],
        )
        assert expected == (code, problem_lines(out))

    def test_path_flag_wins_over_the_record_url(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """--path replaces the record's url."""
        data = record(orjson.loads(USER_BODY))
        code, out, _ = run_stdin(
            data, monkeypatch, capsys, "--path", "/communications/calls/zz/transfer"
        )
        assert (0, "valid: blind transfer to user, call zz\n") == (code, out)

    def test_record_without_body(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A record with no body says the body is missing, once."""
        data = orjson.dumps({"request": {"url": URL}})
        code, out, _ = run_stdin(data, monkeypatch, capsys)
        assert (1, [("/request/body", "required"), ("invalid: 1 problem",)]) == (
            code,
            problem_lines(out),
        )
