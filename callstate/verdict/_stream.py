"""The loop ``callstate validate`` runs: one bounded line at a time, into the tracker's one path.

A line is decoded at most once; a blank one is skipped, one over the size bound is skipped
to its end without being held whole, and an envelope of one notification (the
common case) goes straight to the notification's rules. A line of a form already
read (:mod:`~callstate.verdict._forms`) is not decoded at all: its notice is known,
and when its call is packed (or new) and its answer remembered
(:mod:`~callstate.verdict._moves`), the loop settles it with no call at all. That is
the hot path, written out inline: without its calls (the forms' look-up, the
tracker's ``_apply``), the 30,000-call mix runs 18% fewer bytecodes a line. The
one-path property holds it to ``Tracker.ingest``'s verdict, and to what an observer
is told.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import IO, TYPE_CHECKING, Any, Final, Protocol

import orjson

from callstate.errors import ParseError
from callstate.graph.wire import MAX_DEPTH, describe
from callstate.verdict._asks import take_request
from callstate.verdict._body import (
    DEEP_BYTES,
    json_error,
    malformed,
    open_line,
    skip_long_line,
    too_deep,
    unread,
)
from callstate.verdict._forms import AROUND, CALLS, FORM_BYTES
from callstate.verdict._notice import MAX_BODY_BYTES
from callstate.verdict._packed import Rostered
from callstate.verdict._request import read_request
from callstate.verdict._shared import ask_shared
from callstate.verdict.finding import Finding, StepRecord

if TYPE_CHECKING:
    from callstate.verdict.tracker import Tracker

__all__ = ["Foreign", "read_body", "read_lines"]

#: What a JSON object that is none of the bodies a trace holds is told.
_NOT_A_BODY: Final = (
    "expected a commsNotifications envelope (value), a commsNotification or a request record"
)


class Foreign(Protocol):
    """A ``validate --jobs`` worker's test of a line: another worker's, to skip?"""

    def __call__(self, line: bytes, number: int, readline: Callable[[int], bytes], /) -> bool:
        """Whether the line (numbered, with the stream's ``readline``) is another worker's."""

    def of_call(self, call_id: str, /) -> bool:
        """Whether a line naming only ``call_id`` is another worker's."""


def read_lines(
    tracker: Tracker,
    stream: IO[bytes],
    out: list[Finding],
    start: int,
    foreign: Foreign | None = None,
) -> int:
    """:meth:`Tracker.read_stream <callstate.Tracker.read_stream>`, its lock held.

    The usual line is cut and looked up here, and when its form, its call's packed record
    and a remembered answer (:mod:`~callstate.verdict._moves`) settle it, that is all it
    costs: the tracker's ``_apply`` would look up the same answer by the same key.
    A worker of ``validate --jobs`` passes ``foreign``: the lines it says are another
    worker's are skipped as a blank line is (:mod:`~callstate.verdict._partition`).
    """
    readline = stream.readline
    loads = orjson.loads
    apply = tracker._apply
    forms = tracker._forms
    known = forms.known
    complete = forms.complete
    live = tracker._live
    answers = tracker._moves.known
    with_fingerprint = tracker._moves.with_fingerprint
    below = tracker._packing.below_fp
    ended = tracker._ended
    # A store decides each call's step itself: its calls are not in ``live``.
    local = tracker.store is None
    limit = MAX_BODY_BYTES + 1
    count = mark = start
    blank = formed = 0
    steps: list[StepRecord] | None = None if tracker.on_step is None else []
    try:
        while True:
            if steps:  # the last line's steps, told outside the lock: it may read the tracker
                tracker.bodies += count - mark - blank
                tracker.notifications += formed
                mark, blank, formed = count, 0, 0
                tracker._tell_unlocked(steps)
                live = tracker._live  # a snapshot it took swapped the table and back
            line = readline(limit)
            if not line:
                break
            count += 1
            if len(line) > FORM_BYTES:
                call_id = looked = None
            else:
                before, _, rest = line.partition(CALLS)
                ident, quote, after = rest.partition(b'"')  # no CALLS: no quote either
                if not quote:
                    if line == b"\n":  # a blank line: skipped without the cost of a JSON error
                        blank += 1
                        continue
                    call_id = looked = None
                else:
                    key = before + AROUND + after  # the line without its id
                    form: Any = known.get(key, key)
                    call_id = form[3].get(ident) if type(form) is tuple else None
                    source = None
                    if call_id is None:
                        looked = complete(key, form, ident, before, after)
                        if type(looked) is tuple:
                            form, call_id, source = looked
            # A line of a known form names one call, its id's: whose it is needs no scan of
            # its bytes (complete only reads the forms, and learns ids).
            if foreign is not None and (
                foreign.of_call(call_id) if call_id is not None else foreign(line, count, readline)
            ):
                blank += 1
                continue
            if call_id is not None:  # a line of a known form
                if form[12] is not None and local:
                    stored: Any = live.pop(call_id, None)
                    low = stored[0] if type(stored) is Rostered else stored
                    if type(low) is int or (stored is None and call_id not in ended):
                        answer = answers.get((None if low is None else low & below, form[12]))
                        if answer is not None:
                            settled = (
                                answer[0]
                                if not answer[2]
                                else with_fingerprint(answer, source or (form[10], ident))
                            )
                            if settled is not None:
                                if type(settled) is int and stored is not None:
                                    live[call_id] = (
                                        settled if low is stored else Rostered(settled, stored[1])
                                    )
                                else:
                                    tracker._settle(call_id, stored, settled, count, out)
                                formed += 1
                                if steps is not None and answer[1] is not None:
                                    steps.append(tracker._told(count, call_id, stored, answer[1]))
                                continue
                    if stored is not None:
                        live[call_id] = stored  # back as it was: the one path decides
                looked = (form, call_id, source or (form[10], ident))
            if type(looked) is tuple:  # a line of a form already read: nothing to decode
                apply(None, count, out, steps, 0, None, looked)
                continue
            if len(line) == limit and not line.endswith(b"\n"):
                out.append(skip_long_line(readline, line, count))
                continue
            try:
                body = loads(line)
            except orjson.JSONDecodeError:
                if line.isspace():
                    blank += 1
                else:
                    out.append(malformed(count, None, f"not valid JSON: {json_error(line)}"))
                continue
            if (
                len(line) >= DEEP_BYTES
                and line.count(b"[") + line.count(b"{") > MAX_DEPTH
                and too_deep(body, count, out)
            ):
                continue
            read_body(tracker, body, line, looked, count, out, steps, None)  # type: ignore[arg-type]
    finally:
        # Every line but a blank one is a body: counted here (and before an observer is told),
        # not line by line.
        tracker.bodies += count - mark - blank
        tracker.notifications += formed
    return count


def read_body(
    tracker: Tracker,
    body: Any,
    raw: bytes | None,
    key: bytes | None,
    where: int,
    out: list[Finding],
    steps: list[StepRecord] | None,
    at: float | None,
) -> None:
    """A body decoded from ``raw`` (``None``: given decoded), into the tracker's one path:
    each notification to its rules, a request record to the requests'. An untimed
    envelope of one notification (the common case) is read first, and ``raw``'s form
    is offered (``key``: see :meth:`Forms.look <callstate.verdict._forms.Forms.look>`)."""
    if type(body) is not dict or "at" in body:  # else it is its own content, untimed
        opened = open_line(body, where, out)
        if opened is None:
            return
        body, stamped = opened
        at = at if stamped is None else stamped
        key = None  # a key is made from a line's bytes: a timed line's are not its body's
    value = body.get("value")
    if type(value) is list and len(value) == 1:
        # The tracker's _notification, written out: one frame fewer for the usual body.
        try:
            notice = tracker._reader.read(value[0])
        except ParseError as exc:
            unread(exc, where, 0, out)
            return
        tracker._apply(notice, where, out, steps, 0, at)
        if key is not None:
            tracker._forms.offer(key, raw, body, notice)  # type: ignore[arg-type]
    elif value is not None:
        if type(value) is not list:
            out.append(malformed(where, None, f"/value: expected an array, got {describe(value)}"))
            return
        for i, n in enumerate(value):
            tracker._notification(n, where, out, steps, i, at)
    elif "request" in body:
        asked = read_request(body, where, out, tracker._machine)
        if asked is not None and tracker._store is not None:
            ask_shared(tracker, tracker._store, asked, where, out, at)
        elif asked is not None:
            take_request(tracker, asked, where, out, at)
    elif "changeType" in body or "resourceUrl" in body or "resource" in body:
        tracker._notification(body, where, out, steps, None, at)
    else:
        out.append(malformed(where, None, _NOT_A_BODY))
