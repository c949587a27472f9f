"""Fixtures for transfer-request tests: the spec's request examples, read from the spec itself."""

from __future__ import annotations

import json
import re
from pathlib import Path

import attrs
import pytest

from tests.conftest import spec_file

_HTTP_BLOCK = re.compile(r"^```http\n(.*?)^```", re.MULTILINE | re.DOTALL)
_EXAMPLE = re.compile(r"^### Example (\d+)", re.MULTILINE)


@attrs.frozen
class SpecRequest:
    """One ``POST .../transfer`` request block of the spec: its example number, URL and body."""

    example: int
    url: str
    body: str


def spec_path() -> Path:
    """The spec file, found as every test finds it."""
    return spec_file()


def _block_type(text: str, start: int) -> str:
    """The ``blockType`` of the docs annotation comment nearest before ``start``."""
    opening = text.rindex("<!--", 0, start)
    annotation = json.loads(text[opening + 4 : text.index("-->", opening)])
    block_type: str = annotation["blockType"]
    return block_type


def read_spec_requests(text: str) -> list[SpecRequest]:
    """Every http block with a body (a request; notifications have none), in order."""
    found = []
    for match in _HTTP_BLOCK.finditer(text):
        head, _, body = match[1].partition("\n\n")
        if not body.strip():
            continue
        assert _block_type(text, match.start()) == "request", head
        method, url = head.splitlines()[0].split()
        assert method == "POST", head
        examples = _EXAMPLE.findall(text, 0, match.start())
        found.append(SpecRequest(int(examples[-1]), url, body))
    return found


@pytest.fixture(scope="session")
def spec_requests() -> list[SpecRequest]:
    """The spec's four transfer request examples."""
    requests = read_spec_requests(spec_path().read_text(encoding="utf-8"))
    expected = [1, 2, 3, 4]
    assert expected == [r.example for r in requests]
    return requests
