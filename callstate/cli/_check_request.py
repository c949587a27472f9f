"""``callstate check-request``: validate one ``call: transfer`` request body.

Output only; the rules live in :mod:`callstate.transfer`. Everything goes to stdout:
one line per problem, ``<pointer>  <rule>  <message>`` (the whole body shown as
``/``), ``warning: `` before each warning, then ``valid: …`` or ``invalid: …``.
``--format json`` prints one object instead. Only errors and hints go to stderr.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, Final

import orjson

from callstate.cli._output import escape, plural, stdout
from callstate.transfer import (
    CALLERS,
    Problem,
    TransferVerdict,
    check_path,
    validate_transfer_request,
)

__all__ = ["register", "run"]

_PROG: Final = "callstate check-request"
#: Where a request record keeps the body, as a JSON pointer prefix.
_RECORD_BODY: Final = "/request/body"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``check-request`` subcommand."""
    p = sub.add_parser(
        "check-request",
        help="validate a call: transfer request body",
        description=(
            "Validate a Microsoft Graph call: transfer request body (and, with --path, the "
            "path it is POSTed to). The input is the body, or a trace's request record "
            '{"request": {"method", "url", "body"}} whose url is the path unless --path is '
            "given. Exit 0 when valid, 1 when invalid (not JSON included), 2 for a usage "
            "error or an unreadable input."
        ),
    )
    p.add_argument(
        "file",
        nargs="?",
        default="-",
        metavar="FILE",
        help="the JSON request body or request record; - or none reads stdin",
    )
    p.add_argument(
        "--path",
        metavar="PATH",
        help="the path or URL the request is POSTed to, e.g. /communications/calls/{id}/transfer",
    )
    p.add_argument(
        "--caller",
        choices=CALLERS,
        help="who sends it; without it the PSTN-caller rule is not applied",
    )
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    p.set_defaults(handler=run)


def _read(name: str) -> bytes:
    if name == "-":
        if sys.stdin.isatty():
            print(
                f"{_PROG}: hint: reading a request from the terminal: end it with Ctrl-D, "
                "or give a FILE",
                file=sys.stderr,
            )
        return sys.stdin.buffer.read()
    with open(name, "rb") as f:
        return f.read()


def _record(data: bytes) -> dict[str, Any] | None:
    """The ``request`` object of a trace's request record, or ``None`` for a plain body."""
    try:
        parsed = orjson.loads(data.removeprefix(b"\xef\xbb\xbf"))
    except orjson.JSONDecodeError:
        return None
    if type(parsed) is not dict or "request" not in parsed or "transferTarget" in parsed:
        return None
    request = parsed["request"]
    return request if type(request) is dict else {}


def _check(data: bytes, args: argparse.Namespace) -> tuple[TransferVerdict, list[Problem]]:
    """The verdict, and the record's own problems (method, url), pointers into the input."""
    record = _record(data)
    if record is None:
        return validate_transfer_request(data, path=args.path, caller=args.caller), []
    own: list[Problem] = []
    method = record.get("method", "POST")
    if type(method) is not str or method.upper() != "POST":
        shown = orjson.dumps(method).decode()[:64]
        own.append(Problem("/request/method", "invalid-request", f"{shown} is not POST"))
    url = record.get("url")
    if url is not None and type(url) is not str:
        own.append(Problem("/request/url", "invalid-request", "expected a string"))
    path = args.path if args.path is not None else (url if type(url) is str else None)
    if "body" not in record:
        own.append(Problem(_RECORD_BODY, "required", "the request record has no body"))
        if path is None:
            return TransferVerdict(), own
        at = check_path(path)
        return TransferVerdict(at.problems, at.warnings, call_id=at.call_id), own
    verdict = validate_transfer_request(record["body"], path=path, caller=args.caller)
    return _in_record(verdict), own


def _in_record(verdict: TransferVerdict) -> TransferVerdict:
    """Body pointers made pointers into the record (``/request/body/...``)."""

    def moved(problems: tuple[Problem, ...]) -> tuple[Problem, ...]:
        return tuple(
            Problem(_RECORD_BODY + p.pointer, p.rule, p.message)
            if not p.pointer.startswith("(")
            else p
            for p in problems
        )

    return TransferVerdict(
        moved(verdict.problems),
        moved(verdict.warnings),
        verdict.kind,
        verdict.target,
        verdict.call_id,
    )


def _problem_json(problem: Problem) -> dict[str, str]:
    return {"pointer": problem.pointer, "rule": problem.rule, "message": problem.message}


def _line(problem: Problem) -> str:
    return escape(str(problem))


def run(args: argparse.Namespace) -> int:
    """Check the request and print its problems; returns the exit code."""
    try:
        data = _read(args.file)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        print(f"{_PROG}: error: cannot read {escape(args.file)}: {reason}", file=sys.stderr)
        return 2
    verdict, own = _check(data, args)
    problems = [*own, *verdict.problems]
    out = stdout()
    if args.format == "json":
        document = {
            "ok": not problems,
            "kind": verdict.kind,
            "target": verdict.target,
            "callId": verdict.call_id,
            "problems": [_problem_json(p) for p in problems],
            "warnings": [_problem_json(w) for w in verdict.warnings],
        }
        out.write(orjson.dumps(document) + b"\n")
        return 0 if not problems else 1
    for problem in problems:
        out.line(_line(problem))
    for warning in verdict.warnings:
        out.line(f"warning: {_line(warning)}")
    if problems:
        out.line(f"invalid: {plural(len(problems), 'problem')}")
        return 1
    what = f"{verdict.kind} transfer to {verdict.target}"
    where = f", call {escape(verdict.call_id)}" if verdict.call_id is not None else ""
    out.line(f"valid: {what}{where}")
    return 0
