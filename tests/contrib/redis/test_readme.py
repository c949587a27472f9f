"""The README's "Scale out" example runs as written, against the real redis-server."""

from __future__ import annotations

import re
from pathlib import Path

import orjson
import pytest

from callstate.contrib.redis import RedisStore
from callstate.simulate import event_notification
from callstate.verdict import Tracker

README = (Path(__file__).resolve().parents[3] / "README.md").read_text(encoding="utf-8")


def _example() -> str:
    (found,) = [
        block
        for block in re.findall(r"```python\n(.*?)```", README, flags=re.S)
        if "RedisStore.from_url" in block
    ]
    return found


def test_scale_out_example(redis_url: str, prefix: str, capsys: pytest.CaptureFixture[str]) -> None:
    """An instance running the example sees a call another instance ended."""
    other = Tracker(store=RedisStore.from_url(redis_url, prefix=prefix))
    for event in ("offer", "connect", "terminate"):
        other.ingest(orjson.dumps(event_notification("c", event)))
    code = _example().replace("redis://localhost:6379/0", redis_url)
    code = code.replace('prefix="callstate:"', f"prefix={prefix!r}")
    assert (True, True) == (redis_url in code, repr(prefix) in code)  # never the real Redis
    exec(code, {"body": orjson.dumps(event_notification("c", "connect"))})
    assert "c terminated-is-absorbing" == " ".join(capsys.readouterr().out.split()[:2])
