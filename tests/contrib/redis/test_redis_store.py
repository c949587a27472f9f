"""What is RedisStore's own: its keys, the ended ids' time to live, its errors."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import orjson
import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from callstate.contrib.redis import RedisStore, RedisStoreError
from callstate.errors import CallstateError, UsageError
from callstate.simulate import event_notification
from callstate.verdict import Saved, Stored, Tracker
from callstate.verdict._step import Ended


def _offer(call_id: str) -> bytes:
    return orjson.dumps(event_notification(call_id, "offer"))


@contextmanager
def socket_closed_port() -> Iterator[int]:
    """A loopback port nothing listens on: bound, not listening, for the block."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


class TestKeys:
    """The documented key layout, under the prefix."""

    def test_a_live_call_is_a_hash_and_a_member_of_the_live_set(
        self, client: redis.Redis, prefix: str
    ) -> None:
        """``call:<id>`` holds the version and the record; ``live`` scores it by the clock."""
        store = RedisStore(client, prefix=prefix)
        store.save("c", 0, ("incoming", None, None, 1 << 70))
        stored = store.load("c")
        live = client.zrange(f"{prefix}live", 0, -1, withscores=True)
        expected = (
            {
                b"v": str(stored.version).encode(),
                b"r": b'["incoming",null,null,"400000000000000000"]',
            },
            [(b"c", float(stored.version))],
            stored.version,
        )
        assert expected == (
            client.hgetall(f"{prefix}call:c"),
            live,
            int(client.get(f"{prefix}clock") or 0),
        )

    def test_an_ended_call_is_a_key_with_a_time_to_live(
        self, client: redis.Redis, prefix: str
    ) -> None:
        """``ended:<id>`` is set with ``EX ended_ttl``; the live keys are gone."""
        store = RedisStore(client, prefix=prefix, ended_ttl=600)
        store.save("c", 0, ("incoming", None, None, 0))
        store.save("c", store.load("c").version, Ended(255))
        ttl = client.ttl(f"{prefix}ended:c")
        assert (True, b"ff", 0, 0) == (
            0 < ttl <= 600,
            (client.get(f"{prefix}ended:c") or b"").split()[1],
            client.exists(f"{prefix}call:c"),
            client.zcard(f"{prefix}live"),
        )

    def test_an_expired_end_is_forgotten(self, client: redis.Redis, prefix: str) -> None:
        """When Redis drops the ended key (its TTL ran out), the call is unknown again."""
        store = RedisStore(client, prefix=prefix)
        store.save("c", 0, Ended(1))
        client.delete(f"{prefix}ended:c")  # what the TTL does
        assert (Stored(None, None, 0), []) == (store.load("c"), list(store.ended_calls()))

    def test_ended_ttl_zero_keeps_no_ended_ids(self, client: redis.Redis, prefix: str) -> None:
        """``ended_ttl=0``: an ended call is simply gone."""
        store = RedisStore(client, prefix=prefix, ended_ttl=0)
        store.save("c", 0, ("incoming", None, None, 0))
        store.save("c", store.load("c").version, Ended(1))
        assert (Stored(None, None, 0), [], []) == (
            store.load("c"),
            list(store.ended_calls()),
            client.keys(f"{prefix}ended:*"),
        )

    def test_no_write_at_version_zero_over_a_recent_end(
        self, client: redis.Redis, prefix: str
    ) -> None:
        """A save that read the call before it ended fails, like any stale version."""
        store = RedisStore(client, prefix=prefix)
        store.save("c", 0, Ended(1))
        assert (Saved(False), Saved(False), Stored(None, Ended(1), 0)) == (
            store.save("c", 0, ("incoming", None, None, 0)),
            store.save("c", 0, Ended(2)),
            store.load("c"),
        )

    def test_prefixes_keep_stores_apart(self, client: redis.Redis, prefix: str) -> None:
        """Two prefixes on one server share nothing; glob characters in one are literal."""
        star = RedisStore(client, prefix=prefix + "*")
        plain = RedisStore(client, prefix=prefix + "x")
        star.save("a", 0, Ended(None))
        plain.save("b", 0, Ended(None))
        assert (["a"], ["b"]) == (list(star.ended_calls()), list(plain.ended_calls()))

    def test_a_hash_tagged_prefix_works(self, client: redis.Redis, prefix: str) -> None:
        """The prefix to use on Redis Cluster (one slot) works on one node too."""
        store = RedisStore(client, prefix="{" + prefix + "}:")
        tracker = Tracker(store=store)
        tracker.ingest(_offer("c"))
        assert ("incoming", ["c"]) == (tracker.state("c"), list(store.live_calls()))

    def test_a_client_that_decodes_responses_works(self, redis_url: str, prefix: str) -> None:
        """``decode_responses=True`` changes nothing the store returns."""
        client = redis.Redis.from_url(redis_url, decode_responses=True)
        store = RedisStore(client, prefix=prefix, max_calls=1)
        store.save("a", 0, ("incoming", None, 3, 9))
        saved = store.save("b", 0, Ended(5))
        evicting = store.save("c", 0, ("incoming", None, None, 0))
        client.close()
        assert (Saved(True), Saved(True, ("a", "incoming")), ["b"]) == (
            saved,
            evicting,
            list(store.ended_calls()),
        )


