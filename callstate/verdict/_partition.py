"""One trace on several cores: each worker process tracks the calls whose id hashes to it.

Every worker reads the whole file through the tracker's own loop, which skips the other
workers' lines as it skips a blank one, so the parent never decodes a line. A line of a form
the worker has read (:mod:`~callstate.verdict._forms`, most lines) names one call, the one
its id is read as: that call's id, hashed with CRC-32, tells the worker. Any other line's
call is told from its bytes: the one ``/calls/{id}`` it names (any letter case), hashed
alike. When the bytes cannot tell for sure (a JSON escape, several ids, a create request
whose call is named by its response), the line is decoded and read by the tracker's own
readers, so a call's lines always meet in one worker, in order. A line naming no call
touches no call's state: worker 0 takes it. Should one line name calls of two workers, no
split is exact: the input is validated in one process instead.

The findings are merged by line, each line's findings coming from one worker, and the
end-of-input findings come in call id order, as in one process: the output is the same.
Limits (``max_calls`` and the ended-call table) hold per worker.
"""

from __future__ import annotations

import heapq
import re
import zlib
from collections.abc import Callable, Mapping
from typing import IO, TYPE_CHECKING, Any, Final, NamedTuple, cast

import orjson

from callstate.errors import ParseError
from callstate.machine.compiled import compiled
from callstate.machine.definition import MachineDefinition
from callstate.verdict._body import open_line, skip_long_line
from callstate.verdict._input import trace_stream
from callstate.verdict._notice import MAX_BODY_BYTES, Reader
from callstate.verdict._request import read_request
from callstate.verdict._stream import read_lines
from callstate.verdict.finding import Finding
from callstate.verdict.tracker import Tracker

if TYPE_CHECKING:  # multiprocessing is imported only where workers start: it costs startup
    from multiprocessing.connection import Connection

__all__ = ["Parts", "can_partition", "validate_parts"]

#: Each ``/calls`` segment and what follows it, up to the end of the id.
_CALLS: Final = re.compile(rb'/calls(?:/([^/"?#\\\n]*))?', re.IGNORECASE)
_LIMIT: Final = MAX_BODY_BYTES + 1
#: What a line belongs to: a worker, or ``_SPANS`` (calls of two workers).
_SPANS: Final = -1


class Parts(NamedTuple):
    """What one worker found: its findings (line order), the end-of-input ones, its counts,
    and the first line naming calls of two workers (``None``: there was none)."""

    findings: list[Finding]
    ends: list[Finding]
    lines: int
    notifications: int
    calls: int
    spans_at: int | None


def can_partition() -> bool:
    """Whether worker processes can start from this one as it is (the ``fork`` method)."""
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


#: A line whose bytes alone cannot tell its worker.
_UNKNOWN: Final = -2


def _by_bytes(line: bytes, jobs: int) -> int:
    """The worker of ``line`` told from its bytes: its one call id's, 0 when it names no
    call; ``_UNKNOWN`` with a JSON escape, several ids, or a ``/calls`` with no id."""
    if line.find(b"\\") >= 0:  # not ``in``, which raises and clears a TypeError first
        return _UNKNOWN
    found = _CALLS.findall(line)
    if not found:
        return 0
    first = found[0]
    if first and (len(found) == 1 or found.count(first) == len(found)):
        return zlib.crc32(first) % jobs
    return _UNKNOWN


class _Owner:
    """The worker of a line the bytes cannot tell: read as the tracker reads it."""

    def __init__(self, definition: MachineDefinition, jobs: int) -> None:
        self.jobs = jobs
        self._machine = compiled(definition)
        self._reader = Reader(self._machine)

    def of_call(self, call_id: str) -> int:
        """The worker of ``call_id``'s lines."""
        return zlib.crc32(call_id.encode("utf-8", "surrogatepass")) % self.jobs

    def decoded(self, line: bytes) -> int:
        """The worker of the calls the tracker's readers find in ``line``."""
        owners = {self.of_call(cid) for cid in self._ids(line)}
        if len(owners) > 1:
            return _SPANS
        return owners.pop() if owners else 0

    def _ids(self, line: bytes) -> set[str]:
        """Every call id the tracker would read in ``line``, dispatched as it dispatches."""
        try:
            decoded = orjson.loads(line)
        except orjson.JSONDecodeError:
            return set()
        opened = open_line(decoded, 0, [])
        if opened is None:
            return set()
        body = opened[0]
        value = body.get("value")
        if value is not None:
            notes = value if type(value) is list else []
        elif "request" in body:
            asked = read_request(body, 0, [], self._machine)
            return set() if asked is None else {asked.call_id}
        else:
            notes = [body]
        ids = set()
        for n in notes:
            try:
                ids.add(self._reader.read(n)[0])
            except ParseError:
                continue
        return ids


