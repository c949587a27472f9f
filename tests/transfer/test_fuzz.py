"""Fuzzed transfer requests: check-request and validate_transfer_request never crash."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from callstate.errors import CallstateError
from callstate.transfer import validate_transfer_request

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(["transferTarget", "identity", "user", "id", "replacesCallId", "x"])
            | st.text(max_size=8),
            inner,
            max_size=4,
        )
    ),
    max_leaves=20,
)
PATHS = st.sampled_from(
    [
        "/communications/calls/c/transfer",
        "https://graph.microsoft.com:99999/v1.0/communications/calls/c/transfer",
        "https://[::1/x",
        "",
    ]
) | st.text(max_size=40)


@settings(max_examples=150, deadline=None)
@given(body=JSON, path=PATHS)
def test_any_json_body_and_path_give_a_verdict(body: object, path: str) -> None:
    """Any JSON body and any path: a verdict whose problems name catalogued rules."""
    from callstate.rules import catalogue

    verdict = validate_transfer_request(body, path=path)
    rules = {p.rule for p in (*verdict.problems, *verdict.warnings)}
    assert set() == rules - set(catalogue().by_id)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=200) | JSON.map(orjson.dumps))
def test_check_request_never_prints_a_traceback(
    data: bytes, tmp_path: Path, run_command: Any
) -> None:
    """``callstate check-request FILE`` on any bytes: exit 0 or 1, one stream, no traceback."""
    path = tmp_path / "request.json"
    path.write_bytes(data)
    code, out, err = run_command(["check-request", str(path)])
    assert (True, False) == (code in (0, 1), "Traceback" in out + err)


def test_a_python_object_is_a_usage_error() -> None:
    """An object that is no JSON value is the caller's mistake, said as such."""
    with pytest.raises(CallstateError, match="body"):
        validate_transfer_request(object())
