"""The top-level package: its public names, and what ships with it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import callstate

REPO = Path(__file__).resolve().parents[2]


class TestPublicNames:
    """``callstate.__all__`` names the public API, and each name is what it says."""

    def test_all_is_sorted_and_unique(self) -> None:
        """``__all__`` lists each name once, constants first, as ruff sorts it."""
        names = set(callstate.__all__)
        expected = sorted(names, key=lambda n: (not n.isupper(), n[0].islower(), n))
        assert expected == list(callstate.__all__)

    def test_no_function_shares_a_module_name(self) -> None:
        """``from callstate import explore`` is the function even after its CLI is imported."""
        import callstate.cli._explore

        assert callable(callstate.explore)
        assert not isinstance(callstate.explore, type(callstate))

    @pytest.mark.parametrize("name", callstate.__all__)
    def test_every_name_resolves_and_is_documented(self, name: str) -> None:
        """Each public name loads and carries a docstring."""
        value = getattr(callstate, name)
        assert value is not None
        if callable(value):
            assert (value.__doc__ or "").strip()

    def test_unknown_name_is_an_attribute_error(self) -> None:
        """A missing name raises AttributeError naming it."""
        with pytest.raises(AttributeError, match="no_such_thing"):
            _ = callstate.no_such_thing  # type: ignore[attr-defined]

    def test_validate_does_not_import_hypothesis(self) -> None:
        """The validator's import path stays lean: no Hypothesis, httpx or diagrams."""
        code = (
            "import sys, callstate.verdict, callstate.cli._validate;"
            "print(sorted(m for m in ('hypothesis', 'httpx', 'callstate.diagrams') "
            "if m in sys.modules))"
        )
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout
        assert "[]" == out.strip()

    def test_validate_one_process_imports_no_workers_or_gzip(self) -> None:
        """``callstate validate`` of a plain file in one process loads neither multiprocessing
        nor gzip: they cost about a tenth of its startup, and only --jobs and .gz use them."""
        trace = REPO / "examples" / "blind-user-success.jsonl"
        code = (
            "import sys; from callstate.cli import main; code = main(['validate', '-q', "
            f"{str(trace)!r}]);"
            "print(code, sorted(m for m in ('multiprocessing', 'gzip') if m in sys.modules))"
        )
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout
        assert "0 []" == out.strip().splitlines()[-1]


class TestShipped:
    """Files a user relies on are in the package."""

    def test_py_typed(self) -> None:
        """The package is marked as typed."""
        assert (REPO / "callstate" / "py.typed").is_file()


class TestVersion:
    """The version is one number, shown by the CLI."""

    def test_cli_version(self, capsys: pytest.CaptureFixture[str]) -> None:
        """``callstate --version`` prints the package version and exits 0."""
        from callstate.cli import main

        with pytest.raises(SystemExit) as exited:
            main(["--version"])
        assert 0 == exited.value.code
        assert f"callstate {callstate.__version__}\n" == capsys.readouterr().out

    def test_matches_pyproject(self) -> None:
        """``callstate.__version__`` is the version in pyproject.toml."""
        import tomllib

        project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
        assert project["version"] == callstate.__version__

    def test_metadata_for_pypi(self) -> None:
        """Project-URLs are absolute https links, and the tested Pythons are classifiers."""
        import tomllib

        project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
        pythons = [c for c in project["classifiers"] if c.startswith("Programming Language :: Py")]
        urls = list(project["urls"].values())
        expected = (True, ["3", "3.11", "3.12", "3.13"])
        assert expected == (
            bool(urls) and all(u.startswith("https://") for u in urls),
            [c.rsplit(" :: ", 1)[1] for c in pythons],
        )