class TestErrors:
    """A Redis failure is a RedisStoreError naming the operation, never redis's own."""

    def test_an_unreachable_server_fails_ingest_with_a_store_error(self) -> None:
        """Refused connection: the error names the load and the call, redis's as its cause."""
        with socket_closed_port() as port:
            client = redis.Redis(port=port, retry=Retry(NoBackoff(), 0), socket_connect_timeout=1)
            tracker = Tracker(store=RedisStore(client))
            with pytest.raises(
                RedisStoreError, match=r"^redis store: load of call c failed: "
            ) as e:
                tracker.ingest(_offer("c"))
        assert ("load", "c", True, True) == (
            e.value.operation,
            e.value.call_id,
            isinstance(e.value, CallstateError),
            isinstance(e.value.__cause__, redis.ConnectionError),
        )

    @pytest.mark.parametrize(
        ("operation", "call"),
        [
            ("live_calls", lambda s: list(s.live_calls())),
            ("ended_calls", lambda s: list(s.ended_calls())),
            ("len", len),
            ("touch", lambda s: s.touch("c")),
            ("save", lambda s: s.save("c", 0, Ended(None))),
        ],
    )
    def test_every_operation_names_itself(self, operation: str, call: object) -> None:
        """Each method's failure says which operation failed."""
        with socket_closed_port() as port:
            client = redis.Redis(port=port, retry=Retry(NoBackoff(), 0), socket_connect_timeout=1)
            with pytest.raises(RedisStoreError) as e:
                call(RedisStore(client))  # type: ignore[operator]
        assert operation == e.value.operation

    def test_a_key_of_the_wrong_type_is_a_store_error(
        self, client: redis.Redis, prefix: str
    ) -> None:
        """Someone else's string where the live set belongs: the script's error, wrapped."""
        client.set(f"{prefix}live", "not a sorted set")
        store = RedisStore(client, prefix=prefix)
        with pytest.raises(
            RedisStoreError, match=r"^redis store: save of call c failed: .*WRONGTYPE"
        ):
            store.save("c", 0, ("incoming", None, None, 0))

    def test_an_unreadable_record_is_a_store_error(self, client: redis.Redis, prefix: str) -> None:
        """A record written by something else is reported, not half-read."""
        client.hset(f"{prefix}call:c", mapping={"v": "1", "r": "[1, 2]"})
        tracker = Tracker(store=RedisStore(client, prefix=prefix))
        with pytest.raises(
            RedisStoreError, match=r"^redis store: load of call c failed: unreadable"
        ):
            tracker.state("c")


class TestArguments:
    """Invalid arguments are usage errors naming the argument."""

    @pytest.mark.parametrize(
        ("options", "argument"),
        [
            ({"max_calls": 0}, "max_calls"),
            ({"max_calls": True}, "max_calls"),
            ({"ended_ttl": -1}, "ended_ttl"),
            ({"prefix": b"x"}, "prefix"),
        ],
    )
    def test_bad_options(self, options: dict[str, object], argument: str) -> None:
        """Each bad option is named."""
        with pytest.raises(UsageError, match=rf"^{argument}: "):
            RedisStore.from_url("redis://127.0.0.1:1", **options)  # type: ignore[arg-type]

    def test_a_client_must_be_a_redis_client(self) -> None:
        """Anything but a synchronous redis-py client is refused."""
        with pytest.raises(UsageError, match=r"^client: must be a synchronous redis.Redis"):
            RedisStore(object())  # type: ignore[arg-type]

    def test_a_bad_url_is_named(self) -> None:
        """A URL redis-py cannot read is a usage error about the url."""
        with pytest.raises(UsageError, match=r"^url: "):
            RedisStore.from_url("http://127.0.0.1/")

    def test_missing_redis_names_the_extra(self) -> None:
        """Without redis-py, importing the adapter says what to install."""
        code = "import sys; sys.modules['redis'] = None; import callstate.contrib.redis"
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
        )
        last = done.stderr.strip().splitlines()[-1]
        expected = (
            "callstate.contrib.redis needs redis, which is not installed: "
            "pip install 'callstate[redis]'"
        )
        assert (True, expected) == (
            "ImportError" in last or "MissingExtra" in last,
            last[-len(expected) :],
        )
