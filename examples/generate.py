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

import orjson

from callstate.facts import BLIND, CONSULTATIVE, SUCCESS_MESSAGE
from callstate.machine import CALL_MACHINE, compiled
from callstate.simulate import (
    OUTCOMES,
    TRANSFER_SCENARIOS,
    JSONObject,
    Plan,
    event_notification,
    flows,
    jsonl,
    mix,
    notification,
    random_plan,
    result_info,
    simulate,
    transfer_request,
)
from callstate.verdict import Tracker

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


#: What the examples read from the call machine: events by the state they report,
#: each kind's outcomes and markers, the notifications on a transfer's way.
FLOWS = flows(CALL_MACHINE)


def _reporting(state: str) -> str:
    """The call machine's unmarked event that reports ``state`` (a Graph ``callState``)."""
    return FLOWS.event_for(state, argument="state")


def _opening(call_id: str) -> list[JSONObject]:
    states = (CALL_MACHINE.initial, "establishing", "established")
    return [event_notification(call_id, _reporting(state)) for state in states]


def _field(pointer: str | None) -> str:
    """The field a JSON pointer ends at: ``replacesCallId`` of ``/transferTarget/...``."""
    return str(pointer).rsplit("/", 1)[-1]


def _rule(event: str) -> str:
    return CALL_MACHINE.event(event).rule


# (lines, rule id, what the last line breaks); the other lines are fine.
def _violations() -> list[tuple[list[bytes | JSONObject], str, str]]:
    a, b, c, d, e, f, g = (_call(n) for n in "abcdefg")
    blind, consultative = FLOWS.flow(BLIND), FLOWS.flow(CONSULTATIVE)
    failure = blind.failure.markers[0]
    success = blind.success.markers[0]
    assert success.code is not None
    assert success.subcode is not None
    success_while_established = notification(
        e,
        state="established",
        resultInfo=result_info(success.code, success.subcode, SUCCESS_MESSAGE),
    )
    bad_url = notification(g, state="established")
    bad_url["value"][0]["resourceUrl"] = f"/communications/onlineMeetings/{g}"
    blind_request = transfer_request(
        f, target="user", client_context=_call("context"), selected_by=blind.kind.selected_by
    )
    route = FLOWS.route("established", consultative.success.sources[0]) or ()
    accept, start, hang_up = (
        _reporting(s) for s in ("transferAccepted", "transferring", "terminating")
    )
    assert CALL_MACHINE.ended is not None
    ended = _reporting(CALL_MACHINE.ended)
    return [
        (
            [*_opening(a), event_notification(a, accept)],
            _rule(accept),
            "transferAccepted when no transfer is in progress (call established)",
        ),
        (
            [
                event_notification(b, _reporting(CALL_MACHINE.initial)),
                event_notification(b, _reporting("establishing")),
                event_notification(b, start),
            ],
            _rule(start),
            "transferring from a state other than established (establishing)",
        ),
        (
            [
                *_opening(c),
                event_notification(c, hang_up),
                event_notification(c, ended),
                event_notification(c, _reporting("established")),
            ],
            "terminated-is-absorbing",
            "a change after terminated (established arrives after the call ended)",
        ),
        (
            [*_opening(d), event_notification(d, blind.failure.event, BLIND)],
            _rule(blind.failure.event),
            f"a transfer failure (established + {failure.label}) when no transfer is in progress",
        ),
        (
            [*_opening(e), success_while_established],
            "misplaced-marker",
            f"a success marker ({success.label}) while the state is established",
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
                *(event_notification(f, event) for event in route),
                event_notification(f, consultative.success.event, CONSULTATIVE),
            ],
            "transfer-kind-mismatch",
            f"a {BLIND} transfer request (no {_field(consultative.kind.selected_by)}) "
            f"completed with {consultative.success.markers[0].label}",
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
        call_id = _call_of(call_lines[-1])
        if call_id is not None and _left_mid_transfer(out, call_id):
            # The call hangs up, so the trace is complete: no unfinished-transfer warning.
            ended = _reporting(str(CALL_MACHINE.ended))
            out.append(next(jsonl([event_notification(call_id, ended)])))
    return found


def _call_of(item: bytes | JSONObject) -> str | None:
    try:
        body = orjson.loads(item) if isinstance(item, bytes) else item
        url: str = body["value"][0]["resourceUrl"]
    except (KeyError, TypeError, ValueError, IndexError):
        return None
    return url.rsplit("/", 1)[-1]


def _left_mid_transfer(lines: list[bytes], call_id: str) -> bool:
    tracker = Tracker()
    for line in lines:
        tracker.ingest(line)
    return tracker.state(call_id) in compiled(CALL_MACHINE).in_transfer


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
