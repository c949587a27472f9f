"""Builders of small traces for the story tests: notifications, envelopes, timed lines."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest

Json = dict[str, Any]
#: The call id the builders use unless told otherwise.
CALL = "7f0c9e6a-1d2b-4c3d-9e8f-0a1b2c3d4e5f"


def note(
    state: str | None,
    *,
    change: str = "updated",
    call: str = CALL,
    sub: str = "",
    code: int | None = None,
    subcode: int | None = None,
    reason: str | None = None,
) -> Json:
    """A commsNotification of ``call`` naming ``state`` and, if given, a result."""
    data: Json = {"@odata.type": "#microsoft.graph.call"}
    if state is not None:
        data["state"] = state
    if code is not None or subcode is not None:
        data["resultInfo"] = {"code": code, "subcode": subcode}
    if reason is not None:
        data["terminationReason"] = reason
    return {
        "changeType": change,
        "resourceUrl": f"/communications/calls/{call}{sub}",
        "resourceData": data,
    }


def envelope(*notes: Json) -> Json:
    """A commsNotifications webhook body."""
    return {"value": list(notes)}


def opening(call: str = CALL) -> list[Json]:
    """The bodies that bring ``call`` to established."""
    return [
        envelope(note("incoming", change="created", call=call)),
        envelope(note("establishing", call=call)),
        envelope(note("established", call=call)),
    ]


@pytest.fixture
def write_trace(tmp_path: Path) -> Callable[[list[Json]], Path]:
    """Write bodies as JSON Lines to a fresh file; returns its path."""
    count = 0

    def write(bodies: list[Json]) -> Path:
        nonlocal count
        count += 1
        path = tmp_path / f"trace-{count}.jsonl"
        path.write_bytes(b"".join(orjson.dumps(b) + b"\n" for b in bodies))
        return path

    return write
