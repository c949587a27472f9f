"""How much work each figure does: the full run, or ``--quick`` (small, and said so)."""

from __future__ import annotations

import dataclasses
import sys
from typing import Any, Final


@dataclasses.dataclass(frozen=True)
class Settings:
    """Sizes of the full run; :data:`QUICK` shrinks them to prove the harness runs."""

    quick: bool = False
    seed: int = 1
    # validate / floors: whole processes on the `simulate mix` trace
    validate_calls: int = 30_000
    validate_pairs: int = 15
    orjson_pairs: int = 9
    jobs_pairs: int = 7
    startup_pairs: int = 25
    # in-process figures
    ingest_calls: int = 10_000
    ingest_rounds: int = 9
    tracker_calls: int = 10_000
    tracker_rounds: int = 5
    statemachine_calls: int = 1_000
    live_calls: int = 1_000_000
    small_live_calls: int = 1_000
    add_batch: int = 1_000
    add_rounds: int = 31
    snapshot_calls: int = 1_000_000
    snapshots: int = 3
    model_events: int = 20_000
    model_rounds: int = 7
    # memory (issue 10)
    malformed_lines: int = 1_000_000
    url_ids: int = 3_000
    url_id_kib: int = 256
    reasons: int = 600
    reason_kb: int = 900
    #: Children are killed past this RSS, so a regression cannot take the shared machine down.
    rss_cap_mb: int = 3_000
    # the RSS self-check
    parent_hold_mb: int = 256

    def to_json(self) -> dict[str, Any]:
        """The sizes, as recorded in the run's JSON and handed to workers."""
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Settings:
        """The settings a parent handed to a worker."""
        return cls(**data)


QUICK: Final = Settings(
    quick=True,
    validate_calls=1_000,
    validate_pairs=2,
    orjson_pairs=1,
    jobs_pairs=1,
    startup_pairs=3,
    ingest_calls=300,
    ingest_rounds=2,
    tracker_calls=300,
    tracker_rounds=2,
    statemachine_calls=50,
    live_calls=20_000,
    add_batch=200,
    add_rounds=3,
    snapshot_calls=20_000,
    snapshots=1,
    model_events=1_000,
    model_rounds=2,
    malformed_lines=20_000,
    url_ids=60,
    reasons=20,
    parent_hold_mb=64,
)


def say(message: str) -> None:
    """Progress goes to stderr, so stdout stays the table and the JSON line."""
    print(f"[bench] {message}", file=sys.stderr, flush=True)
