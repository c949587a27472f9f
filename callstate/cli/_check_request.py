"""``callstate check-request``: validate one ``call: transfer`` request body.

Output only; the rules live in :mod:`callstate.transfer`. Problems go to stdout, one
per line as ``<pointer>  <rule>  <message>`` (the whole body shown as ``/``);
warnings and the summary go to stderr.
"""

from __future__ import annotations

import argparse
import sys

from callstate.transfer import CALLERS, validate_transfer_request

__all__ = ["register", "run"]

_PROG = "callstate check-request"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``check-request`` subcommand."""
    p = sub.add_parser(
        "check-request",
        help="validate a call: transfer request body",
        description=(
            "Validate a Microsoft Graph call: transfer request body (and, with --path, the "
            "path it is POSTed to). Exit 0 when valid, 1 when invalid (not JSON included), "
            "2 for a usage error or an unreadable file."
        ),
    )
    p.add_argument("file", metavar="FILE|-", help="the JSON request body; - reads stdin")
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
    p.set_defaults(handler=run)


def _read(name: str) -> bytes:
    if name == "-":
        return sys.stdin.buffer.read()
    with open(name, "rb") as f:
        return f.read()


def run(args: argparse.Namespace) -> int:
    """Check the request and print its problems; returns the exit code."""
    try:
        body = _read(args.file)
    except OSError as exc:
        print(f"{_PROG}: error: cannot read {args.file}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    verdict = validate_transfer_request(body, path=args.path, caller=args.caller)
    for warning in verdict.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if not verdict.ok:
        for problem in verdict.problems:
            print(problem)
        count = len(verdict.problems)
        print(f"invalid: {count} problem{'s' if count > 1 else ''}", file=sys.stderr)
        return 1
    what = f"{verdict.kind} transfer to {verdict.target}"
    where = f", call {verdict.call_id}" if verdict.call_id is not None else ""
    print(f"valid: {what}{where}")
    return 0
