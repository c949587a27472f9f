"""The machine a run was measured on: every figure is only meaningful next to it."""

from __future__ import annotations

import os
import platform
import subprocess
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from bench.processes import ROOT

#: The packages whose versions move the figures.
_PACKAGES = ("callstate", "transitions", "attrs", "orjson", "python-statemachine", "msgspec")


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def _commit() -> str:
    """The checkout's commit, with ``+dirty`` when callstate/ has uncommitted changes."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "callstate"],
            capture_output=True,
            text=True,
            cwd=ROOT,
        ).stdout.strip()
    except OSError:
        return "unknown"
    return f"{head}+dirty" if dirty else head or "unknown"


def describe() -> dict[str, Any]:
    """CPU model, cores, memory, Python, package versions, commit and load at the start."""
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        memory_gb = round(pages / 2**30, 1)
    except (ValueError, OSError):
        memory_gb = None
    return {
        "cpu": _cpu(),
        "cores": os.cpu_count(),
        "memory_gb": memory_gb,
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "platform": platform.platform(terse=True),
        "commit": _commit(),
        "loadavg": load(),
        "packages": {name: _version(name) for name in _PACKAGES},
    }


def load() -> list[float]:
    """The 1, 5 and 15 minute load averages: the machine is shared, so say how busy it was."""
    return [round(x, 2) for x in os.getloadavg()]


def one_line(m: dict[str, Any]) -> str:
    """The machine in one line, printed above every figure."""
    pkgs = ", ".join(f"{k} {v}" for k, v in m["packages"].items() if v != "not installed")
    return (
        f"machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB, {m['python']}, "
        f"commit {m['commit']}; {pkgs}"
    )
