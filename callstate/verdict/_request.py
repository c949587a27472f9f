"""A request record of a trace: the bot's own request to Graph, checked.

Reading a record gives the call it names and the transfer kind it announces; the
tracker applies that to the call's record.
"""

from __future__ import annotations

from callstate.graph.wire import describe
from callstate.machine.definition import MachineDefinition
from callstate.transfer import validate_transfer_request
from callstate.verdict.finding import CallWarning, Finding, Violation

__all__ = ["read_request"]


def read_request(
    request: object, where: int, out: list[Finding], definition: MachineDefinition
) -> tuple[str, str | None] | None:
    """``(call id, announced kind)`` of a request record, its findings appended to ``out``.

    ``None`` when the record names no call.
    """
    if type(request) is not dict:
        out.append(
            Violation(
                line=where,
                call_id=None,
                rule="malformed",
                message=f"/request: expected an object, got {describe(request)}",
            )
        )
        return None
    method = request.get("method", "POST")
    url = request.get("url")
    body = request.get("body")
    verdict = validate_transfer_request(body, path=url if type(url) is str else None)
    call_id = verdict.call_id
    if type(method) is not str or method.upper() != "POST":
        out.append(
            Violation(
                line=where,
                call_id=call_id,
                rule="invalid-request",
                message=f"/request/method: expected POST, got {describe(method)}",
            )
        )
    if type(url) is not str:
        out.append(
            Violation(
                line=where,
                call_id=call_id,
                rule="invalid-request",
                message=f"/request/url: expected a string, got {describe(url)}",
            )
        )
    for problems, finding in ((verdict.problems, Violation), (verdict.warnings, CallWarning)):
        for problem in problems:
            out.append(
                finding(
                    line=where,
                    call_id=call_id,
                    rule=problem.rule,
                    message=f"transfer request {problem.pointer or '/'}: {problem.message}",
                )
            )
    if call_id is None:
        return None
    return call_id, definition.kind_of(body) if type(body) is dict else None
