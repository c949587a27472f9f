"""Regenerate the traces in this folder from callstate.simulate: ``python examples/generate.py``.

The traces are never edited by hand; a test regenerates them and compares bytes.
``--out DIR`` writes elsewhere (the test uses it).
"""

from __future__ import annotations

import argparse
import random
import uuid
from collections.abc import Iterable
from pathlib import Path

from callstate.machine import CALL_MACHINE
from callstate.simulate import (
    OUTCOMES,
    TRANSFER_SCENARIOS,
    JSONObject,
    Plan,
    event_notification,
    jsonl,
    mix,
    notification,
    random_plan,
    result_info,
    simulate,
    transfer_request,
)

#: The call id of the spec's examples.
SPEC_CALL_ID = "341a0500-d4bf-4224-8b19-1581168d328b"
MIXED_CALLS = 12

_FREEDOMS = (
    ("late_establishing", "establishing late"),
    ("ringing", "ringing"),
    ("string_codes", "string codes"),
    ("request", "request record"),
    ("participants", "participants"),
)


def _call(name: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"callstate-examples/{name}"))


def _opening(call_id: str) -> list[JSONObject]:
    return [event_notification(call_id, name) for name in ("offer", "establish", "connect")]


def _rule(event: str) -> str:
    return CALL_MACHINE.event(event).rule


# (lines, rule id, what the last line breaks); the other lines are fine.
def _violations() -> list[tuple[list[bytes | JSONObject], str, str]]:
    a, b, c, d, e, f, g = (_call(n) for n in "abcdefg")
    success_while_established = notification(
        e,
        state="established",
        resultInfo=result_info(0, 7015, "GracefulTransferCompleted"),
    )
    bad_url = notification(g, state="established")
    bad_url["value"][0]["resourceUrl"] = f"/communications/onlineMeetings/{g}"
    blind_request = transfer_request(f, target="user", client_context=_call("context"))
    return [
        (
            [*_opening(a), event_notification(a, "accept_transfer")],
            _rule("accept_transfer"),
            "transferAccepted when no transfer is in progress (call established)",
        ),
        (
            [
                event_notification(b, "offer"),
                event_notification(b, "establish"),
                event_notification(b, "transfer"),
            ],
            _rule("transfer"),
            "transferring from a state other than established (establishing)",
        ),
        (
            [
                *_opening(c),
                event_notification(c, "hang_up"),
                event_notification(c, "terminate"),
                event_notification(c, "connect"),
            ],
            "terminated-is-absorbing",
            "a change after terminated (established arrives after the call ended)",
        ),
        (
            [*_opening(d), event_notification(d, "fail_transfer", "blind")],
            _rule("fail_transfer"),
            "a transfer failure (established + 500/7000) when no transfer is in progress",
        ),
        (
            [*_opening(e), success_while_established],
            "misplaced-marker",
            "a success marker (0/7015) while the state is established",
        ),
        (
            [b'{"@odata.type": "#microsoft.graph.commsNotifications", "value": [\n'],
            "malformed",
            "the line is not JSON (truncated)",
        ),
        (
            [bad_url],
            "malformed",
            "the resourceUrl is neither a call nor a call's sub-resource",
        ),
        (
            [
                *_opening(f),
                blind_request,
                event_notification(f, "transfer"),
                event_notification(f, "accept_transfer"),
                event_notification(f, "complete_transfer", "consultative"),
            ],
            "transfer-kind-mismatch",
            "a blind transfer request (no replacesCallId) completed with AppTransferred",
        ),
    ]


def violations(lines: list[bytes] | None = None) -> list[tuple[int, str, str]]:
    """``(line, rule, what)`` for each deliberate violation; appends the trace to ``lines``."""
    out = [] if lines is None else lines
    found = []
    for call_lines, rule, what in _violations():
        for item in call_lines:
            out.append(item if isinstance(item, bytes) else next(jsonl([item])))
        found.append((len(out), rule, what))
    return found


def _write(path: Path, lines: Iterable[bytes]) -> None:
    path.write_bytes(b"".join(lines))


def _describe(plan: Plan) -> str:
    parts = [f"media-inactive {plan.media_inactive}", plan.subcode_key]
    parts += [label for name, label in _FREEDOMS if getattr(plan, name)]
    if plan.hold != "none":
        parts.append(f"hold ({plan.hold})")
    if plan.failures:
        parts.append(f"fails from {plan.fail_from}")
    if plan.retry:
        parts.append("fails, then succeeds" if plan.outcome == "success" else "fails twice")
    if plan.operation is not None:
        parts.append(f"{plan.operation} operation")
    if plan.duplicates:
        parts.append(f"{len(plan.duplicates)} duplicate(s)")
    return ", ".join(parts)


def generate(out: Path) -> None:
    """Write every example trace and the README that explains them into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    seed = 0
    for scenario in TRANSFER_SCENARIOS:
        for outcome in OUTCOMES:
            seed += 1
            plan = random_plan(random.Random(seed), scenario, outcome, call_id=SPEC_CALL_ID)
            name = f"{scenario}-{outcome}.jsonl"
            trace = simulate(scenario, outcome=outcome, seed=seed, call_id=SPEC_CALL_ID)
            _write(out / name, jsonl(trace))
            rows.append(f"| `{name}` | {seed} | {_describe(plan)} |")
    _write(out / "mixed.jsonl", mix(MIXED_CALLS, seed=0))
    lines: list[bytes] = []
    table = []
    for line, rule, what in violations(lines):
        table.append(f"| {line} | `{rule}` | {what} |")
    _write(out / "violations.jsonl", lines)
    readme = _README.format(
        rows="\n".join(rows), table="\n".join(table), call_id=SPEC_CALL_ID, mixed=MIXED_CALLS
    )
    (out / "README.md").write_text(readme)


_README = """\
# Example traces

JSON Lines, one webhook body per line: commsNotifications envelopes and, where a
transfer is requested, `{{"request": ...}}` records. Generated by
`python examples/generate.py` from `callstate.simulate`; do not edit by hand (a test
regenerates them and compares bytes).

## One call per documented scenario and outcome

Each is `callstate simulate SCENARIO --outcome OUTCOME --seed SEED --call-id \
{call_id}` (the spec's call id). The seed picks the documented freedoms:

| file | seed | freedoms |
|---|---|---|
{rows}

Every call ends: a transfer that finally failed is followed by a hang-up. With outcome
`failure` no transfer of the call succeeds; a `success` may come after a failed first
transfer.

## `mixed.jsonl`

`callstate simulate mix --calls {mixed} --seed 0`: {mixed} calls of every scenario and
outcome, hang-ups, rejects and redirects, interleaved.

## `violations.jsonl`

Each of these lines breaks one rule; every other line conforms.

| line | rule | what breaks it |
|---|---|---|
{table}
"""


def main() -> None:
    """Parse ``--out`` and generate."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    generate(parser.parse_args().out)


if __name__ == "__main__":
    main()
