"""The spec's JSON bodies as test parameters, from the golden data in ``tests/data/spec``.

Parametrising needs the bodies before fixtures exist, so this loads them itself, with the same
loader as the ``spec_examples`` fixture.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import load_spec_examples


def spec_blocks() -> list[tuple[str, str, Any]]:
    """Every JSON body of the spec: (test id, ``notification`` or ``request``, data)."""
    blocks: list[tuple[str, str, Any]] = []
    for example in load_spec_examples():
        named = [("request", "Request", example.request_body)] + [
            ("notification", f"Notification - {title}", body)
            for title, body in example.notifications.items()
        ]
        for kind, heading, data in named:
            blocks.append((f"{len(blocks):02d} {example.title} / {heading}", kind, data))
    return blocks


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrise ``spec_notification`` and ``spec_request`` over the spec's bodies."""
    for name, kind in (("spec_notification", "notification"), ("spec_request", "request")):
        if name in metafunc.fixturenames:
            blocks = [(i, d) for i, k, d in spec_blocks() if k == kind]
            metafunc.parametrize(name, [d for _, d in blocks], ids=[i for i, _ in blocks])