#: What a forked worker needs, set by the parent just before it forks.
_JOB: dict[str, Any] = {}


class _Spans(Exception):
    """A line names calls of two workers: no split is exact."""

    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


class _Foreign:
    """Worker ``index``'s test of a line, in the tracker's own loop: another worker's, to
    skip? A line over the bound names no call: worker 0 reports it, the others read past it."""

    def __init__(self, index: int, owner: _Owner) -> None:
        self.index = index
        self.owner = owner

    def __call__(self, line: bytes, number: int, readline: Callable[[int], bytes]) -> bool:
        if len(line) == _LIMIT and not line.endswith(b"\n"):
            if self.index == 0:
                return False
            skip_long_line(readline, line, number)
            return True
        mine = _by_bytes(line, self.owner.jobs)
        if mine == _UNKNOWN:
            mine = self.owner.decoded(line)
        if mine == _SPANS:
            raise _Spans(number)
        return mine != self.index

    def of_call(self, call_id: str) -> bool:
        """A line of a known form (:func:`~callstate.verdict._stream.read_lines` knows): its
        one call is ``call_id``, the call its bytes or its decoding would name."""
        return self.owner.of_call(call_id) != self.index


def _work(index: int) -> Parts:
    """Worker ``index``: the whole trace through one tracker, the other workers' lines skipped."""
    path, options, jobs = _JOB["path"], _JOB["options"], _JOB["jobs"]
    tracker = Tracker(**options)
    foreign = _Foreign(index, _Owner(tracker.definition, jobs))
    found: list[Finding] = []
    with open(path, "rb") as raw, tracker._lock:
        try:
            # A gzipped trace is validated in one process: this stream is the file's own.
            stream = cast("IO[bytes]", trace_stream(raw))
            count = read_lines(tracker, stream, found, 0, foreign)
        except _Spans as spans:
            return Parts([], [], 0, 0, 0, spans.line)
    ends = list(tracker.finish(line=count or None))
    return Parts(found, ends, count, tracker.notifications, tracker.calls_started, None)


def _run(index: int, send: Connection) -> None:
    """A worker process: its parts, or why it failed, sent back to the parent."""
    try:
        send.send(_work(index))
    except BaseException as exc:  # the parent raises it; a worker has no one else to tell
        send.send(RuntimeError(f"validate worker {index}: {type(exc).__name__}: {exc}"))
    finally:
        send.close()


def validate_parts(
    path: str, jobs: int, options: Mapping[str, Any]
) -> tuple[list[Finding], int, int, int] | int:
    """The findings (merged, end-of-input ones last) and counts of ``path`` over ``jobs``
    forked workers, each with a :class:`Tracker` of ``options``; or the first line that
    names calls of two workers, when no split is exact."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    _JOB.update(path=path, options=dict(options), jobs=jobs)
    workers: list[tuple[Any, Connection]] = []
    try:
        for index in range(jobs):
            receive, send = context.Pipe(duplex=False)
            process = context.Process(target=_run, args=(index, send), daemon=True)
            process.start()
            send.close()
            workers.append((process, receive))
        parts = [_received(index, *worker) for index, worker in enumerate(workers)]
    finally:
        _JOB.clear()
        for process, receive in workers:
            receive.close()
            if process.is_alive():
                process.terminate()
            process.join()
    spans = [p.spans_at for p in parts if p.spans_at is not None]
    if spans:
        return min(spans)
    merged = list(heapq.merge(*(p.findings for p in parts), key=_line))
    merged += sorted((f for p in parts for f in p.ends), key=_call_id)
    notifications = sum(p.notifications for p in parts)
    return merged, parts[0].lines, notifications, sum(p.calls for p in parts)


def _received(index: int, process: Any, receive: Connection) -> Parts:
    try:
        got = receive.recv()
    except EOFError:
        process.join()
        raise RuntimeError(
            f"validate worker {index} ended with exit code {process.exitcode}"
        ) from None
    if isinstance(got, BaseException):
        raise got
    return got  # type: ignore[no-any-return]


def _line(finding: Finding) -> int:
    return finding.line or 0


def _call_id(finding: Finding) -> str:
    return finding.call_id or ""
