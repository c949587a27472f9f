"""Call records in Redis: a ``CallStore`` shared by trackers in many processes.

Bots behind a load balancer that cannot route a call's notifications to one
instance share its record here: each instance builds
``Tracker(store=RedisStore.from_url("redis://…"))``, and every update of a call is
one Lua compare-and-set, so two instances that read the same version cannot both
write (the second reads again and decides again).

Key layout, under ``prefix`` (default ``callstate:``):

* ``<prefix>call:<id>``: a hash per live call, ``v`` (its version) and ``r`` (its
  record as JSON: ``[state, kind, fingerprint hex, history hex]``).
* ``<prefix>live``: a sorted set of live call ids, scored by recency; the score is
  the counter ``<prefix>clock`` (not wall time, so clocks of instances never matter).
  A new call past ``max_calls`` evicts the lowest score, the longest idle.
* ``<prefix>ended:<id>``: a recently ended call, ``"<clock> <fingerprint hex>"``,
  set with ``EX ended_ttl``; Redis forgets it after that many seconds.
* ``<prefix>clock``: the counter; a version is the counter's value at the write, so
  a call that is evicted or ends and is then seen again never repeats a version.

Each operation touches keys of one prefix only, so the store assumes one Redis
node (or a primary with replicas). On Redis Cluster, hash-tag the prefix
(``prefix="{callstate}:"``): every key then lands in one slot, on one shard, which
keeps the scripts atomic but spreads no load. Configure ``maxmemory-policy`` as
``noeviction`` or a ``volatile-*`` policy: an ``allkeys-*`` policy would drop records
(and the clock) without the tracker knowing.

When Redis fails (refused connection, timeout, a script error), every method raises
:class:`RedisStoreError`, a :class:`~callstate.errors.CallstateError` naming the
operation and the call, with redis-py's exception as its ``__cause__``;
``Tracker.ingest`` lets it through, never a raw redis exception. A notification
whose save failed that way may or may not have been written: answer the webhook
with an error so that Graph delivers it again. redis-py's own retry policy (the
client's ``retry``) applies first.

Needs the ``redis`` extra: ``pip install 'callstate[redis]'``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Final, Self, cast

import orjson

from callstate.errors import CallstateError, ParseError, UsageError
from callstate.graph.wire import describe_argument
from callstate.verdict._ledger import ledger_from_json, ledger_to_json
from callstate.verdict._step import Ended, Record
from callstate.verdict.store import Saved, Stored

try:
    import redis
except ModuleNotFoundError as _missing:  # pragma: no cover - exercised without the extra
    if _missing.name != "redis":
        raise
    raise ImportError(
        "callstate.contrib.redis needs redis, which is not installed: "
        "pip install 'callstate[redis]'",
        name="redis",
    ) from None

if TYPE_CHECKING:
    from redis.commands.core import Script

__all__ = ["RedisStore", "RedisStoreError"]

#: Read a call: its version and record, else its end.
_LOAD: Final = """
local found = redis.call('HMGET', KEYS[1], 'v', 'r')
if found[1] then return {found[1], found[2]} end
local ended = redis.call('GET', KEYS[2])
if ended then return {'0', false, ended} end
return {'0'}
"""

#: Compare-and-set. KEYS: the call, live, clock, ended. ARGV: id, expected version,
#: 'r' (a record) or 'e' (the end), payload, max_calls, ended_ttl, call key prefix.
#: A call that ended recently takes no write at version 0: a tracker never decides
#: one (an ended call's notices change nothing), so such a save comes from a read
#: older than the end and fails like any other stale version.
_SAVE: Final = """
local current = redis.call('HGET', KEYS[1], 'v')
if (current or '0') ~= ARGV[2] then return {0} end
if not current and redis.call('EXISTS', KEYS[4]) == 1 then return {0} end
local now = redis.call('INCR', KEYS[3])
if ARGV[3] == 'e' then
  if current then
    redis.call('DEL', KEYS[1])
    redis.call('ZREM', KEYS[2], ARGV[1])
  end
  if tonumber(ARGV[6]) > 0 then
    redis.call('SET', KEYS[4], now .. ' ' .. ARGV[4], 'EX', ARGV[6])
  end
  return {1}
end
local result = {1}
if not current and redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[5]) then
  local oldest = redis.call('ZPOPMIN', KEYS[2])
  local key = ARGV[7] .. oldest[1]
  local record = redis.call('HGET', key, 'r')
  redis.call('DEL', key)
  result = {1, oldest[1], record or ''}
