"""The README's property-test and plugin snippets run as written."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

REPO = Path(__file__).resolve().parents[2]
README = (REPO / "README.md").read_text(encoding="utf-8")
SNIPPETS = re.findall(r"```python\n(.*?)```", README, flags=re.S)


def _snippet(marker: str) -> str:
    (found,) = [s for s in SNIPPETS if marker in s]
    return found


class TestSnippets:
    """Each snippet, executed."""

    def test_strategy_properties(self) -> None:
        """The strategy example's two properties pass."""
        namespace: dict[str, object] = {}
        exec(_snippet("mutated_streams"), namespace)
        for name in ("test_valid_traffic_is_accepted", "test_broken_traffic_is_located"):
            # A few examples show the snippet runs; the kit's own properties draw the many.
            settings(max_examples=10)(namespace[name])()  # type: ignore[operator]

    def test_plugin_example(self, pytester: pytest.Pytester) -> None:
        """The plugin example passes in a fresh pytest run, with no conftest."""
        pytester.makepyfile(test_readme=_snippet("def test_blind_transfer"))
        pytester.runpytest().assert_outcomes(passed=1)

    def test_tracker_example(self) -> None:
        """The Tracker example runs as written: a simulated call validated, saved, restored."""
        namespace: dict[str, object] = {}
        exec(_snippet("def on_webhook"), namespace)
        assert "c1" in {*namespace["tracker"].ended_calls()}  # type: ignore[attr-defined]

    def test_call_example(self) -> None:
        """The Call example fires and refuses as shown."""
        from callstate import Call, IllegalTransition

        call = Call(id="341a", state="established")
        call.fire("transfer")
        assert ("accept_transfer", "fail_transfer", "hang_up", "terminate", "transfer") == (
            call.allowed_events()
        )
        with pytest.raises(IllegalTransition, match="allowed events: accept_transfer"):
            call.fire("complete_transfer", kind="blind")


class TestConsoleExamples:
    """The README's console transcripts are what the commands print."""

    def test_validate_transcript(self, run_command: Any, monkeypatch: pytest.MonkeyPatch) -> None:
        """``callstate validate examples/violations.jsonl`` prints what the README shows."""
        (block,) = re.findall(
            r"```console\n\$ callstate validate (\S+)\n(.*?)```", README, flags=re.S
        )
        trace, shown = block
        monkeypatch.chdir(REPO)  # findings name the file as given: examples/...
        monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
        code, out, _err = run_command(["validate", trace])
        assert (1, shown) == (code, out)
