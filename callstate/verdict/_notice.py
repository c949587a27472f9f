"""From a decoded webhook notification to a :class:`Notice`: what it says, never what it means.

Reading takes exact spellings first (one dictionary look-up each) and falls back
to the lenient readers of :mod:`callstate.graph.wire`; either way it yields the
same notice, so the rules downstream exist once. Every failure is a
:class:`~callstate.errors.ParseError` with the pointer relative to the notification.
"""

from __future__ import annotations

import zlib
from typing import Any, Final

import orjson

from callstate.errors import ParseError
from callstate.graph._calls_url import SEEN
from callstate.graph.wire import (
    ID_WORDS,
    OPERATION_STATUSES,
    ResourceRef,
    describe,
    is_id,
    read_change_type,
    read_progress_word,
    read_resource,
    read_result,
)
from callstate.machine.compiled import Compiled, Signal, SignalError

__all__ = [
    "GROUP",
    "LEGACY",
    "MAX_BODY_BYTES",
    "OPAQUE",
    "Notice",
    "Part",
    "Question",
    "Reader",
    "asks",
    "fingerprint",
    "received",
]

#: The fields of a notification the reader never reads, so their values are only in its
#: fingerprint: a new call's ``callChainId``, a failed transfer's ``replacesContext``.
#: A test holds the reader to it; a line of a form leaves such a value out with its id.
OPAQUE: Final = ("callChainId", "replacesContext")
#: Bodies larger than this are reported as malformed, not parsed.
MAX_BODY_BYTES: Final = 1 << 20
#: At most this many classified (state, codes, reason) combinations are remembered,
#: and only reasons this short: the cache stays small whatever arrives.
_SIGNAL_CACHE: Final = 1024
_CACHED_REASON: Final = 64
_MISSING: Final = object()


#: A sub-resource's notification: ``(kind, changeType, participant ids, invites)`` —
#: the roster's ids it names, and whether it is an ``inviteParticipantsOperation``.
Part = tuple[str, str, tuple[str, ...], bool]

#: Traits of a call notification: it carried ``meetingInfo`` or ``chatInfo``.
GROUP: Final = 1
#: It is the 2019 flow's transfer progress, reported on the operation.
LEGACY: Final = 2

#: Two holes of a line read by its form, or the canonical JSON's pieces after them.
Pieces = tuple[bytes, bytes]
#: What stands for the notification of a line read by its form (see :func:`fingerprint`).
Standing = tuple[tuple[int, bytes, int], bytes] | tuple[tuple[int, Pieces, int], Pieces]

#: What one call notification says, read and classified, as a plain tuple (one is
#: built per notification, and a plain tuple costs a fifth of a named one):
#: ``(call id, signal, problem, part, unknown, raw state, deleted, code, subcode,
#: terminationReason, the notification (or what stands for it, see :func:`fingerprint`),
#: traits, question)``: the question is what it asks of ``decide`` (:data:`Question`).
#:
#: ``signal`` is ``None`` when it only carries data (no state, or one the machine
#: does not know: ``unknown``), and for a sub-resource's notification (``part``,
#: else ``None``). ``problem`` is ``(rule, message)`` for a marker out of place,
#: found while classifying; the signal is then the plain one of the state.
#: ``traits`` is a sum of :data:`GROUP` and :data:`LEGACY`.
Notice = tuple[
    str,
    "Signal | None",
    "tuple[str, str] | None",
    "Part | None",
    bool,
    "str | None",
    bool,
    "int | None",
    "int | None",
    "str | None",
    "dict[str, Any] | Standing",
    int,
    "Question | None",
]

#: What a notice asks of ``decide`` when its answer can be remembered
#: (:mod:`~callstate.verdict._moves`): ``(signal, code, subcode)``.
Question = tuple["Signal | None", "int | None", "int | None"]


def asks(
    signal: Signal | None,
    problem: tuple[str, str] | None,
    unknown: bool,
    code: int | None,
    subcode: int | None,
    traits: int,
) -> Question | None:
    """A notice's question: ``None`` for one with a marker out of place, an unknown state
    or a trait, whose answer ``decide`` reads from more than the record and the signal."""
    if problem is None and not unknown and not traits:
        return (signal, code, subcode)
    return None


#: The operation statuses a client expects, for messages (Graph's sentinel aside).
_STATUS_WORDS: Final = ", ".join(
    s for s in OPERATION_STATUSES.values() if s != "unknownFutureValue"
)


def received(notice: Notice) -> str:
    """What arrived, in words, for messages: ``established 500/7000``, ``deleted (no state)``."""
    raw, deleted, code, subcode, reason = notice[5:10]
    if raw is not None:
        text = describe(raw)[11:] if len(raw) > 40 else raw
    else:
        text = "deleted (no state)" if deleted else "(no state)"
    if code is not None or subcode is not None:
        text += f" {code}/{subcode}"
    if reason is not None:
        text += f" {reason if len(reason) <= 40 else reason[:37] + '...'}"
    return text


