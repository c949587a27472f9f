"""A tracker's tables as JSON data, and back: read strictly, since a snapshot may be hostile.

Every field is checked for its type and range before anything is built, and every
failure is a :class:`~callstate.errors.ParseError` naming the field's JSON pointer.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping
from itertools import islice
from typing import TYPE_CHECKING, Any, Final

import attrs
import orjson

from callstate.errors import ParseError
from callstate.graph.wire import ID_WORDS, describe, is_id
from callstate.machine.compiled import compiled
from callstate.machine.definition import MachineDefinition
from callstate.verdict._ledger import ledger_from_json, ledger_to_json
from callstate.verdict._step import Ended

if TYPE_CHECKING:
    from callstate.verdict._packed import Stored
    from callstate.verdict._readback import ReadBack
    from callstate.verdict._step import Record

__all__ = ["FORMAT", "MAX_HISTORY", "MAX_LIMIT", "Loaded", "dump", "load"]

FORMAT: Final = "callstate.tracker/1"
#: The largest limit or counter a snapshot may carry.
MAX_LIMIT: Final = 1 << 63
#: The most steps a call's history keeps: a call's history is one int of that many steps.
MAX_HISTORY: Final = 4096
#: A fingerprint is a CRC-32 below a length of at most 32 bits.
_MAX_FP: Final = (1 << 64) - 1


def _records(tracker: ReadBack, live: dict[str, Stored]) -> Iterator[tuple[str, Record]]:
    """``(call id, record)`` of each live call, unpacked as it is read."""
    unpack = tracker._packing.unpack
    for call_id, stored in live.items():
        yield call_id, unpack(stored)


def _ended_row(call_id: str, end: int | Ended | None) -> list[Any]:
    """``[id, fingerprint]``, and the end's time when it is known."""
    if type(end) is Ended:
        return [call_id, end.fp] if end.at is None else [call_id, end.fp, end.at]
    return [call_id, end]


def dump(
    tracker: ReadBack,
    live: dict[str, Stored],
    ended: dict[str, int | Ended | None],
    counters: tuple[int, int, int],
) -> dict[str, Any]:
    """The snapshot of ``tracker`` with these tables (copied by the caller under its lock)."""
    return {
        "format": FORMAT,
        "definition": tracker.definition.name,
        "options": {
            "strict": tracker.strict,
            "maxCalls": tracker.max_calls,
            "endedLimit": tracker.ended_limit,
            "historyLimit": tracker.history_limit,
        },
        "counters": dict(zip(("bodies", "notifications", "callsStarted"), counters, strict=True)),
        # The packed history can pass 64 bits, past what JSON stores take: hex.
        "live": [
            [cid, s, k if k is None else ledger_to_json(k), fp, format(h, "x")]
            for cid, (s, k, fp, h) in _records(tracker, live)
        ],
        "ended": [_ended_row(cid, fp) for cid, fp in ended.items()],
    }


#: Rows written between two appends to the output: each row is its own short-lived
#: object, freed at once, so the collector never walks a million live calls mid-snapshot.
_CHUNK: Final = 10_000


def dump_json(
    tracker: ReadBack,
    live: dict[str, Stored],
    ended: dict[str, int | Ended | None],
    counters: tuple[int, int, int],
) -> bytes:
    """:func:`dump` as JSON bytes, a row at a time: no row outlives its own encoding, and
    orjson holds the interpreter for one row only, so other threads (an event loop's
    ingests) run all along. The output grows in a :class:`io.BytesIO`, whose value is
    handed over without one more copy of the whole."""
    head = dump(tracker, {}, {}, counters)
    del head["live"], head["ended"]
    dumps = orjson.dumps
    out = io.BytesIO()
    out.write(dumps(head)[:-1] + b',"live":[')
    _write_rows(
        out,
        (
            dumps((cid, s, k if k is None else ledger_to_json(k), fp, format(h, "x")))
            for cid, (s, k, fp, h) in _records(tracker, live)
        ),
    )
    out.write(b'],"ended":[')
    _write_rows(out, (dumps(_ended_row(cid, end)) for cid, end in ended.items()))
    out.write(b"]}")
    return out.getvalue()


def _write_rows(out: io.BytesIO, rows: Iterator[bytes]) -> None:
    """Comma-separated ``rows``, written a chunk at a time."""
    sep = b""
    while chunk := list(islice(rows, _CHUNK)):
        out.write(sep + b",".join(chunk))
        sep = b","


@attrs.frozen
class Loaded:
    """A snapshot, checked."""

    strict: bool
    max_calls: int
    ended_limit: int
    history_limit: int
    counters: tuple[int, int, int]
    live: dict[str, Record]
    ended: dict[str, int | Ended | None]

    def trimmed(
        self, max_calls: int, ended_limit: int
    ) -> tuple[dict[str, Record], dict[str, int | Ended | None]]:
        """The tables, their oldest calls dropped past lower limits than the snapshot's."""
        live, ended = self.live, self.ended
        while len(live) > max_calls:
            del live[next(iter(live))]
        while len(ended) > ended_limit:
            del ended[next(iter(ended))]
        return live, ended


def _field(parent: Mapping[str, Any], key: str, at: str) -> Any:
    if key not in parent:
        raise ParseError(f"missing {key!r}", pointer=at)
    return parent[key]


