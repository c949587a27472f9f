"""A real redis-server on 127.0.0.1 at a free port, for the session; and stores on it."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis

from callstate.contrib.redis import RedisStore
from callstate.verdict import CallStore, MemoryStore

#: How long redis-server may take to answer its first PING, and how often to ask.
_START_TIMEOUT = 10.0
_POLL = 0.05


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _start(binary: str, port: int, workdir: Path) -> subprocess.Popen[bytes] | None:
    """redis-server on ``port``, once it answers PING; ``None`` if it exited (port taken)."""
    process = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(workdir),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=1)
    try:
        for _ in range(int(_START_TIMEOUT / _POLL)):
            if process.poll() is not None:
                return None
            try:
                if client.ping():
                    return process
            except redis.ConnectionError:
                time.sleep(_POLL)
    finally:
        client.close()
    _stop(process)
    raise AssertionError(f"redis-server on port {port} did not answer PING in {_START_TIMEOUT}s")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``redis://127.0.0.1:<port>/0`` of a redis-server started for this session."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server; CI installs it)")
    workdir = tmp_path_factory.mktemp("redis")
    for _ in range(3):  # another process may take the free port before redis-server does
        port = _free_port()
        process = _start(binary, port, workdir)
        if process is not None:
            break
    else:
        raise AssertionError("redis-server exited at start on three free ports")
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        _stop(process)


def fresh_prefix() -> str:
    """A key prefix no other test uses, so tests share the server but no data."""
    return f"test-{uuid.uuid4().hex}:"


@pytest.fixture
def client(redis_url: str) -> Iterator[redis.Redis]:
    """A redis-py client on the session's server."""
    made = redis.Redis.from_url(redis_url)
    yield made
    made.close()


@pytest.fixture
def prefix() -> str:
    """A key prefix of this test's own."""
    return fresh_prefix()


@pytest.fixture(params=["memory", "redis"])
def stores(request: pytest.FixtureRequest) -> Iterator[Callable[..., list[CallStore]]]:
    """Stores of one kind: the reference in memory, or RedisStore on the session's server.

    Each call gives ``count`` stores on one new, empty set of calls: the same
    MemoryStore ``count`` times, or ``count`` RedisStores (own clients) on one prefix.
    """
    made: list[RedisStore] = []
    if request.param == "memory":

        def make(count: int = 1, *, max_calls: int = 1_000_000) -> list[CallStore]:
            return [MemoryStore(max_calls=max_calls)] * count

    else:
        url: str = request.getfixturevalue("redis_url")

        def make(count: int = 1, *, max_calls: int = 1_000_000) -> list[CallStore]:
            prefix = fresh_prefix()
            new = [
                RedisStore.from_url(url, prefix=prefix, max_calls=max_calls) for _ in range(count)
            ]
            made.extend(new)
            return list(new)

    yield make
    for store in made:
        store.client.close()
