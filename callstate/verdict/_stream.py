"""The loop ``callstate validate`` runs: one bounded line at a time, into the tracker's one path.

A line is decoded at most once; a blank one is skipped, one over the size bound is skipped
to its end without being held whole, and an envelope of one notification (the
common case) goes straight to the notification's rules. A line of a form already
read (:mod:`~callstate.verdict._forms`) is not decoded at all: its notice is known.
"""

from __future__ import annotations

from typing import IO, TYPE_CHECKING, Any

import orjson

from callstate.graph.wire import MAX_DEPTH
from callstate.verdict._body import DEEP_BYTES, json_error, malformed, skip_long_line, too_deep
from callstate.verdict._notice import MAX_BODY_BYTES
from callstate.verdict.finding import Finding, StepRecord

if TYPE_CHECKING:
    from callstate.verdict.tracker import Tracker

__all__ = ["read_body", "read_lines"]


def read_lines(tracker: Tracker, stream: IO[bytes], out: list[Finding], start: int) -> int:
    """:meth:`Tracker.read_stream <callstate.Tracker.read_stream>`, its lock held."""
    readline = stream.readline
    loads = orjson.loads
    apply = tracker._apply
    look = tracker._forms.look
    limit = MAX_BODY_BYTES + 1
    count = start
    steps: list[StepRecord] | None = None if tracker.on_step is None else []
    while line := readline(limit):
        count += 1
        if line == b"\n":  # a blank line: skipped without the cost of a JSON error
            continue
        looked = look(line)
        if type(looked) is tuple:  # a line of a form already read: nothing to decode
            tracker.bodies += 1
            apply(looked, count, out, steps, 0, None)
            if steps:
                tracker._tell(steps)
                steps.clear()
            continue
        if len(line) == limit and not line.endswith(b"\n"):
            tracker.bodies += 1
            out.append(skip_long_line(readline, line, count))
            continue
        try:
            body = loads(line)
        except orjson.JSONDecodeError:
            if not line.isspace():
                tracker.bodies += 1
                out.append(malformed(count, None, f"not valid JSON: {json_error(line)}"))
            continue
        tracker.bodies += 1
        if (
            len(line) >= DEEP_BYTES
            and line.count(b"[") + line.count(b"{") > MAX_DEPTH
            and too_deep(body, count, out)
        ):
            continue
        read_body(tracker, body, line, looked, count, out, steps, None)  # type: ignore[arg-type]
        if steps:
            tracker._tell(steps)
            steps.clear()
    return count


def read_body(
    tracker: Tracker,
    body: Any,
    raw: bytes,
    key: bytes | None,
    where: int,
    out: list[Finding],
    steps: list[StepRecord] | None,
    at: float | None,
) -> None:
    """A body decoded from ``raw``. An untimed envelope of one notification (the common
    case) skips the dispatch, and ``raw``'s form is offered (``key``: see
    :meth:`Forms.look <callstate.verdict._forms.Forms.look>`)."""
    value = body.get("value") if type(body) is dict and "at" not in body else None
    if type(value) is list and len(value) == 1:
        notice = tracker._notification(value[0], where, out, steps, 0, at)
        if key is not None and notice is not None:
            tracker._forms.offer(key, raw, body, notice)
    else:
        tracker._body(body, where, out, steps, at)
