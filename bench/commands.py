"""The command lines the whole-process figures time: callstate's CLI and the JSON floors."""

from __future__ import annotations

import functools
import subprocess
import sys
from pathlib import Path
from typing import Final

from bench.processes import ROOT, child_env

#: The stdlib floor, exactly as issue 14 words it.
JSON_FLOOR: Final = (
    "import json,sys\nfor l in open(sys.argv[1],'rb'): l.strip() and json.loads(l)\n"
)
#: Its orjson twin, a reference.
ORJSON_FLOOR: Final = (
    "import orjson,sys\nfor l in open(sys.argv[1],'rb'): l.strip() and orjson.loads(l)\n"
)


def json_floor(path: Path) -> list[str]:
    """The stdlib floor process over ``path``."""
    return [sys.executable, "-c", JSON_FLOOR, str(path)]


def orjson_floor(path: Path) -> list[str]:
    """The orjson floor process over ``path``."""
    return [sys.executable, "-c", ORJSON_FLOOR, str(path)]


@functools.cache
def callstate_cli() -> tuple[tuple[str, ...], str]:
    """The ``callstate`` command as users run it, and how it is named in the report.

    The console script beside this Python when it imports this checkout's callstate
    (PYTHONPATH puts the checkout first), else ``python -m callstate``.
    """
    script = Path(sys.executable).parent / "callstate"
    candidates: list[tuple[tuple[str, ...], str]] = []
    if script.exists():
        candidates.append(((str(script),), "callstate (console script)"))
    candidates.append(((sys.executable, "-m", "callstate"), "python -m callstate"))
    for argv, label in candidates:
        probe = subprocess.run(
            [*argv, "validate", "--help"], capture_output=True, cwd=ROOT, env=child_env()
        )
        if probe.returncode == 0:
            return argv, label
    raise RuntimeError("`callstate validate --help` fails: the CLI cannot start")


def validate(*args: str) -> list[str]:
    """``callstate validate ARGS``."""
    return [*callstate_cli()[0], "validate", *args]


@functools.cache
def validate_help() -> str:
    """``callstate validate --help``, to see which options this version has."""
    return subprocess.run(
        validate("--help"), capture_output=True, text=True, cwd=ROOT, env=child_env()
    ).stdout
