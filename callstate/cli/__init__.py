"""The ``callstate`` command line: argument parsing and output only, no rules.

Each command lives in its own module with ``register(subparsers)``; its handler
takes the parsed arguments and returns the exit code.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from callstate.errors import CallstateError

__all__ = ["main", "run"]

_COMMANDS = (
    "validate",
    "simulate",
    "check_request",
    "diagram",
    "explore",
    "replay",
    "rules",
)


class _Parser(argparse.ArgumentParser):
    """argparse that exits 2 with one clear line, never a traceback."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser, one subcommand per module in ``_COMMANDS``.

    With ``command``, only that subcommand's module is imported, so ``callstate
    validate`` does not pay for the diagram, HTTP or Hypothesis code.
    """
    parser = _Parser(
        prog="callstate",
        description="Microsoft Graph call transfer as a checked state machine.",
    )
    from callstate import __version__

    parser.add_argument("--version", action="version", version=f"callstate {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name in _COMMANDS:
        if command is None or command == name.replace("_", "-"):
            importlib.import_module(f"callstate.cli._{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (``sys.exit`` is the caller's job)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    known = {name.replace("_", "-") for name in _COMMANDS}
    command = argv[0] if argv and argv[0] in known else None
    args = build_parser(command).parse_args(argv)
    try:
        code: int = args.handler(args)
    except CallstateError as exc:
        print(f"callstate {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        return 130
    return code


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
