"""The ``callstate`` command line: argument parsing and output only, no rules.

Each command lives in its own module with ``register(subparsers)``; its handler
takes the parsed arguments and returns the exit code.

Every command shares these exit statuses and one error style, ``callstate CMD:
error: MESSAGE`` on one line of stderr, never a traceback:

- 0 success; 1 the input breaks a rule (each command says which);
- 2 a usage error, an unreadable input (standard input closed included), or output
  that cannot be written (stdout on a full disk, or closed);
- 130 interrupted (Ctrl-C);
- 141 standard output was closed early, as by ``| head`` (128 + SIGPIPE, what a shell
  reports for a program killed by a broken pipe), so a cut-off report never passes.

A bare ``callstate`` prints the help on stderr and exits 2.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import importlib
import io
import os
import sys
from collections.abc import Sequence

from callstate.errors import CallstateError, UsageError

__all__ = ["EXIT_BROKEN_PIPE", "EXIT_USAGE", "main", "run"]

#: A usage error, unreadable input, or output that cannot be written.
EXIT_USAGE = 2
#: Standard output closed early (``| head``): 128 + SIGPIPE, as a shell reports it.
EXIT_BROKEN_PIPE = 141

_COMMANDS = (
    "validate",
    "simulate",
    "check_request",
    "diagram",
    "explore",
    "replay",
    "report",
    "rules",
    "show",
    "emulate",
)


class _Parser(argparse.ArgumentParser):
    """argparse that exits 2 with one clear line, never a traceback."""

    def error(self, message: str) -> None:  # type: ignore[override]
        # argparse says "argument --depth: ..."; callstate's own errors say "--depth: ...".
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message.removeprefix('argument ')}\n")


class _ClosedStream(io.RawIOBase):
    """Stands in for a closed standard stream: every read or write is a clear ``OSError``."""

    def __init__(self, name: str, *, readable: bool) -> None:
        super().__init__()
        self._name = name
        self._readable = readable

    def readable(self) -> bool:
        return self._readable

    def writable(self) -> bool:
        return not self._readable

    def readinto(self, buffer: object) -> int:
        raise OSError(errno.EBADF, f"{self._name} is closed")

    def write(self, data: object) -> int:
        raise OSError(errno.EBADF, f"{self._name} is closed")


def _stand_in_for_closed_streams() -> None:
    """Run with ``<&-`` or ``>&-``, Python has no ``sys.stdin``/``sys.stdout`` at all.

    Put streams there whose use fails with an ``OSError`` each command reports in one
    line, instead of an ``AttributeError`` traceback on ``None``.
    """
    if sys.stdin is None:
        sys.stdin = io.TextIOWrapper(
            io.BufferedReader(_ClosedStream("standard input", readable=True))
        )
    if sys.stdout is None:
        sys.stdout = io.TextIOWrapper(
            io.BufferedWriter(_ClosedStream("standard output", readable=False))
        )


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser, one subcommand per module in ``_COMMANDS``.

    With ``command``, only that subcommand's module is imported, so ``callstate
    validate`` does not pay for the diagram, HTTP or Hypothesis code.
    """
    parser = _Parser(
        prog="callstate",
        description="Microsoft Graph call transfer as a checked state machine.",
        epilog="Exit status: 0 success, 1 the input breaks a rule, 2 usage or I/O error, "
        "130 interrupted, 141 output closed early (| head).",
    )
    from callstate import __version__

    parser.add_argument("--version", action="version", version=f"callstate {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name in _COMMANDS:
        if command is None or command == name.replace("_", "-"):
            importlib.import_module(f"callstate.cli._{name}").register(sub)
    return parser


def _flags(parser: argparse.ArgumentParser, command: str) -> dict[str, str]:
    """Python parameter name -> the command's flag (``call_id`` -> ``--call-id``)."""
    flags: dict[str, str] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            chosen = action.choices.get(command)
            if isinstance(chosen, argparse.ArgumentParser):
                for option in chosen._actions:
                    if option.option_strings:
                        flags[option.dest] = max(option.option_strings, key=len)
                    elif option.dest != argparse.SUPPRESS:
                        flags[option.dest] = str(option.metavar or option.dest).upper()
    return flags


def _message(exc: CallstateError, flags: dict[str, str]) -> str:
    """The error as a CLI user reads it: a :class:`UsageError` names the flag, not the parameter."""
    text = str(exc)
    if isinstance(exc, UsageError) and exc.argument in flags:
        prefix = f"{exc.argument}: "
        if text.startswith(prefix):
            return f"{flags[exc.argument]}: {text[len(prefix) :]}"
    return text


def _os_message(exc: OSError) -> str:
    """One line for an ``OSError``: the file it names, else the output that failed."""
    reason = exc.strerror or str(exc)
    if exc.filename is not None:
        return f"cannot use {exc.filename}: {reason}"
    return f"cannot write the output: {reason}"


def _detach_stdout() -> None:
    """Point stdout at devnull, so the interpreter's last flush cannot fail a second time."""
    with contextlib.suppress(OSError, ValueError):
        sys.stdout.flush()
    try:
        fd = sys.stdout.fileno()
    except (OSError, ValueError, AttributeError):
        sys.stdout = io.TextIOWrapper(io.BytesIO())
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)


def _flush_after_exit() -> None:
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _detach_stdout()
        raise SystemExit(EXIT_BROKEN_PIPE) from None
    except OSError as exc:
        _detach_stdout()
        raise SystemExit(_error("callstate", _os_message(exc))) from None


def _error(prog: str, message: str) -> int:
    # If stderr itself is gone, the exit status is all that is left.
    from callstate.cli._output import escape

    with contextlib.suppress(OSError, ValueError, AttributeError):
        print(f"{prog}: error: {escape(message)}", file=sys.stderr)
    return EXIT_USAGE


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (``sys.exit`` is the caller's job)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    _stand_in_for_closed_streams()
    known = {name.replace("_", "-") for name in _COMMANDS}
    command = argv[0] if argv and argv[0] in known else None
    parser = build_parser(command)
    if not argv:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        args = parser.parse_args(argv)
    except SystemExit:
        _flush_after_exit()  # --help, --version: their text must reach stdout, or say why
        raise
    prog = f"callstate {args.command}"
    try:
        code: int = args.handler(args)
        sys.stdout.flush()
    except CallstateError as exc:
        return _error(prog, _message(exc, _flags(parser, args.command)))
    except BrokenPipeError:
        _detach_stdout()
        return EXIT_BROKEN_PIPE
    except OSError as exc:
        _detach_stdout()
        return _error(prog, _os_message(exc))
    except KeyboardInterrupt:
        return 130
    return code


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