end
redis.call('HSET', KEYS[1], 'v', now, 'r', ARGV[4])
redis.call('ZADD', KEYS[2], now, ARGV[1])
return result
"""

#: Bump a live call's recency; a call that is not live stays unknown.
_TOUCH: Final = """
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  redis.call('ZADD', KEYS[1], redis.call('INCR', KEYS[2]), ARGV[1])
end
return 0
"""

#: What a failing client raises: redis-py's errors, and a reply a decoding client
#: cannot decode (a call id that is not UTF-8).
_FAILURES: Final = (redis.RedisError, UnicodeError)

#: Keys read per round trip when listing ended calls.
_BATCH: Final = 1000


class RedisStoreError(CallstateError):
    """Redis failed during one store operation (``operation``, for ``call_id``)."""

    def __init__(self, operation: str, call_id: str | None, problem: str) -> None:
        self.operation = operation
        self.call_id = call_id
        where = "" if call_id is None else f" of call {call_id}"
        super().__init__(f"redis store: {operation}{where} failed: {problem}")


class RedisStore:
    """A :class:`~callstate.verdict.store.CallStore` in Redis, shared by trackers anywhere.

    ``client`` is a synchronous ``redis.Redis`` (or ``redis.cluster.RedisCluster``);
    the store uses it as it is configured (pool, timeouts, retry). ``max_calls``
    bounds live calls (a new one evicts the longest idle); ``ended_ttl`` is how many
    seconds an ended call's id is kept to recognise late notifications (0: not kept).
    One difference from :class:`~callstate.verdict.store.MemoryStore`: nothing is
    written at version 0 over a recently ended call (a tracker never decides that, so
    such a save comes from a read older than the end), and versions are never reused.
    """

    def __init__(
        self,
        client: redis.Redis,
        *,
        prefix: str = "callstate:",
        max_calls: int = 1_000_000,
        ended_ttl: int = 3600,
    ) -> None:
        if not isinstance(client, redis.Redis | redis.RedisCluster):
            raise UsageError(
                "client",
                f"must be a synchronous redis.Redis or RedisCluster, got {type(client).__name__}",
            )
        if type(prefix) is not str:
            raise UsageError("prefix", f"must be a string, got {type(prefix).__name__}")
        for name, value, low in (("max_calls", max_calls, 1), ("ended_ttl", ended_ttl, 0)):
            if type(value) is not int or value < low:
                raise UsageError(
                    name, f"must be a whole number >= {low}, got {describe_argument(value)}"
                )
        #: The redis-py client the store talks through (close it when done).
        self.client = client
        self.prefix = prefix
        self.max_calls = max_calls
        self.ended_ttl = ended_ttl
        base = _key(prefix)
        self._call = base + b"call:"
        self._ended = base + b"ended:"
        self._live = base + b"live"
        self._clock = base + b"clock"
        self._load: Script = client.register_script(_LOAD)
        self._save: Script = client.register_script(_SAVE)
        self._touch: Script = client.register_script(_TOUCH)

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        prefix: str = "callstate:",
        max_calls: int = 1_000_000,
        ended_ttl: int = 3600,
    ) -> Self:
        """A store on a new client for ``url`` (``redis://``, ``rediss://`` or ``unix://``).

        No connection is made until the first operation.
        """
        if type(url) is not str:
            raise UsageError("url", f"must be a string, got {type(url).__name__}")
        try:
            client = redis.Redis.from_url(url)
        except ValueError as exc:
            raise UsageError("url", str(exc)) from None
        return cls(client, prefix=prefix, max_calls=max_calls, ended_ttl=ended_ttl)

    # -- the protocol ---------------------------------------------------------------

    def load(self, call_id: str) -> Stored:
        """See :meth:`CallStore.load <callstate.verdict.store.CallStore.load>`."""
        key = _key(call_id)
        reply = self._run("load", call_id, self._load, [self._call + key, self._ended + key], [])
        if len(reply) == 3:
            return Stored(None, _ended(reply[2], call_id), 0)
        if len(reply) == 1:
            return Stored(None, None, 0)
        return Stored(_decode(reply[1], "load", call_id), None, int(reply[0]))

    def save(self, call_id: str, version: int, decision: Record | Ended) -> Saved:
        """See :meth:`CallStore.save <callstate.verdict.store.CallStore.save>`."""
        if type(decision) is Ended:
            at = decision.at
            mode, payload = (
                b"e",
                _hex(decision.fp) + (b"" if at is None else b"@" + repr(at).encode()),
            )
        else:
            mode, payload = b"r", _encode(decision)  # type: ignore[arg-type]
        key = _key(call_id)
        keys = [self._call + key, self._live, self._clock, self._ended + key]
        args = [key, version, mode, payload, self.max_calls, self.ended_ttl, self._call]
        reply = self._run("save", call_id, self._save, keys, args)
        if not int(reply[0]):
            return Saved(False)
        if len(reply) == 1:
            return Saved(True)
        evicted = _text(reply[1])
        record = _decode(reply[2], "save", evicted) if reply[2] else None
        return Saved(True, (evicted, None if record is None else record[0]))

    def touch(self, call_id: str) -> None:
        """See :meth:`CallStore.touch <callstate.verdict.store.CallStore.touch>`."""
        try:
            self._touch(keys=[self._live, self._clock], args=[_key(call_id)])
        except _FAILURES as exc:
            raise _failed("touch", call_id, exc) from exc

    def live_calls(self) -> Iterator[str]:
        """Ids of live calls, longest idle first (read at once: a copy)."""
        try:
            ids = self.client.zrange(self._live, 0, -1)
        except _FAILURES as exc:
            raise _failed("live_calls", None, exc) from exc
        return iter([_text(i) for i in ids])

    def ended_calls(self) -> Iterator[str]:
        """Ids of recently ended calls, oldest end first.

        Found with ``SCAN``, which walks the whole database: for inspection, not
        for every notification.
        """
        pattern = _glob_escape(self._ended) + b"*"
        found: list[tuple[int, str]] = []
        skip = len(self._ended)
        try:
            batch: list[Any] = []
            for key in self.client.scan_iter(match=pattern, count=_BATCH):
                batch.append(key)
                if len(batch) >= _BATCH:
                    found.extend(self._stamped(batch, skip))
                    batch = []
            found.extend(self._stamped(batch, skip))
        except _FAILURES as exc:
            raise _failed("ended_calls", None, exc) from exc
        return iter([call_id for _, call_id in sorted(found)])

    def __len__(self) -> int:
        try:
            return int(self.client.zcard(self._live))
        except _FAILURES as exc:
            raise _failed("len", None, exc) from exc

    def __repr__(self) -> str:
        return f"RedisStore({self.client!r}, prefix={self.prefix!r}, max_calls={self.max_calls})"

    # -- internals ---------------------------------------------------------------------

    def _run(
        self, operation: str, call_id: str, script: Script, keys: list[Any], args: list[Any]
    ) -> list[Any]:
        """One script call, its redis-py errors turned into :class:`RedisStoreError`."""
        try:
            reply = script(keys=keys, args=args)
        except _FAILURES as exc:
            raise _failed(operation, call_id, exc) from exc
        if type(reply) is not list or not reply:
            raise RedisStoreError(operation, call_id, f"unexpected reply {reply!r}")
        return reply

    def _stamped(self, keys: list[Any], skip: int) -> list[tuple[int, str]]:
        """``(clock at the end, id)`` of each ended key still there."""
        if not keys:
            return []
        out = []
        for key, value in zip(keys, self.client.mget(keys), strict=True):
            if value is not None:  # expired between SCAN and MGET
                out.append((int(_raw(value).split(b" ", 1)[0]), _text(_raw(key)[skip:])))
        return out


def _failed(operation: str, call_id: str | None, exc: Exception) -> RedisStoreError:
    return RedisStoreError(operation, call_id, f"{type(exc).__name__}: {exc}")


def _raw(value: object) -> bytes:
    """A reply as bytes, whether or not the client decodes responses."""
    return _key(value) if isinstance(value, str) else cast(bytes, value)


def _text(value: object) -> str:
    return value if isinstance(value, str) else cast(bytes, value).decode("utf-8", "surrogatepass")


def _key(call_id: str) -> bytes:
    """A call id as bytes; ``surrogatepass`` keeps any Python string (JSON's lone surrogates)."""
    return call_id.encode("utf-8", "surrogatepass")


def _hex(number: int | None) -> bytes:
    return b"-" if number is None else format(number, "x").encode()


def _encode(record: Record) -> bytes:
    """``[state, ledger, fingerprint hex, history hex]``: history may exceed 64 bits; the
    ledger is a snapshot's (null, the bare kind, or an object)."""
    state, ledger, fp, history = record
    shown = None if fp is None else format(fp, "x")
    return orjson.dumps([state, ledger_to_json(ledger), shown, format(history, "x")])


def _decode(raw: object, operation: str, call_id: str) -> Record:
    """The record :func:`_encode` wrote, or a :class:`RedisStoreError` if it is not one."""
    try:
        parsed = orjson.loads(_raw(raw))
        if type(parsed) is not list:
            raise TypeError("not a JSON array")
        state, ledger, fp, history = parsed
        if not all(v is None or type(v) is str for v in (state, fp)):
            raise TypeError("state and fingerprint must be strings or null")
        kept = ledger_from_json(ledger, "/1", None)
        return (state, kept, None if fp is None else int(fp, 16), int(history, 16))
    except (ValueError, TypeError, ParseError) as exc:
        raise RedisStoreError(operation, call_id, f"unreadable record {raw!r}: {exc}") from None


def _ended(raw: object, call_id: str) -> Ended:
    try:
        payload = _raw(raw).split(b" ", 1)[1]
        fp, _, at = payload.partition(b"@")
        return Ended(None if fp == b"-" else int(fp, 16), float(at) if at else None)
    except (IndexError, ValueError):
        raise RedisStoreError("load", call_id, f"unreadable end {raw!r}") from None


def _glob_escape(pattern: bytes) -> bytes:
    """``pattern`` matched literally by ``SCAN MATCH``."""
    out = bytearray()
    for byte in pattern:
        if byte in b"*?[]\\":
            out += b"\\"
        out.append(byte)
    return bytes(out)
