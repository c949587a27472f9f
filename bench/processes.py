"""Whole-process runs with honest peak RSS, and interleaved pairs of them.

Why a launcher: ``wait4`` after ``Popen`` reports the child's ``ru_maxrss``, and Linux
counts in it the memory the *parent* held when it forked (the exec records the old
address space's high-water mark). A bench parent holding 200 MB made ``python -c pass``
report 211 MB. So every measured child is started by a tiny fresh ``python -S -I -c``
launcher that holds almost nothing, spawns the target, times it from spawn to exit and
reports the target's own ``wait4`` rusage. The launcher's startup is not timed.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Final

from bench.spread import Spread, spread

ROOT: Final = Path(__file__).resolve().parent.parent

#: The launcher: argv = report path, RSS cap in KiB (0: none), time limit in s (0: none),
#: then the target argv. Polls only when it must enforce a cap or a limit.
_LAUNCHER: Final = r"""
import os, sys, time
report, cap, limit, *argv = sys.argv[1:]
cap, limit = int(cap), float(limit)
start = time.perf_counter()
pid = os.posix_spawn(argv[0], argv, os.environ)
stopped = "-"
if cap or limit:
    while True:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            break
        if limit and time.perf_counter() - start > limit:
            stopped = "time"
        elif cap:
            try:
                with open(f"/proc/{pid}/status") as f:
                    rss = [l for l in f if l.startswith("VmRSS:")]
                if rss and int(rss[0].split()[1]) > cap:
                    stopped = "rss"
            except OSError:
                pass
        if stopped != "-":
            os.kill(pid, 9)
            done, status, usage = os.wait4(pid, 0)
            break
        time.sleep(0.01)
else:
    done, status, usage = os.wait4(pid, 0)
seconds = time.perf_counter() - start
with open(report, "w") as f:
    cpu = usage.ru_utime + usage.ru_stime
    f.write(f"{seconds!r} {cpu!r} {usage.ru_maxrss} {os.waitstatus_to_exitcode(status)} {stopped}")
"""


def child_env() -> dict[str, str]:
    """The environment of measured children.

    Bytecode may be written, as an installed package has it (with PYTHONDONTWRITEBYTECODE
    every run would time the compiler), and this checkout's callstate comes first.
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


@dataclasses.dataclass(frozen=True)
class Run:
    """One whole-process run: wall and CPU seconds, peak RSS, exit code, what it printed."""

    seconds: float
    cpu_seconds: float
    peak_rss_mb: float
    code: int
    stdout: bytes
    stderr: bytes
    #: ``"rss"`` or ``"time"`` when the launcher killed it at a cap, else ``None``.
    stopped: str | None = None


def resolve(argv: Sequence[str]) -> list[str]:
    """``argv`` with its program made an absolute path (``posix_spawn`` does no PATH search)."""
    program = argv[0] if os.path.isabs(argv[0]) else shutil.which(argv[0])
    if program is None:
        raise FileNotFoundError(argv[0])
    return [program, *argv[1:]]


def run(
    argv: Sequence[str],
    *,
    stdout: Path | None = None,
    rss_cap_mb: float = 0,
    time_limit_s: float = 0,
    ok_codes: tuple[int, ...] = (0, 1),
    env: Mapping[str, str] | None = None,
    show_stderr: bool = False,
) -> Run:
    """Run ``argv`` to completion through the launcher; time and peak RSS are its own.

    ``stdout`` sends its output to a file (not read back); ``rss_cap_mb`` and
    ``time_limit_s`` kill it at a bound, and the :class:`Run` says so;
    ``show_stderr`` lets its progress through to ours instead of capturing it.
    """
    target = resolve(argv)
    with tempfile.TemporaryDirectory(prefix="callstate-bench-") as tmp:
        report = Path(tmp) / "rusage"
        out_path = stdout or Path(tmp) / "stdout"
        err_path = Path(tmp) / "stderr"
        launcher = [sys.executable, "-S", "-I", "-c", _LAUNCHER, str(report)]
        launcher += [str(int(rss_cap_mb * 1024)), repr(float(time_limit_s)), *target]
        with out_path.open("wb") as out, err_path.open("wb") as err:
            subprocess.run(
                launcher,
                stdout=out,
                stderr=None if show_stderr else err,
                cwd=ROOT,
                env=dict(env or child_env()),
                check=True,
            )
        seconds, cpu, maxrss_kib, code, stopped = report.read_text().split()
        captured = b"" if stdout else out_path.read_bytes()
        errors = err_path.read_bytes()
    result = Run(
        float(seconds),
        float(cpu),
        int(maxrss_kib) / 1024,  # ru_maxrss is in KiB on Linux
        int(code),
        captured,
        errors,
        None if stopped == "-" else stopped,
    )
    if result.stopped is None and result.code not in ok_codes:
        shown = " ".join(str(a) for a in argv[:4])
        said = "its stderr is above" if show_stderr else errors[-600:].decode(errors="replace")
        raise RuntimeError(f"{shown} exited {result.code}: {said}")
    return result


def run_naive(argv: Sequence[str]) -> Run:
    """The old way, ``Popen`` then ``wait4`` from this process: kept to show its error."""
    target = resolve(argv)
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(target, stdout=out, stderr=subprocess.DEVNULL, env=child_env())
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    return Run(0.0, 0.0, usage.ru_maxrss / 1024, proc.returncode, b"", b"")


@dataclasses.dataclass(frozen=True)
class Pairs:
    """Interleaved runs A B A B ...: both sides' runs and the per-pair comparisons."""

    a: list[Run]
    b: list[Run]

    @property
    def ratio(self) -> Spread:
        """A's time over B's, pair by pair."""
        return spread([x.seconds / y.seconds for x, y in zip(self.a, self.b, strict=True)])

    @property
    def cpu_ratio(self) -> Spread:
        """A's CPU time (user + system) over B's, pair by pair: steadier on a busy machine."""
        return spread([x.cpu_seconds / y.cpu_seconds for x, y in zip(self.a, self.b, strict=True)])

    @property
    def difference_ms(self) -> Spread:
        """A's time minus B's in milliseconds, pair by pair."""
        return spread([(x.seconds - y.seconds) * 1e3 for x, y in zip(self.a, self.b, strict=True)])

    @property
    def cpu_difference_ms(self) -> Spread:
        """A's CPU time minus B's in milliseconds, pair by pair."""
        pairs = zip(self.a, self.b, strict=True)
        return spread([(x.cpu_seconds - y.cpu_seconds) * 1e3 for x, y in pairs])


def paired(
    a: Sequence[str],
    b: Sequence[str],
    *,
    pairs: int,
    warmup: int = 1,
    say: Callable[[str], None] | None = None,
    label: str = "",
) -> Pairs:
    """Run ``a`` and ``b`` alternately, ``pairs`` times each, after ``warmup`` untimed pairs.

    The warm-up fills the page cache and writes the ``.pyc`` files, so no pair pays for them.
    """
    for _ in range(warmup):
        run(a)
        run(b)
    out = Pairs([], [])
    for i in range(pairs):
        if say is not None:
            say(f"{label}: pair {i + 1}/{pairs}")
        out.a.append(run(a))
        out.b.append(run(b))
    return out
