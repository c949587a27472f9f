"""The inputs the figures read, generated once into ``bench/out`` (git-ignored) and reused.

A trace's name carries a hash of the simulator's source, so a changed generator makes
a new trace instead of measuring a stale one.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path
from typing import Final

from bench.processes import ROOT, child_env
from bench.settings import say

OUT: Final = ROOT / "bench" / "out"


def _simulator_digest() -> str:
    h = hashlib.sha1()
    for path in sorted((ROOT / "callstate" / "simulate").glob("*.py")):
        h.update(path.read_bytes())
    return h.hexdigest()[:10]


def _scratch(path: Path) -> Path:
    """Where this process writes ``path`` before renaming it into place: its own name, so
    two runs generating one trace at once (the slow tests' workers) never share a file."""
    return path.with_name(f"{path.stem}.{os.getpid()}.tmp")


def mix(calls: int, seed: int) -> Path:
    """``callstate simulate mix --calls N --seed S``, generated once."""
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"mix-{calls}-seed{seed}-{_simulator_digest()}.jsonl"
    if path.exists():
        return path
    say(f"generating {path.name} with `callstate simulate mix`")
    tmp = _scratch(path)
    cmd = [sys.executable, "-m", "callstate", "simulate", "mix", "--calls", str(calls)]
    with tmp.open("wb") as out:
        done = subprocess.run(
            [*cmd, "--seed", str(seed)], stdout=out, stderr=subprocess.PIPE, env=child_env()
        )
    if done.returncode != 0:
        tmp.unlink(missing_ok=True)
        raise RuntimeError(f"`callstate simulate mix` failed: {done.stderr.decode()[-400:]}")
    tmp.replace(path)
    return path


def one_line(seed: int) -> Path:
    """A trace of one conforming line (the first of a small mix): what startup validates."""
    path = OUT / f"one-line-seed{seed}-{_simulator_digest()}.jsonl"
    if not path.exists():
        with mix(3, seed).open("rb") as f:
            first = f.readline()
        tmp = _scratch(path)
        tmp.write_bytes(first)
        tmp.replace(path)
    return path


def malformed(lines: int) -> Path:
    """``lines`` lines that are each reported as ``malformed``: every line is a finding.

    Two kinds alternate, so both the JSON decoder's and the reader's error paths run:
    text that is not JSON, and a notification whose ``resourceUrl`` is a number.
    """
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"malformed-{lines}.jsonl"
    if path.exists():
        return path
    say(f"generating {path.name}")
    tmp = _scratch(path)
    with tmp.open("wb") as out:
        for i in range(lines):
            if i % 2:
                out.write(b'{"value":[{"changeType":"updated","resourceUrl":%d}]}\n' % i)
            else:
                out.write(b"not json %d\n" % i)
    tmp.replace(path)
    return path
