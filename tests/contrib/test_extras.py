"""Lean install: the core needs no extra, and each optional part names the extra it needs."""

from __future__ import annotations

import ast
import importlib.metadata
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from callstate._extras import MissingExtraError, require

REPO = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
EXTRAS: dict[str, list[str]] = PYPROJECT["project"]["optional-dependencies"]


def _requirements() -> list[tuple[str, str, str]]:
    """``(module, dependency, extra)`` of every module-level ``require(...)`` in callstate."""
    found = []
    for path in sorted((REPO / "callstate").rglob("*.py")):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            call = node.value if isinstance(node, ast.Expr) else None
            if (
                isinstance(call, ast.Call)
                and isinstance(call.func, ast.Name)
                and call.func.id == "require"
            ):
                module, extra = (ast.literal_eval(a) for a in call.args)
                (part,) = [ast.literal_eval(k.value) for k in call.keywords if k.arg == "part"]
                found.append((part, module, extra))
    return found


REQUIREMENTS = _requirements()


def _name(requirement: str) -> str:
    """The normalised distribution name of a requirement string."""
    return re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


class TestRequire:
    def test_present_module_is_returned(self) -> None:
        """An installed module comes back imported."""
        import json

        assert json is require("json", "testing", part="callstate.example")

    def test_missing_module_names_the_pip_install(self) -> None:
        """A missing module is one error naming the part, the module and the extra to install."""
        with pytest.raises(MissingExtraError) as raised:
            require("no_such_dependency.sub", "testing", part="callstate.strategies")
        expected = (
            "callstate.strategies needs no_such_dependency, which is not installed: "
            "pip install 'callstate[testing]'",
            "testing",
            "no_such_dependency.sub",
        )
        assert expected == (str(raised.value), raised.value.extra, raised.value.name)

    def test_is_an_import_error(self) -> None:
        """``except ImportError`` (and ``pytest.importorskip``) catches it."""
        assert issubclass(MissingExtraError, ImportError)

    def test_broken_installed_module_keeps_its_own_error(self, tmp_path: Path) -> None:
        """A module that is installed but imports something missing is not called an extra."""
        (tmp_path / "half_installed.py").write_text("import no_such_module_anywhere\n")
        code = (
            "from callstate._extras import require\n"
            "try:\n"
            "    require('half_installed', 'testing', part='x')\n"
            "except ModuleNotFoundError as exc:\n"
            "    print(type(exc).__name__, exc.name)\n"
        )
        done = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONPATH": str(tmp_path)},
        )
        assert "ModuleNotFoundError no_such_module_anywhere" == done.stdout.strip()


class TestEveryPart:
    def test_parts_are_found(self) -> None:
        """The source scan sees the strategies (and, as they come, the contrib adapters)."""
        parts = {part for part, _module, _extra in REQUIREMENTS}
        assert {"callstate.strategies"} <= parts

    @pytest.mark.parametrize(
        "code",
        [
            "from callstate.testing import BotConformance",
            "from callstate.testing import register_profiles; register_profiles()",
        ],
    )
    def test_kit_without_hypothesis_names_testing(self, code: str) -> None:
        """The kit's Hypothesis parts, loaded without Hypothesis, name ``callstate[testing]``."""
        done = subprocess.run(
            [sys.executable, "-c", f"import sys; sys.modules['hypothesis'] = None; {code}"],
            capture_output=True,
            text=True,
        )
        last = done.stderr.strip().splitlines()[-1]
        assert (1, "pip install 'callstate[testing]'") == (done.returncode, last[-32:])

    @pytest.mark.parametrize(("part", "module", "extra"), REQUIREMENTS)
    def test_extra_brings_the_module(self, part: str, module: str, extra: str) -> None:
        """The extra a part names is in ``all`` and lists a distribution of its module."""
        (everything,) = EXTRAS["all"]
        in_all = everything.removeprefix("callstate[").removesuffix("]").split(",")
        providers = {
            _name(d) for d in importlib.metadata.packages_distributions()[module.split(".")[0]]
        }
        listed = {_name(r) for r in EXTRAS[extra]}
        assert (True, True) == (extra in in_all, bool(providers & listed))

    @pytest.mark.parametrize(("part", "module", "extra"), REQUIREMENTS)
    def test_importing_without_the_module_names_the_extra(
        self, part: str, module: str, extra: str
    ) -> None:
        """``import PART`` with its module hidden ends in one line naming the pip install."""
        top = module.partition(".")[0]
        code = f"import sys; sys.modules[{top!r}] = None; import {part}"
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        last = done.stderr.strip().splitlines()[-1]
        expected = (
            1,
            f"callstate._extras.MissingExtraError: {part} needs {top}, which is not installed: "
            f"pip install 'callstate[{extra}]'",
        )
        assert expected == (done.returncode, last)


def _run(argv: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, timeout=300, **kwargs)  # type: ignore[call-overload, no-any-return]


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with ``pip install REPO`` and pytest, nothing else."""
    where = tmp_path_factory.mktemp("fresh") / "venv"
    _run([sys.executable, "-m", "venv", str(where)]).check_returncode()
    pip = [str(where / "bin" / "python"), "-m", "pip", "install", "-q"]
    done = _run([*pip, str(REPO), "pytest"])
    assert 0 == done.returncode, done.stderr[-2000:]
    return where


@pytest.mark.slow
class TestFreshVenv:
    """``pip install .`` in a new venv: no Hypothesis, no httpx, and the validator works."""

    def test_installs_only_the_core(self, venv: Path) -> None:
        """Neither hypothesis nor httpx (nor their dependencies) is installed."""
        done = _run([str(venv / "bin" / "python"), "-m", "pip", "list", "--format=freeze"])
        names = {line.split("==")[0].lower() for line in done.stdout.splitlines()}
        unwanted = {"hypothesis", "httpx", "sortedcontainers", "anyio", "httpcore", "h11"}
        assert ({"attrs", "callstate", "orjson", "transitions"}, set()) == (
            names & {"attrs", "callstate", "orjson", "transitions"},
            names & unwanted,
        )

    def test_validate_works(self, venv: Path) -> None:
        """``callstate validate`` on a shipped trace passes."""
        done = _run(
            [str(venv / "bin" / "callstate"), "validate", "examples/blind-user-success.jsonl"],
            cwd=REPO,
        )
        assert (0, "OK:") == (done.returncode, done.stdout.splitlines()[-1][:3])

    def test_strategies_say_which_extra(self, venv: Path) -> None:
        """``import callstate.strategies`` is one clear error naming ``callstate[testing]``."""
        done = _run([str(venv / "bin" / "python"), "-c", "import callstate.strategies"])
        expected = (
            1,
            "callstate._extras.MissingExtraError: callstate.strategies needs hypothesis, "
            "which is not installed: pip install 'callstate[testing]'",
        )
        assert expected == (done.returncode, done.stderr.strip().splitlines()[-1])

    def test_plugin_is_inert_without_hypothesis(self, venv: Path, tmp_path: Path) -> None:
        """pytest loads the plugin; its tracker fixture works and no Hypothesis is imported."""
        (tmp_path / "test_bot.py").write_text(
            "import sys\n"
            "def test_tracker(callstate_tracker):\n"
            "    assert () == callstate_tracker.ingest(b'{\"value\": []}')\n"
            "    assert 'hypothesis' not in sys.modules\n"
        )
        done = _run(
            [str(venv / "bin" / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider"],
            cwd=tmp_path,
        )
        assert (0, "1 passed") == (done.returncode, done.stdout.strip().splitlines()[-1][:8])
