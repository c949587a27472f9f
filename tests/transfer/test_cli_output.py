"""``callstate check-request`` output: unknown fields, the JSON format and escaping."""

from __future__ import annotations

import orjson
import pytest

from tests.transfer.test_cli import (
    USER_BODY,
    problem_lines,
    record,
    run_stdin,
)


class TestUnknownField:
    """A mistyped top-level key is a warning, not silently ignored."""

    def test_typo_warned_with_a_guess(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """``tranfereee``: still valid, one unknown-field warning that suggests transferee."""
        body = orjson.loads(USER_BODY) | {"tranfereee": {}, "@odata.type": "#x"}
        code, out, err = run_stdin(orjson.dumps(body), monkeypatch, capsys)
        lines = out.splitlines()
        expected = (
            0,
            [("warning: /tranfereee", "unknown-field")],
            True,
            "valid: blind transfer to user",
            "",
        )
        actual = (
            code,
            problem_lines(lines[0]),
            "did you mean 'transferee'?" in lines[0],
            lines[1],
            err,
        )
        assert expected == actual

    def test_in_a_trace(self) -> None:
        """validate reports it too, as a warning at the request's line."""
        from callstate.verdict import validate_lines

        line = record(orjson.loads(USER_BODY) | {"tranfereee": {}})
        report = validate_lines([line])
        expected = ([], [(1, "abc", "unknown-field")])
        assert expected == (
            report.violations,
            [(w.line, w.call_id, w.rule) for w in report.warnings],
        )


class TestJsonFormat:
    """--format json: one object with the verdict, problems and warnings."""

    def test_invalid(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Problems and warnings with pointer, rule and message; exit 1."""
        body = b'{"transferTarget": {"identity": {"user": {"id": ""}}}, "x": 1}'
        code, out, err = run_stdin(
            body, monkeypatch, capsys, "--format", "json", "--path", "/app/calls/c/transfer"
        )
        expected = (
            1,
            {
                "ok": False,
                "kind": "blind",
                "target": "user",
                "callId": "c",
                "problems": [
                    {
                        "pointer": "/transferTarget/identity/user/id",
                        "rule": "empty-string",
                        "message": "id must not be empty",
                    }
                ],
                "warnings": [
                    {
                        "pointer": "/x",
                        "rule": "unknown-field",
                        "message": orjson.loads(out)["warnings"][0]["message"],
                    },
                    {
                        "pointer": "(path)",
                        "rule": "deprecated-path",
                        "message": orjson.loads(out)["warnings"][1]["message"],
                    },
                ],
            },
            "",
        )
        assert expected == (code, orjson.loads(out), err)

    def test_not_json(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Input that is not JSON is one malformed problem in the object."""
        code, out, _ = run_stdin(b"{oops", monkeypatch, capsys, "--format", "json")
        report = orjson.loads(out)
        assert (1, False, ["malformed"]) == (
            code,
            report["ok"],
            [p["rule"] for p in report["problems"]],
        )


class TestEscaping:
    """A key or call id with control characters cannot forge an output line."""

    def test_newline_in_key_and_call_id(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """One line per problem and warning and one verdict line, whatever the input holds
        (a call id with a newline is no id Graph sends: the path is the problem)."""
        body = orjson.loads(USER_BODY) | {"a\nvalid: forged": 1}
        data = record(body, url="/communications/calls/x\ny/transfer")
        code, out, _ = run_stdin(data, monkeypatch, capsys)
        lines = out.splitlines()
        expected = (
            1,
            3,
            "(path)  invalid-path  '/communications/calls/x\\ny/transfer' is not",
            "warning: /request/body/a\\nvalid: forged",
            "invalid: 1 problem",
        )
        assert expected == (code, len(lines), lines[0][:66], lines[1].split("  ")[0], lines[2])


class TestUnknownFieldRule:
    """The unknown-field warning from Python, odd keys included."""

    def test_non_string_and_huge_keys(self) -> None:
        """A dict from Python may have an int key; a huge key is quoted only in part."""
        from callstate.transfer import validate_transfer_request

        body = orjson.loads(USER_BODY) | {1: 2, "k" * 10_000: 3}
        verdict = validate_transfer_request(body)
        expected = (True, ["/1", "/" + "k" * 10_000], True)
        actual = (
            verdict.ok,
            [w.pointer for w in verdict.warnings],
            all(len(w.message) < 300 for w in verdict.warnings),
        )
        assert expected == actual

    def test_known_fields_and_annotations_are_quiet(self) -> None:
        """transferTarget, transferee, clientContext and @-annotations warn of nothing."""
        from callstate.transfer import validate_transfer_request

        body = orjson.loads(USER_BODY) | {"clientContext": "c", "@odata.type": "#x", "a@odata.b": 1}
        assert () == validate_transfer_request(body).warnings
