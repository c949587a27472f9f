"""A request record of a trace: the bot's own request to Graph, read and checked.

Reading a record names the call and which of the definition's requests it is
(by method and path), with what the rules need from its body and response; the
rules (:mod:`callstate.verdict._asked`) apply it to the call's record. A transfer
body gets the transfer body rules, as ever.
"""

from __future__ import annotations

from typing import Any, Final, NamedTuple

from callstate.errors import ParseError
from callstate.graph.wire import describe, is_id, parse_request_path, plain_request_path
from callstate.machine.compiled import Compiled
from callstate.transfer._body import quick_look
from callstate.transfer._path import PathVerdict, check_path, read_path
from callstate.transfer._validate import judge
from callstate.verdict.finding import CallWarning, Finding, Violation

__all__ = ["Asked", "read_request"]

#: The request whose body the transfer body rules check.
_TRANSFER_ACTION = "transfer"
#: The methods of Graph's requests on calls, as spelt.
_METHODS: Final = ("POST", "DELETE")


class Asked(NamedTuple):
    """One request of the bot, read: which call, which request, and what it carried.

    ``effect`` is false when Graph answered 400 or more: the request did not touch
    the call. ``transferee`` says a transfer named one, ``participant`` its
    ``participantId``; ``kind`` is the transfer kind it selects.
    """

    call_id: str
    name: str
    kind: str | None
    status: int | None
    effect: bool
    transferee: bool
    participant: str | None


def _violation(
    where: int, call_id: str | None, pointer: str, message: str, rule: str = "invalid-request"
) -> Violation:
    return Violation(line=where, call_id=call_id, rule=rule, message=f"{pointer}: {message}")


def _response(response: object, where: int, out: list[Finding]) -> tuple[int | None, Any]:
    """The response's status and body; a malformed response is reported and read as absent."""
    if response is None:
        return None, None
    if type(response) is not dict:
        out.append(
            _violation(where, None, "/response", f"expected an object, got {describe(response)}")
        )
        return None, None
    status = response.get("status")
    if status is not None and (type(status) is not int or not 100 <= status <= 599):
        out.append(
            _violation(
                where, None, "/response/status", f"expected an HTTP status, got {describe(status)}"
            )
        )
        status = None
    return status, response.get("body")


def read_request(
    record: dict[str, Any], where: int, out: list[Finding], machine: Compiled
) -> Asked | None:
    """The request a record holds, its findings appended to ``out``; ``None`` if no call."""
    request = record.get("request")
    if type(request) is not dict:
        message = f"expected an object, got {describe(request)}"
        out.append(_violation(where, None, "/request", message, "malformed"))
        return None
    status, answer = _response(record.get("response"), where, out)
    method = request.get("method", "POST")
    url = request.get("url")
    body = request.get("body")
    plain = _plain_transfer(method, url, body, machine)
    if plain is not None:  # nothing to report: the Asked the rules below would read
        return _asked(body, *plain, machine, status)
    if type(method) is not str or method.upper() not in _METHODS:
        out.append(
            _violation(
                where,
                None,
                "/request/method",
                f"expected {' or '.join(_METHODS)}, got {describe(method)}",
            )
        )
        return None
    method = method.upper()
    try:
        path = parse_request_path(url, "/request/url")
    except ParseError as exc:
        if type(url) is str and url.rstrip("/").endswith(f"/{_TRANSFER_ACTION}"):
            # A transfer's path has its own rules, which say what is wrong with it.
            return _transfer(body, check_path(url), None, where, out, machine, status)
        out.append(_violation(where, None, exc.pointer, exc.message, "invalid-path"))
        return None
    name = machine.request_paths.get((method, path.action, path.call_id is None))
    call_id = path.call_id
    if name is None:
        target = "the call" if call_id else "the calls collection"
        what = f"{method} {'/' + path.action if path.action else target}"
        out.append(_violation(where, call_id, "/request", f"{what} is not a request Graph takes"))
        return None
    if path.action == _TRANSFER_ACTION:
        return _transfer(body, read_path(path, str(url)), name, where, out, machine, status)
    if path.legacy:
        out.append(
            CallWarning(
                line=where,
                call_id=call_id,
                rule="deprecated-path",
                message="/request/url: the /app path is deprecated; use /communications/calls",
            )
        )
    if call_id is None:  # a new call: the response names it
        created = answer.get("id") if type(answer) is dict else None
        if status is not None and status >= 400:
            return None
        if not is_id(created):
            out.append(
                CallWarning(
                    line=where,
                    call_id=None,
                    rule="call-id-unknown",
                    message="/response/body/id: the create request's response names no call id, "
                    "so its call cannot be followed",
                )
            )
            return None
        call_id = created
    return Asked(call_id, name, None, status, status is None or status < 400, False, None)


def _transfer(
    body: object,
    path: PathVerdict,
    name: str | None,
    where: int,
    out: list[Finding],
    machine: Compiled,
    status: int | None,
) -> Asked | None:
    verdict = judge(body, None, path)
    call_id = verdict.call_id
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
    if call_id is None or name is None:
        return None
    return _asked(body, call_id, name, machine, status)


def _plain_transfer(
    method: object, url: object, body: object, machine: Compiled
) -> tuple[str, str] | None:
    """The call and the request name of a transfer request that has nothing to report (its
    method as the definition spells it, its URL in Graph's exact spelling, a body the
    quick look takes); ``None``: the rules read it. It never finds anything itself."""
    if type(url) is not str or method not in _METHODS:
        return None
    path = plain_request_path(url)
    if path is None or path[1] != _TRANSFER_ACTION:
        return None
    name = machine.request_paths.get((method, _TRANSFER_ACTION, False))
    if name is None or quick_look(body, None) is None:
        return None
    return path[0], name


def _asked(body: object, call_id: str, name: str, machine: Compiled, status: int | None) -> Asked:
    """The transfer request ``name`` on ``call_id``, with what the rules read of its body."""
    kind = machine.definition.kind_of(body) if type(body) is dict else None
    transferee = body.get("transferee") if type(body) is dict else None
    participant = transferee.get("participantId") if type(transferee) is dict else None
    return Asked(
        call_id,
        name,
        kind,
        status,
        status is None or status < 400,
        transferee is not None,
        participant if type(participant) is str else None,
    )