def _object(value: object, at: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ParseError(f"expected an object, got {describe(value)}", pointer=at)
    return value


def _array(value: object, at: str) -> list[Any]:
    if type(value) is not list:
        raise ParseError(f"expected an array, got {describe(value)}", pointer=at)
    return value


def _count(value: object, at: str, low: int = 0) -> int:
    if type(value) is not int or not low <= value <= MAX_LIMIT:
        raise ParseError(
            f"expected a whole number from {low} to 2**63, got {describe(value)}", pointer=at
        )
    return value


def _id(value: object, at: str) -> str:
    if not is_id(value):
        raise ParseError(f"expected a call id of {ID_WORDS}, got {describe(value)}", pointer=at)
    return value


def _fp(value: object, at: str) -> int | None:
    if value is None:
        return None
    if type(value) is not int or not 0 <= value <= _MAX_FP:
        raise ParseError(
            f"expected a fingerprint (a number) or null, got {describe(value)}", pointer=at
        )
    return value


def load(data: Mapping[str, Any] | bytes | str, definition: MachineDefinition) -> Loaded:
    """The checked content of a snapshot of a tracker running ``definition``."""
    if isinstance(data, bytes | str):
        try:
            data = orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            raise ParseError(f"a snapshot must be JSON: {exc}") from None
    snap = _object(data, "")
    if snap.get("format") != FORMAT:
        raise ParseError(f"not a callstate tracker snapshot (format {FORMAT!r})", pointer="/format")
    if snap.get("definition") != definition.name:
        raise ParseError(
            f"snapshot of machine {describe(snap.get('definition'))}, not {definition.name!r}",
            pointer="/definition",
        )
    opts = _object(_field(snap, "options", ""), "/options")
    strict = _field(opts, "strict", "/options")
    if type(strict) is not bool:
        raise ParseError(
            f"expected true or false, got {describe(strict)}", pointer="/options/strict"
        )
    max_calls = _count(_field(opts, "maxCalls", "/options"), "/options/maxCalls", 1)
    ended_limit = _count(_field(opts, "endedLimit", "/options"), "/options/endedLimit")
    history_limit = _count(_field(opts, "historyLimit", "/options"), "/options/historyLimit")
    if history_limit > MAX_HISTORY:
        raise ParseError(f"expected at most {MAX_HISTORY}", pointer="/options/historyLimit")
    counters_obj = _object(_field(snap, "counters", ""), "/counters")
    counters = tuple(
        _count(_field(counters_obj, key, "/counters"), f"/counters/{key}")
        for key in ("bodies", "notifications", "callsStarted")
    )
    machine = compiled(definition)
    live_rows = _array(_field(snap, "live", ""), "/live")
    if len(live_rows) > max_calls:
        raise ParseError(
            f"{len(live_rows)} live calls, more than maxCalls {max_calls}", pointer="/live"
        )
    width_limit = machine.history.width * (history_limit + 1)
    live: dict[str, Record] = {}
    for i, row in enumerate(live_rows):
        at = f"/live/{i}"
        row = _array(row, at)
        if len(row) != 5:
            raise ParseError(
                f"expected [id, state, kind, fingerprint, history], got {len(row)} items",
                pointer=at,
            )
        cid, state, kind, fp, hist = row
        cid = _id(cid, f"{at}/0")
        if cid in live:
            raise ParseError(f"call {cid!r} is listed twice", pointer=f"{at}/0")
        if state is not None and (type(state) is not str or state not in machine.steps):
            raise ParseError(
                f"expected a state of the machine or null, got {describe(state)}", pointer=f"{at}/1"
            )
        if state in definition.final:
            raise ParseError(
                f"a live call cannot be in the final state {state!r}", pointer=f"{at}/1"
            )
        ledger = ledger_from_json(kind, f"{at}/2", machine)
        history = _history(hist, f"{at}/4", width_limit)
        machine.history.unpack(history, history_limit)  # every code must name a step
        live[cid] = (state, ledger, _fp(fp, f"{at}/3"), history)
    ended_rows = _array(_field(snap, "ended", ""), "/ended")
    if len(ended_rows) > max(ended_limit, 0):
        raise ParseError(
            f"{len(ended_rows)} ended calls, more than endedLimit {ended_limit}", pointer="/ended"
        )
    ended: dict[str, int | Ended | None] = {}
    for i, row in enumerate(ended_rows):
        at = f"/ended/{i}"
        row = _array(row, at)
        if len(row) not in (2, 3):
            raise ParseError(
                f"expected [id, fingerprint] or [id, fingerprint, time], got {len(row)} items",
                pointer=at,
            )
        cid = _id(row[0], f"{at}/0")
        if cid in ended or cid in live:
            raise ParseError(
                f"call {cid!r} is listed twice, or both live and ended", pointer=f"{at}/0"
            )
        fp = _fp(row[1], f"{at}/1")
        if len(row) == 3:
            when = row[2]
            if type(when) not in (int, float) or when != when:
                raise ParseError(
                    f"expected a time in seconds, got {describe(when)}", pointer=f"{at}/2"
                )
            ended[cid] = Ended(fp, float(when))
        else:
            ended[cid] = fp
    return Loaded(strict, max_calls, ended_limit, history_limit, counters, live, ended)  # type: ignore[arg-type]


def _history(value: object, at: str, width: int) -> int:
    if type(value) is not str or not value or len(value) > width // 4 + 1:
        raise ParseError(f"expected a packed history in hex, got {describe(value)}", pointer=at)
    try:
        number = int(value, 16)
    except ValueError:
        raise ParseError(
            f"expected a packed history in hex, got {describe(value)}", pointer=at
        ) from None
    if value[0] in "+-_" or "_" in value or number.bit_length() > width:
        raise ParseError(f"expected a packed history in hex, got {describe(value)}", pointer=at)
    return number
