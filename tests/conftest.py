"""Shared fixtures: the spec's examples, read from the golden data in ``tests/data/spec``."""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

import pytest
from hypothesis import settings

from callstate.testing import register_profiles
from tests.spec_page import DATA, MANIFEST

# callstate's profiles are opt-in, for callstate's own suite as for any project. The default
# run is the same everywhere (callstate-dev); .ci/run runs the properties again at callstate-ci.
register_profiles()
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "callstate-dev"))

pytest_plugins = ["pytester"]

REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class SpecExample:
    """One ``### Example`` of the spec: its request and its notifications by title.

    ``request_text`` and ``notification_texts`` are the blocks exactly as the page writes them;
    ``request_body`` and ``notifications`` are the same JSON, decoded.
    """

    number: int
    title: str
    request_path: str
    request_text: str
    request_body: dict[str, Any]
    notification_texts: dict[str, str]
    notifications: dict[str, dict[str, Any]]


def _read(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


@functools.cache
def load_spec_examples() -> tuple[SpecExample, ...]:
    """The four examples of the spec page, from the committed data files (see their README)."""
    examples = []
    for entry in json.loads(_read(MANIFEST)):
        texts = {title: _read(name) for title, name in entry["notifications"].items()}
        request_text = _read(entry["request"]["body"])
        examples.append(
            SpecExample(
                number=entry["number"],
                title=entry["title"],
                request_path=entry["request"]["url"],
                request_text=request_text,
                request_body=json.loads(request_text),
                notification_texts=texts,
                notifications={title: json.loads(text) for title, text in texts.items()},
            )
        )
    return tuple(examples)


@pytest.fixture(scope="session")
def spec_examples() -> list[SpecExample]:
    """The four examples of the spec page (golden data, no page needed)."""
    examples = list(load_spec_examples())
    expected = [1, 2, 3, 4]
    assert expected == [e.number for e in examples]
    return examples


#: ``(argv) -> (exit code, stdout, stderr)`` of ``callstate ARGV`` run in-process.
RunCommand = Callable[[list[str]], tuple[int, str, str]]


@pytest.fixture
def run_command(capsys: pytest.CaptureFixture[str]) -> RunCommand:
    """Run the ``callstate`` command line in-process; argparse's exits become exit codes."""
    from callstate.cli import main

    def run(argv: list[str]) -> tuple[int, str, str]:
        try:
            code = main(argv)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        out, err = capsys.readouterr()
        return code, out, err

    return run


#: ``(fn) -> the bytecode instructions run plus the C functions called while fn() ran``
CountWork = Callable[[Callable[[], object]], int]


@pytest.fixture
def count_work() -> CountWork:
    """Count the work a callable does: a measure of cost that a busy machine cannot change.

    Tests use it instead of timing (the suite runs on shared, loaded cores): the same work gives
    the same count on any machine, so "costs no more for longer input" is an exact claim. It
    counts Python bytecode instructions and calls into C, not the time spent inside C. On
    Python 3.12+ the first traced run of a function is under-counted (tracing is switched on
    while it runs): warm the code up, or take a median.
    """

    def count(work: Callable[[], object]) -> int:
        done = 0

        def opcodes(frame: FrameType, event: str, arg: object) -> Any:
            nonlocal done
            if event == "opcode":
                done += 1
            return opcodes

        def calls(frame: FrameType, event: str, arg: object) -> Any:
            frame.f_trace_opcodes = True
            return opcodes

        def c_calls(frame: FrameType, event: str, arg: object) -> None:
            nonlocal done
            if event == "c_call":
                done += 1

        tracer, profiler = sys.gettrace(), sys.getprofile()
        sys.settrace(calls)
        sys.setprofile(c_calls)
        try:
            work()
        finally:
            sys.setprofile(profiler)
            sys.settrace(tracer)
        return done

    return count
