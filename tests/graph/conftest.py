"""The spec's JSON bodies as test parameters, read from the spec file at collection time.

Parametrising needs the blocks before fixtures exist, so this reads the file
itself, found as ``tests/conftest.py`` finds it (``spec_file``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import orjson
import pytest

from tests.conftest import spec_file

_FENCE = re.compile(r"^```(json|http)\n(.*?)^```", re.MULTILINE | re.DOTALL)
_HEADING = re.compile(r"^#{2,4} (.+)$", re.MULTILINE)


def spec_blocks(path: Path) -> list[tuple[str, str, Any]]:
    """Every JSON body in the spec: (test id, ``notification`` or ``request``, data)."""
    text = path.read_text(encoding="utf-8")
    blocks: list[tuple[str, str, Any]] = []
    for match in _FENCE.finditer(text):
        lang, body = match.groups()
        if lang == "http":
            start = body.find("\n{")
            if start < 0:
                continue
            body = body[start:]
        headings = _HEADING.findall(text, 0, match.start())
        example = [h for h in headings if h.startswith("Example")][-1:]
        title = " / ".join([*example, headings[-1]])
        kind = "notification" if lang == "json" else "request"
        blocks.append((f"{len(blocks):02d} {title}", kind, orjson.loads(body)))
    return blocks


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrise ``spec_notification`` and ``spec_request`` over the spec's bodies."""
    for name, kind in (("spec_notification", "notification"), ("spec_request", "request")):
        if name in metafunc.fixturenames:
            blocks = [(i, d) for i, k, d in spec_blocks(spec_file()) if k == kind]
            metafunc.parametrize(name, [d for _, d in blocks], ids=[i for i, _ in blocks])
