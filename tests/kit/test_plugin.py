"""The pytest plugin: cheap to load, prefixed fixtures, and Hypothesis profiles only on request."""

from __future__ import annotations

import subprocess
import sys

import pytest

from callstate.testing import PROFILES, register_profiles

_NO_PROFILES = (
    "import pytest\n"
    "from hypothesis import settings\n"
    "from hypothesis.errors import InvalidArgument\n"
    "@pytest.mark.parametrize('name', ['dev', 'thorough', 'callstate-dev', 'callstate-ci'])\n"
    "def test_not_registered(name):\n"
    "    with pytest.raises(InvalidArgument):\n"
    "        settings.get_profile(name)\n"
)


class TestImport:
    def test_imports_cheaply(self) -> None:
        """Importing the plugin loads neither Hypothesis nor the transitions engine."""
        code = (
            "import sys, callstate.testing._plugin\n"
            "print(sorted(m for m in ('hypothesis', 'transitions', 'httpx') "
            "if m in sys.modules))"
        )
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        assert "[]" == done.stdout.strip()

    def test_fixtures_work_without_hypothesis(self, pytester: pytest.Pytester) -> None:
        """With Hypothesis unimportable the plugin still loads, and its fixtures work."""
        pytester.makepyfile(
            test_bot=(
                "def test_tracker(callstate_tracker, callstate_notification_stream):\n"
                "    for body in callstate_notification_stream('blind-user', call_id='c1'):\n"
                "        assert () == callstate_tracker.ingest(body)\n"
                "    assert 'terminated' == callstate_tracker.state('c1')\n"
            )
        )
        code = (
            "import sys\n"
            "class Hide:\n"
            "    def find_spec(self, name, path=None, target=None):\n"
            "        if name.partition('.')[0] in ('hypothesis', '_hypothesis_pytestplugin'):\n"
            "            raise ModuleNotFoundError(f'no {name}', name=name)\n"
            "sys.meta_path.insert(0, Hide())\n"
            "import pytest\n"
            "sys.exit(pytest.main(['-q', '-p', 'no:cacheprovider', '-p', 'no:hypothesispytest']))\n"
        )
        done = subprocess.run(
            [sys.executable, "-c", code],
            cwd=pytester.path,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert (0, "1 passed") == (done.returncode, done.stdout.strip().splitlines()[-1][:8])


class TestProfiles:
    def test_names_are_prefixed(self) -> None:
        """Every profile callstate has is named ``callstate-*``."""
        expected = ["callstate-ci", "callstate-dev", "callstate-thorough"]
        assert expected == sorted(PROFILES)

    def test_register_profiles(self) -> None:
        """``register_profiles()`` registers each with the settings the kit documents."""
        from hypothesis import settings

        register_profiles()
        got = {name: settings.get_profile(name).max_examples for name in PROFILES}
        assert {name: options["max_examples"] for name, options in PROFILES.items()} == got

    def test_unrelated_project_dev_is_not_registered(self, pytester: pytest.Pytester) -> None:
        """``--hypothesis-profile=dev`` fails with Hypothesis's own error, callstate installed."""
        pytester.makepyfile(test_one="def test_one():\n    pass\n")
        result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--hypothesis-profile=dev")
        errors = [
            line.removeprefix("INTERNALERROR> ")
            for line in result.errlines + result.outlines
            if "InvalidArgument:" in line
        ]
        expected = (True, ["hypothesis.errors.InvalidArgument: Profile 'dev' is not registered"])
        assert expected == (result.ret != 0, errors[-1:])

    def test_plain_run_registers_nothing(self, pytester: pytest.Pytester) -> None:
        """A run that asks for no profile finds neither old nor new callstate names."""
        pytester.makepyfile(test_none=_NO_PROFILES)
        result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
        result.assert_outcomes(passed=4)

    def test_project_ci_is_hypothesis_own(self, pytester: pytest.Pytester) -> None:
        """``--hypothesis-profile=ci`` is Hypothesis's built-in ``ci``, untouched."""
        pytester.makepyfile(
            test_ci=(
                "from hypothesis import settings\n"
                "def test_ci():\n"
                "    assert 'ci' == settings.get_current_profile_name()\n"
                "    assert settings.default.derandomize\n"
            )
        )
        result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--hypothesis-profile=ci")
        result.assert_outcomes(passed=1)

    def test_callstate_profile_loads_from_the_command_line(self, pytester: pytest.Pytester) -> None:
        """``--hypothesis-profile=callstate-thorough`` works with no conftest."""
        pytester.makepyfile(
            test_one=(
                "from hypothesis import settings\n"
                "def test_profile():\n"
                "    assert settings.default.max_examples == 2000\n"
            )
        )
        result = pytester.runpytest_subprocess(
            "-p", "no:cacheprovider", "--hypothesis-profile=callstate-thorough"
        )
        result.assert_outcomes(passed=1)
