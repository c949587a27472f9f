"""callstate benchmark harness: every figure of the Performance issues, side by side.

``python bench/run.py`` runs every figure (``--quick``: small sizes, to prove the harness
runs; ``--figure NAME``: one figure, repeatable). Each figure is a ratio against a
baseline measured in the same run, or a peak RSS, never an absolute time judged alone:
the main ratios are interleaved pairs A B A B ... of whole processes, reported as the
median with its min-max spread. A readable table goes first; the LAST line is exactly
one JSON object with every figure and ``targets``, each target's limit, value, status
and ``pass`` (null when not measured). Every run is also saved as JSON in ``bench/out``.

``--markdown`` prints the README's Performance table instead of the text table, and
``--markdown --from FILE`` renders it from a saved run without measuring.
The figures live in ``bench/figures/``, one module each.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: import the bench package from the checkout
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import figures as registry, host
from bench.processes import ROOT, run
from bench.report import markdown, section
from bench.settings import QUICK, Settings, say

OUT = ROOT / "bench" / "out"
#: A worker past this is stopped: the full run is meant to take about ten minutes.
_WORKER_TIME_LIMIT_S = 900.0


def _in_worker(name: str, s: Settings) -> dict[str, Any]:
    """Run figure ``name`` in a fresh process through the launcher and read its JSON."""
    argv = [sys.executable, str(Path(__file__).resolve()), "--worker", name]
    argv += ["--settings", json.dumps(s.to_json())]
    done = run(
        argv,
        rss_cap_mb=s.rss_cap_mb,
        time_limit_s=_WORKER_TIME_LIMIT_S,
        ok_codes=(0,),
        show_stderr=True,
    )
    if done.stopped:
        raise RuntimeError(f"worker stopped at the {done.stopped} bound")
    result: dict[str, Any] = json.loads(done.stdout.decode().strip().splitlines()[-1])
    result[f"{name}_worker_peak_rss_mb"] = done.peak_rss_mb
    return result


def measure(names: Sequence[str], s: Settings) -> dict[str, Any]:
    """Every figure of ``names``, each isolated: one that fails is reported, not fatal."""
    fig: dict[str, Any] = {"quick": s.quick, "machine": host.describe(), "sizes": s.to_json()}
    fig["figures_run"] = list(names)
    errors: dict[str, str] = {}
    timing: dict[str, Any] = {}
    for name in names:
        module = registry.load(name)
        say(f"== {name}: {module.TITLE}")
        load, start = host.load(), time.perf_counter()
        try:
            fig.update(_in_worker(name, s) if module.IN_WORKER else module.measure(s))
        except Exception as exc:  # one broken figure must not hide the others
            errors[name] = f"{type(exc).__name__}: {exc}"[:1000]
            say(f"{name} FAILED: {errors[name]}")
        timing[name] = {"seconds": round(time.perf_counter() - start, 1), "load_before": load}
    fig["errors"] = errors
    fig["figure_runs"] = timing
    fig["targets"] = verdicts(names, fig)
    return fig


def verdicts(names: Sequence[str], fig: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each target of the figures that ran: its limit, value, status and pass."""
    out: dict[str, dict[str, Any]] = {}
    for name in names:
        module = registry.load(name)
        overrides = module.statuses(fig) if hasattr(module, "statuses") else {}
        for target in module.TARGETS:
            status = "error" if name in fig.get("errors", {}) else overrides.get(target.key)
            out[target.key] = target.verdict(fig, status)
    return out


def _busy(fig: dict[str, Any]) -> str:
    """A warning when some figure started with more runnable work than cores."""
    cores = fig["machine"].get("cores") or 1
    worst = max((r["load_before"][0] for r in fig["figure_runs"].values()), default=0.0)
    if worst <= cores:
        return ""
    return (
        f"load average reached {worst} on {cores} cores: wall-time figures are inflated, "
        "compare them with their CPU-time references"
    )


