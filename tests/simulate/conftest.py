"""Fixtures for the simulate tests: an independent replay of lines through the machine."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from callstate.machine import CALL_MACHINE, ENGINE, compiled

REPO = Path(__file__).resolve().parents[2]


@dataclass
class ReplayedCall:
    """A call as the classifier and the transitions engine see its lines."""

    id: str
    state: str | None = None
    events: list[tuple[str, str | None]] = field(default_factory=list)
    previous: Any = None


def _code(value: Any) -> int | None:
    return None if value is None else int(value)


def replay_lines(lines: Iterable[dict[str, Any]]) -> dict[str, ReplayedCall]:
    """Every call's final state and events; requests, sub-resources and duplicates skipped."""
    calls: dict[str, ReplayedCall] = {}
    for line in lines:
        if "request" in line:
            continue
        for item in line["value"]:
            parts = item["resourceUrl"].split("/")
            if len(parts) != 4:
                continue
            call = calls.setdefault(parts[3], ReplayedCall(parts[3]))
            if item == call.previous:
                continue
            call.previous = item
            data = item["resourceData"]
            info = data.get("resultInfo") or {}
            signal = compiled(CALL_MACHINE).classify(
                data.get("state"),
                deleted=item["changeType"] == "deleted",
                code=_code(info.get("code")),
                subcode=_code(info.get("subcode", info.get("subCode"))),
                termination_reason=data.get("terminationReason"),
            )
            if signal is None:
                continue
            call.events.append(signal)
            if call.state is None:
                call.state = CALL_MACHINE.event(signal[0]).reports
            else:
                ENGINE.fire(call, signal[0], kind=signal[1])  # type: ignore[arg-type]
    return calls


@pytest.fixture
def replay() -> Callable[[Iterable[dict[str, Any]]], dict[str, ReplayedCall]]:
    """Replay lines through the classifier and the engine, independently of ``expect``."""
    return replay_lines


@pytest.fixture(scope="session")
def generator() -> ModuleType:
    """``examples/generate.py``, loaded as a module."""
    spec = importlib.util.spec_from_file_location(
        "examples_generate", REPO / "examples/generate.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