def fingerprint(notification: object) -> int:
    """CRC-32 and length of the canonical JSON: stable across processes, unlike ``hash``,
    so a snapshot restored by another instance still recognises a retry.

    A line read by its form (:mod:`~callstate.verdict._forms`) stands for its
    notification as ``((CRC-32 before the id, the bytes after, their size), id)``: the
    canonical JSON is those pieces, so its CRC-32 chains over them. With an
    :data:`OPAQUE` value too, it is ``((CRC-32 before the first hole, the bytes after
    each, their size), the holes)``, in canonical order.
    """
    if type(notification) is tuple:
        # An annotation, not typing.cast: cast is a call, and this runs for most lines.
        formed: tuple[tuple[int, Any, int], Any] = notification
        (crc, after, size), holes = formed
        if type(holes) is bytes:
            return zlib.crc32(after, zlib.crc32(holes, crc)) | (size + len(holes)) << 32
        for hole, piece in zip(holes, after, strict=True):
            crc = zlib.crc32(piece, zlib.crc32(hole, crc))
            size += len(hole)
        return crc | size << 32
    try:
        data = orjson.dumps(notification, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError as exc:
        raise ParseError(f"cannot be compared with the previous notification: {exc}") from None
    return zlib.crc32(data) | len(data) << 32


class Reader:
    """Reads notifications for one compiled machine, remembering recent classifications."""

    def __init__(self, machine: Compiled) -> None:
        self.machine = machine
        self._states = machine.state_names
        self._plain = machine.plain
        #: Each state name read as sent (exact, or in lower case) -> its plain signal, and
        #: the question of a notice that carries only that state.
        plain_of = {name: machine.plain.get(s) for name, s in self._states.items()}
        self._plain_of = {
            name: (p, asks(p, None, False, None, None, 0)) for name, p in plain_of.items()
        }
        self._signals: dict[tuple[object, ...], tuple[Signal | None, tuple[str, str] | None]] = {}

    def read(self, n: object) -> Notice:
        """The notice of one notification; exact spellings cost one look-up each."""
        if type(n) is not dict:
            raise ParseError(f"expected a commsNotification object, got {describe(n)}")
        url = n.get("resourceUrl")
        ref = SEEN.get(url) if type(url) is str else None
        if ref is None or "resource" in n:
            ref = read_resource(n)
        change = n.get("changeType")
        if change != "updated" and change != "deleted" and change != "created":
            try:
                change = read_change_type(change, "/changeType")
            except ParseError as exc:
                exc.call_id = ref.call_id
                raise
        data = n.get("resourceData")
        call_id = ref.call_id
        if ref.kind != "call":
            try:
                word = _progress_word(data, self._states) if ref.kind == "operation" else None
                if word is not None:  # the 2019 flow: transfer progress on the operation
                    return (call_id, self._plain.get(word), None, None, False, word,
                            False, None, None, None, n, LEGACY, None)  # fmt: skip
                part = check_part(ref, data, change)
            except ParseError as exc:
                exc.call_id = call_id
                raise
            return (call_id, None, None, part, False, None, False, None, None, None, n, 0, None)
        # The call's own notification; ParseErrors below name the call.
        if type(data) is not dict:
            data = _one_call(data, call_id)
        traits = (
            GROUP
            if ("meetingInfo" in data or "chatInfo" in data)
            and (data.get("meetingInfo") or data.get("chatInfo")) is not None
            else 0
        )
        raw = data.get("state")
        deleted = change == "deleted"
        # A state and nothing else to read (the most common notification): one look-up.
        if type(raw) is str and "resultInfo" not in data and "terminationReason" not in data:
            plain = self._plain_of.get(raw)
            if plain is not None:
                return (call_id, plain[0], None, None, False, raw, deleted, None, None, None, n,
                        traits, asks(plain[0], None, False, None, None, traits) if traits
                        else plain[1])  # fmt: skip
        state = None
        unknown = False
        if raw is not None:
            state = self._states.get(raw) if type(raw) is str else None
            if state is None:
                if type(raw) is not str:
                    raise ParseError(
                        f"expected a string, got {describe(raw)}",
                        pointer="/resourceData/state",
                        call_id=call_id,
                    )
                state = self._states.get(raw.lower())
                unknown = state is None
        info = data.get("resultInfo")
        reason = data.get("terminationReason")
        if info is None and reason is None:
            if state is not None:
                plain = self._plain_of[state]
                return (call_id, plain[0], None, None, False, raw, deleted, None, None, None, n,
                        traits, asks(plain[0], None, False, None, None, traits) if traits
                        else plain[1])  # fmt: skip
            code = subcode = None
        else:
            try:
                code, subcode = read_result(info, "/resourceData/resultInfo")
            except ParseError as exc:
                exc.call_id = call_id
                raise
            if reason is not None and type(reason) is not str:
                raise ParseError(
                    f"expected a string, got {describe(reason)}",
                    pointer="/resourceData/terminationReason",
                    call_id=call_id,
                )
        bare = deleted and raw is None
        signal, problem = self._classify(state, bare, code, subcode, reason)
        return (call_id, signal, problem, None, unknown, raw, deleted, code, subcode, reason, n,
                traits, asks(signal, problem, unknown, code, subcode, traits))  # fmt: skip

    def _classify(
        self,
        state: str | None,
        bare: bool,
        code: int | None,
        subcode: int | None,
        reason: str | None,
    ) -> tuple[Signal | None, tuple[str, str] | None]:
        key = (state, bare, code, subcode, reason)
        found = self._signals.get(key, _MISSING)
        if found is not _MISSING:
            return found  # type: ignore[return-value]
        classify = self.machine.classify
        try:
            result: tuple[Signal | None, tuple[str, str] | None] = (
                classify(
                    state, deleted=bare, code=code, subcode=subcode, termination_reason=reason
                ),
                None,
            )
        except SignalError as exc:
            result = (classify(state, deleted=bare), (exc.rule, exc.message))
        if reason is None or len(reason) <= _CACHED_REASON:
            if len(self._signals) >= _SIGNAL_CACHE:
                self._signals.clear()
            self._signals[key] = result
        return result


def _one_call(data: object, call_id: str) -> dict[str, Any]:
    if data is None:
        return {}
    if type(data) is list:
        if len(data) == 1 and type(data[0]) is dict:
            return data[0]
        raise ParseError(
            "a call's resourceData array must hold one call",
            pointer="/resourceData",
            call_id=call_id,
        )
    raise ParseError(
        f"expected a call object, got {describe(data)}", pointer="/resourceData", call_id=call_id
    )


#: The ``@odata.type`` of the operation that invites participants into a call.
INVITE_TYPE: Final = "#microsoft.graph.inviteParticipantsOperation"


def check_part(ref: ResourceRef, data: object, change: str) -> Part:
    """An operation's or the roster's notification, read; ``ParseError`` if its shape is wrong."""
    if ref.kind == "operation":
        return ("operation", change, (), _check_operation(data))
    items: list[Any]
    if type(data) is list:
        items = data
        at = "/resourceData/{}"
    elif type(data) is dict or data is None:
        items = [] if data is None else [data]
        at = "/resourceData"
    else:
        raise ParseError(
            f"expected a participant object, got {describe(data)}", pointer="/resourceData"
        )
    ids: list[str] = [] if ref.sub_id is None else [ref.sub_id]
    for i, participant in enumerate(items):
        # The pointer is built only for an error: most rosters are read without one.
        if type(participant) is not dict:
            raise ParseError(
                f"expected a participant object, got {describe(participant)}",
                pointer=at.format(i),
            )
        pid = participant.get("id")
        if pid is not None:
            if not is_id(pid):
                raise ParseError(
                    f"expected a participant id of {ID_WORDS}, got {describe(pid)}",
                    pointer=f"{at.format(i)}/id",
                )
            ids.append(pid)
    return ("participants", change, tuple(dict.fromkeys(ids)), False)


def _progress_word(data: object, states: dict[str, str]) -> str | None:
    """The state a 2019 transfer operation reports in words (``subCode: "transferring"``)."""
    if type(data) is not dict:
        return None
    found = read_progress_word(data.get("resultInfo"))
    if found is None:
        return None
    word = found[1]
    return states.get(word) or states.get(word.lower())


def _check_operation(data: object) -> bool:
    """Check an operation's shape; whether it invites participants into the call."""
    if data is None:
        return False
    invites = False
    many = type(data) is list
    items: list[Any] = data if type(data) is list else [data]
    for i, op in enumerate(items):
        at = f"/resourceData/{i}" if many else _OPERATION
        if type(op) is not dict:
            raise ParseError(f"expected a commsOperation object, got {describe(op)}", pointer=at)
        status = op.get("status")
        if status is not None and (
            type(status) is not str or status.lower() not in OPERATION_STATUSES
        ):
            raise ParseError(
                f"expected one of {_STATUS_WORDS}, got {describe(status)}",
                pointer=f"{at}/status",
            )
        invites = invites or op.get("@odata.type") == INVITE_TYPE
        info = op.get("resultInfo")
        if info is not None:
            read_result(info, f"{at}/resultInfo" if many else _OPERATION_RESULT)
    return invites


_OPERATION: Final = "/resourceData"
_OPERATION_RESULT: Final = f"{_OPERATION}/resultInfo"
