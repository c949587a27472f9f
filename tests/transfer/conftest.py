"""Fixtures for transfer-request tests: the spec's request examples, from the golden data."""

from __future__ import annotations

import attrs
import pytest

from tests.conftest import load_spec_examples


@attrs.frozen
class SpecRequest:
    """One ``POST .../transfer`` request of the spec: its example number, URL and body text."""

    example: int
    url: str
    body: str


@pytest.fixture(scope="session")
def spec_requests() -> list[SpecRequest]:
    """The spec's four transfer request examples, bodies exactly as the page writes them."""
    requests = [SpecRequest(e.number, e.request_path, e.request_text) for e in load_spec_examples()]
    expected = [1, 2, 3, 4]
    assert expected == [r.example for r in requests]
    return requests
