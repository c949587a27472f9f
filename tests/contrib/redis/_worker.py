"""One bot instance behind the load balancer: its own Tracker on a RedisStore, fed by a queue.

Run in a spawned process by ``runpy.run_path`` (so the child needs no import path to
the tests), with ``_ARGS`` in its globals: the keyword arguments of :func:`serve`.
"""

from __future__ import annotations

import time
import traceback
from typing import Any

from callstate.contrib.redis import RedisStore
from callstate.verdict import Saved, Stored, Tracker
from callstate.verdict._step import Ended, Record

#: A raced request waits this long between reading the call and writing it back,
#: and its partner this long before it starts: the partner's whole update falls
#: inside the request's window.
RACE_WINDOW = 0.004
PARTNER_DELAY = 0.001
#: How long an idle instance waits for its next task before giving up.
IDLE_TIMEOUT = 60


class RacingStore(RedisStore):
    """RedisStore that widens the race window for the next read, when told to."""

    racing = False
    #: Compare-and-sets that failed because another instance wrote first.
    conflicts = 0

    def load(self, call_id: str) -> Stored:
        stored = super().load(call_id)
        if self.racing:
            self.racing = False  # the first read only: a retry is not slowed again
            time.sleep(RACE_WINDOW)
        return stored

    def save(self, call_id: str, version: int, decision: Record | Ended) -> Saved:
        saved = super().save(call_id, version, decision)
        if not saved.ok:
            self.conflicts += 1
        return saved


class BlindStore(RacingStore):
    """The compare-and-set disabled: each save writes over whatever version is there."""

    def save(self, call_id: str, version: int, decision: Record | Ended) -> Saved:
        return super().save(call_id, RedisStore.load(self, call_id).version, decision)


def serve(*, url: str, prefix: str, blind: bool, name: int, tasks: Any, results: Any) -> None:
    """Ingest ``(seq, line number, line, role)`` tasks until ``None``, answering each.

    ``role`` is ``racer`` (a request raced against its call's next line), ``partner``
    (that next line) or ``plain``. Each answer is ``(seq, name, findings, conflicts)``;
    a failure is answered ``("error", name, traceback, 0)``.
    """
    store = (BlindStore if blind else RacingStore).from_url(url, prefix=prefix)
    tracker = Tracker(store=store)
    results.put(("ready", name, [], 0))
    try:
        while True:
            task = tasks.get(timeout=IDLE_TIMEOUT)
            if task is None:
                return
            seq, number, line, role = task
            if role == "partner":
                time.sleep(PARTNER_DELAY)
            store.racing = role == "racer"
            found = tracker.ingest(line, line=number)
            shown = [(f.line, f.call_id, f.rule, f.message, f.state) for f in found]
            results.put((seq, name, shown, store.conflicts))
    except Exception:
        results.put(("error", name, traceback.format_exc(), 0))
    finally:
        store.client.close()


if __name__ == "__callstate_worker__":
    serve(**globals()["_ARGS"])
