"""What ``callstate validate`` imports: only what validating needs, so it starts fast."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

#: Run the CLI in one process, then print the modules it loaded.
_PROBE = (
    "import sys\n"
    "from callstate.cli import main\n"
    "code = main(['validate', sys.argv[1]])\n"
    "print(code, *sorted(sys.modules))\n"
)


def _loaded(trace: Path) -> tuple[str, set[str]]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, str(trace)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert "" == done.stderr
    code, *modules = done.stdout.splitlines()[-1].split()
    return code, set(modules)


class TestValidateImports:
    def test_no_models_codec_or_kit(self) -> None:
        """Validating a trace loads neither the Graph models nor the codec, test kit or engine."""
        code, modules = _loaded(REPO / "examples" / "blind-user-success.jsonl")
        unwanted = {
            "callstate.graph.resources",
            "callstate.graph._schema",
            "callstate.graph.codec",
            "callstate.strategies",
            "callstate.testing",
            "callstate.machine.engine",
            "transitions",
            "hypothesis",
            "difflib",
        }
        assert ("0", set()) == (code, unwanted & modules)
