"""Shared fixtures: the spec page, read at test time (its JSON blocks are golden data)."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from callstate.testing import register_profiles

# callstate's profiles are opt-in, for callstate's own suite as for any project.
register_profiles()
_DEFAULT_PROFILE = "callstate-ci" if os.environ.get("CI") else "callstate-dev"
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", _DEFAULT_PROFILE))

pytest_plugins = ["pytester"]

REPO = Path(__file__).resolve().parent.parent


@dataclass
class SpecExample:
    """One ``### Example`` section: its request and its notifications by title."""

    title: str
    request_path: str
    request_body: dict[str, Any]
    notifications: dict[str, dict[str, Any]] = field(default_factory=dict)


def spec_file() -> Path:
    """``../shared/reference/call-transfer.md`` beside the repo, or ``$CALLSTATE_SPEC``."""
    override = os.environ.get("CALLSTATE_SPEC")
    return Path(override) if override else REPO.parent / "shared/reference/call-transfer.md"


_BLOCK = re.compile(r"```(json|http)\n(.*?)```", re.S)
_HEADING = re.compile(r"^#{3,4} (.+)$", re.M)


def read_spec_examples(path: Path) -> list[SpecExample]:
    """Every example of the spec page, with the notification titles as keys."""
    text = path.read_text(encoding="utf-8")
    examples: list[SpecExample] = []
    for section in re.split(r"^### (?=Example)", text, flags=re.M)[1:]:
        title = section.splitlines()[0].strip()
        example: SpecExample | None = None
        for block in _BLOCK.finditer(section):
            lang, body = block.groups()
            heading = _HEADING.findall(section[: block.start()])
            if lang == "http" and body.startswith("POST https://graph"):
                path_line, _, rest = body.partition("\n")
                json_text = rest[rest.index("{") :]
                example = SpecExample(title, path_line.split()[1], json.loads(json_text))
                examples.append(example)
            elif lang == "json" and example is not None:
                name = heading[-1].removeprefix("Notification - ").strip()
                example.notifications[name] = json.loads(body)
    return examples


@pytest.fixture(scope="session")
def spec_path() -> Path:
    """The spec page; the suite fails loudly when it is missing."""
    path = spec_file()
    assert path.is_file(), f"spec not found at {path} (set CALLSTATE_SPEC)"
    return path


@pytest.fixture(scope="session")
def spec_examples(spec_path: Path) -> list[SpecExample]:
    """The four examples of the spec page."""
    examples = read_spec_examples(spec_path)
    assert len(examples) == 4
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
