"""Arbitrary lines through ``read_stories``: only callstate's verdict, never a crash."""

from __future__ import annotations

import tempfile
from pathlib import Path

import orjson
from hypothesis import HealthCheck, given, settings, strategies as st

from callstate.story import read_stories
from callstate.verdict import validate_path
from tests.show.conftest import CALL, envelope, note

_STATES = st.sampled_from(
    ["incoming", "establishing", "established", "transferring", "terminated", "ESTABLISHED", "x"]
)
_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False)
    | st.text(max_size=8)
)
_JSON = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=12,
)
_NOTE = st.builds(
    lambda state, change, code, call: envelope(
        note(state, change=change, code=code, subcode=code, call=call)
    ),
    _STATES,
    st.sampled_from(["created", "updated", "deleted", "Updated"]),
    st.none() | st.integers(min_value=-1, max_value=600),
    st.sampled_from([CALL, "other", "a\nb"]),
)
_LINE = (
    _NOTE.map(orjson.dumps)
    | _JSON.map(lambda v: orjson.dumps(v, option=orjson.OPT_NON_STR_KEYS))
    | st.binary(max_size=40)
    | st.builds(lambda at, body: orjson.dumps({"at": at, "body": body}), _JSON, _NOTE)
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_LINE, max_size=12))
def test_every_line_told_or_counted(lines: list[bytes]) -> None:
    """Any lines: no crash, every finding validate makes on an untimed line is told, once."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "t.jsonl"
        path.write_bytes(b"".join(line.replace(b"\n", b" ") + b"\n" for line in lines))
        stories = read_stories(path)
        report = validate_path(path)
    timed = {
        n
        for n, line in enumerate(lines, 1)
        if line.startswith(b"{") and b'"at"' in line and b'"body"' in line
    }
    expected = sorted(
        (f.line or 0, f.call_id or "", f.rule)
        for f in [*report.violations, *report.warnings]
        if f.line not in timed
    )
    told = [f for s in stories.calls for f in s.findings] + list(stories.stray)
    assert expected == sorted(
        (f.line or 0, f.call_id or "", f.rule) for f in told if f.line not in timed
    )