def table(fig: dict[str, Any]) -> Iterator[str]:
    """The readable report: the machine, then one section per figure."""
    quick = " (--quick: small sizes, indicative only)" if fig["quick"] else ""
    yield f"callstate benchmarks{quick}"
    yield host.one_line(fig["machine"])
    busy = _busy(fig)
    if busy:
        yield f"WARNING: {busy}"
    yield ""
    for name in fig["figures_run"]:
        module = registry.load(name)
        run_info = fig["figure_runs"].get(name, {})
        title = f"{module.TITLE}  [load {run_info.get('load_before')}, {run_info.get('seconds')} s]"
        if name in fig["errors"]:
            yield title
            yield f"  ERROR: {fig['errors'][name]}"
            yield ""
            continue
        yield from section(title, module.rows(fig), fig, fig["targets"])


def markdown_table(fig: dict[str, Any]) -> Iterator[str]:
    """The README's Performance section body: the machine, then the headline table."""
    m = fig["machine"]
    quick = " **--quick run: small sizes, not for the README**" if fig["quick"] else ""
    yield (
        f"Measured by `python bench/run.py` on {m['cpu']} ({m['cores']} cores, "
        f"{m['memory_gb']} GB), {m['python']}, commit {m['commit']}, load {m['loadavg']}.{quick}"
    )
    busy = _busy(fig)
    if busy:
        yield ""
        yield f"Note: {busy}."
    yield ""
    blocks = [
        (registry.load(name).TITLE, registry.load(name).rows(fig))
        for name in fig["figures_run"]
        if name not in fig["errors"]
    ]
    yield from markdown(blocks, fig, fig["targets"])
    sizes = fig["sizes"]
    yield ""
    yield (
        f"Sizes: validate on the `simulate mix --calls {sizes['validate_calls']:,} --seed "
        f"{sizes['seed']}` trace; live calls {sizes['live_calls']:,}; snapshot at "
        f"{sizes['snapshot_calls']:,} live calls; {sizes['malformed_lines']:,} malformed lines."
    )


def _saved(path: Path) -> dict[str, Any]:
    """The JSON object of a saved run: the last line of ``path`` that is one."""
    for line in reversed(path.read_text().splitlines()):
        if line.startswith("{"):
            data: dict[str, Any] = json.loads(line)
            return data
    raise SystemExit(f"bench: no JSON run in {path}")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: proves the harness runs")
    parser.add_argument(
        "--figure",
        action="append",
        choices=registry.NAMES,
        metavar="NAME",
        help=f"run only this figure (repeatable): {', '.join(registry.NAMES)}",
    )
    parser.add_argument("--json-only", action="store_true", help="print only the JSON line")
    parser.add_argument(
        "--markdown", action="store_true", help="print the README Performance table"
    )
    parser.add_argument(
        "--from",
        dest="saved",
        type=Path,
        metavar="FILE",
        help="render a saved run, measure nothing",
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--settings", help=argparse.SUPPRESS)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Measure, print the table (or Markdown), then the JSON line."""
    args = _parser().parse_args(argv)
    if args.worker:
        s = Settings.from_json(json.loads(args.settings))
        print(json.dumps(registry.load(args.worker).measure(s)))
        return 0
    if args.saved:
        fig = _saved(args.saved)
        print("\n".join(markdown_table(fig) if args.markdown else table(fig)))
        return 0
    s = QUICK if args.quick else Settings()
    names = args.figure or list(registry.NAMES)
    fig = measure(names, s)
    line = json.dumps(fig, separators=(",", ":"))
    OUT.mkdir(parents=True, exist_ok=True)
    tag = "quick" if s.quick else "full"
    if args.figure:
        tag += "-" + "-".join(args.figure)
    (OUT / f"run-{tag}.json").write_text(line + "\n")
    if args.markdown:
        print("\n".join(markdown_table(fig)))
    elif not args.json_only:
        print("\n".join(table(fig)))
    print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
