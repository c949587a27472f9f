"""Helpers for tracker tests: notifications, envelopes, spec traces and the validate CLI."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import strategies as st

from callstate.cli import main
from callstate.machine import CALL_MACHINE, MachineDefinition, compiled
from callstate.strategies import mutated_streams, notification_streams
from callstate.verdict import Finding, Report
from tests.conftest import SpecExample

#: The call id of every spec example.
CALL = "341a0500-d4bf-4224-8b19-1581168d328b"
#: Three outcomes per example: success, and failure from either transfer state.
OUTCOMES = ("success", "failure-from-accepted", "failure-from-transferring")

Json = dict[str, Any]


def note(
    state: str | None = None,
    *,
    change: str = "updated",
    call: str = CALL,
    sub: str = "",
    data: object = None,
    **fields: Any,
) -> Json:
    """A bare commsNotification for ``call`` (``sub`` appends a sub-resource path).

    ``resourceData`` is ``data`` when given, else ``{"state": state, **fields}``
    (without ``state`` when it is None).
    """
    if data is None:
        data = {"@odata.type": "#microsoft.graph.call", **fields}
        if state is not None:
            data["state"] = state
    return {
        "@odata.type": "#microsoft.graph.commsNotification",
        "changeType": change,
        "resourceUrl": f"/communications/calls/{call}{sub}",
        "resourceData": data,
    }


def envelope(*notes: Json) -> Json:
    """A commsNotifications webhook body."""
    return {"@odata.type": "#microsoft.graph.commsNotifications", "value": list(notes)}


def request(body: object, *, call: str = CALL, url: str | None = None) -> Json:
    """A transfer request record of a trace."""
    url = url if url is not None else f"/communications/calls/{call}/transfer"
    return {"request": {"method": "POST", "url": url, "body": body}}


def opening(call: str = CALL) -> list[Json]:
    """incoming (created), establishing, established: each in its own envelope."""
    return [
        envelope(note("incoming", change="created", call=call)),
        envelope(note("establishing", call=call)),
        envelope(note("established", call=call)),
    ]


def drawn_traffic(data: st.DataObject, definition: MachineDefinition) -> list[bytes]:
    """A few calls of ``definition`` as JSON Lines: valid (timed or not), or broken in one
    place."""
    if data.draw(st.booleans()):
        return list(data.draw(mutated_streams(definition=definition, max_calls=3)).lines)
    return list(data.draw(notification_streams(definition=definition, timed=None)).jsonl())


def jsonl(bodies: Iterable[object]) -> list[bytes]:
    """One JSON line per body (bytes pass through as they are)."""
    return [b if isinstance(b, bytes) else orjson.dumps(b) for b in bodies]


def spec_trace(example: SpecExample, outcome: str) -> list[Json]:
    """The opening, the example's request, then its notifications for ``outcome``."""
    n = example.notifications
    body = [
        *opening(),
        request(example.request_body, url=example.request_path.replace("{id}", CALL)),
    ]
    body.append(n["transferring"])
    if outcome == "success":
        body += [n["transfer accepted"], n["transfer completed"]]
    elif outcome == "failure-from-accepted":
        body += [n["transfer accepted"], n["transfer failed"]]
    else:
        body.append(n["transfer failed"])
    return body


def located(report: Report | Iterable[Finding]) -> list[tuple[int | None, str]]:
    """``(line, rule)`` of every violation (of a report) or finding (of a sequence)."""
    found = report.violations if isinstance(report, Report) else report
    return [(f.line, f.rule) for f in found]


#: ``(lines, *extra argv) -> (exit code, stdout, stderr)``
RunValidate = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run_validate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> RunValidate:
    """Write ``lines`` to a trace file and run ``callstate validate`` on it in-process."""

    def run(lines: Iterable[bytes], *argv: str) -> tuple[int, str, str]:
        path = tmp_path / "trace.jsonl"
        path.write_bytes(b"\n".join(lines) + b"\n")
        code = main(["validate", str(path), *argv])
        out, err = capsys.readouterr()
        return code, out, err

    return run


#: ``(lines, *extra argv) -> (exit code, the JSON report)``
RunJson = Callable[..., tuple[int, Json]]


@pytest.fixture
def run_json(run_validate: RunValidate) -> RunJson:
    """``callstate validate --format json``: the exit code and the parsed report."""

    def run(lines: Iterable[bytes], *argv: str) -> tuple[int, Json]:
        code, out, _ = run_validate(lines, "--format", "json", *argv)
        report: Json = orjson.loads(out)
        return code, report

    return run


def cli_located(report: Json) -> list[tuple[int, str]]:
    """``(line, rule)`` of each violation of a JSON report."""
    return [(v["line"], v["rule"]) for v in report["violations"]]


def signal_note(event: str, kind: str | None = None, *, call: str = CALL) -> Json:
    """The notification reporting ``event`` (with the marker of ``kind``), from the definition."""
    spec = CALL_MACHINE.event(event)
    marker = spec.markers_of(kind)[0] if kind is not None else None
    fields: Json = {}
    if marker is not None and marker.termination_reason is not None:
        fields["terminationReason"] = marker.termination_reason
    elif marker is not None:
        fields["resultInfo"] = {"code": marker.code, "subcode": marker.subcode}
    change = "deleted" if spec.reports in CALL_MACHINE.final else "updated"
    return note(spec.reports, change=change, call=call, **fields)


def path_to(state: str) -> list[tuple[str, str | None]]:
    """The shortest legal ``(event, kind)`` walk from the first notification to ``state``."""
    table = compiled(CALL_MACHINE).table
    first = next(e.name for e in CALL_MACHINE.events if e.reports == CALL_MACHINE.initial)
    paths: dict[str, list[tuple[str, str | None]]] = {CALL_MACHINE.initial: [(first, None)]}
    queue = deque([CALL_MACHINE.initial])
    while queue:
        source = queue.popleft()
        for (s, event, kind), step in table.items():
            dest = step.dest
            if s == source and dest not in paths:
                paths[dest] = [*paths[source], (event, kind)]
                queue.append(dest)
    return paths[state]
