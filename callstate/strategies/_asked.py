"""Insertions that break the bot's request rules: a request the state forbids, a group
call's transfer without (or with a stranger as) its transferee, and a change an
accepted reject or redirect forbids.

The reference model walks notifications only; a request line is judged here by the
state the model says the bot had been told, and each candidate is checked to leave
every later request judged in the state it was.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any, Final

import attrs
import orjson

from callstate.errors import ParseError
from callstate.graph.wire import parse_request_path, read_resource, untimed
from callstate.machine.compiled import Signal
from callstate.machine.definition import Expect, MachineDefinition, Request
from callstate.simulate import (
    JSONObject,
    Plan,
    participant_id,
    record,
    transfer_request,
    transferee,
)
from callstate.strategies._model import ModelLine, StreamModel, model_line

__all__ = ["REQUEST_RULES", "Candidate", "RequestInsertions", "expectations_of", "judged_by"]

#: Rules an inserted request breaks: one the state forbids, a group transfer's transferee.
REQUEST_RULES: Final = ("request-not-allowed", "transferee-required", "transferee-not-in-call")
#: The status Graph answers a transfer it refuses: the request has no effect on the call.
_REFUSED: Final = 400


def expectations_of(definition: MachineDefinition) -> dict[str | None, Expect]:
    """The requests whose expectation one inserted line can break, by action: those that
    end the call (reject). After a redirect, Graph's ``redirecting`` must still follow,
    and no single change before it leaves that legal; ``tests/verdict`` covers it."""
    return {
        r.action: r.expect
        for r in definition.requests
        if r.expect is not None
        and r.expect.severity == "violation"
        and r.leads_to in definition.final
    }


def judged_by(definition: MachineDefinition, obj: JSONObject) -> Expect | None:
    """The expectation of ``obj`` when it is an accepted request with one to break."""
    if "request" not in obj or (obj.get("response") or {}).get("status", _REFUSED) >= _REFUSED:
        return None
    try:
        path = parse_request_path(obj["request"]["url"], "/request/url")
    except ParseError:
        return None
    return expectations_of(definition).get(path.action)


@attrs.frozen
class Candidate:
    """An insertion into one call: after its line ``after`` (-1: before its first)."""

    call: int
    after: int
    line: bytes
    rule: str
    call_id: str | None
    change: str


class RequestInsertions:
    """The request-rule insertions of :class:`~callstate.strategies._mutate._Mutator`."""

    model: StreamModel
    rules: tuple[str, ...]
    definition: MachineDefinition
    signals: tuple[Signal, ...]
    allowed: dict[str, frozenset[str]]
    transfer: Request | None

    def _fits(self, lines: list[ModelLine], at: int, new: ModelLine, refusing: list[int]) -> bool:
        raise NotImplementedError

    def _notification(self, cid: str, event: str, kind: str | None, **fields: Any) -> JSONObject:
        raise NotImplementedError

    def _expected(
        self,
        call: int,
        cid: str,
        lines: list[ModelLine],
        states: list[str | None],
        judged: int,
        expect: Expect,
        codes: dict[str, Any],
    ) -> Iterator[Candidate]:
        """A legal change the accepted request forbids, before the call's next change."""
        state = states[judged]
        if state is None:
            return
        at = judged
        while at < len(lines) and states[at] == state:
            for event, kind in self.signals:
                step = self.model.machine.step(state, event, kind)
                if step is None or step.transition is None or step.dest in expect.states:
                    continue
                obj = self._notification(cid, event, kind, **codes)
                new = model_line(obj, self.model.machine)
                if self._fits(lines, at, new, []):
                    label = event if kind is None else f"{event}[{kind}]"
                    what = f"inserted {label} after the accepted request of line {judged + 1}"
                    yield Candidate(call, at, orjson.dumps(obj), expect.rule, cid, what)
            at += 1

    def _requests(
        self, call: int, plan: Plan, objs: list[JSONObject], states: list[str | None]
    ) -> Iterator[Candidate]:
        """A request the state forbids; a group call's transfer without or with a stranger."""
        cid = plan.call_id
        roster = False
        for at, (obj, state) in enumerate(zip(objs, states, strict=True)):
            roster = roster or _roster(obj)
            if state is None:
                continue
            if "request-not-allowed" in self.rules:
                for request in self.definition.requests:
                    if request.opens is None and request.name not in self.allowed[state]:
                        line = {"request": record(request, cid)["request"]}
                        if request == self.transfer:  # a transferee: no group-call rule fires
                            line["request"]["body"] = _transfer_body(plan, True)
                        what = f"inserted a {request.name} request while {state}"
                        yield Candidate(
                            call, at, orjson.dumps(line), "request-not-allowed", cid, what
                        )
            if (
                not plan.group
                or self.transfer is None
                or self.transfer.name not in (self.allowed[state])
            ):
                continue
            line = record(self.transfer, cid, status=_REFUSED)
            body = line["request"]["body"] = _transfer_body(plan, False)
            if "transferee-required" in self.rules:
                what = "inserted a group call's transfer without a transferee"
                yield Candidate(call, at, orjson.dumps(line), "transferee-required", cid, what)
            if roster and "transferee-not-in-call" in self.rules:
                body["transferee"] = transferee(str(uuid.uuid5(uuid.NAMESPACE_URL, cid)), cid)
                what = "inserted a transfer of a participant not in the call's roster"
                yield Candidate(call, at, orjson.dumps(line), "transferee-not-in-call", cid, what)


def _transfer_body(plan: Plan, named: bool) -> JSONObject:
    """A blind transfer's body, naming the call's first participant as transferee if ``named``."""
    body: JSONObject = transfer_request(
        plan.call_id, target="user", client_context=plan.client_context
    )["request"]["body"]
    if named:
        body["transferee"] = transferee(participant_id(plan.call_id, 0), plan.caller_id)
    return body


def _roster(obj: JSONObject) -> bool:
    """Whether ``obj`` is a notification of the call's participants (its roster)."""
    try:
        body = untimed(obj)
        return isinstance(body, dict) and read_resource(body["value"][0]).kind == "participants"
    except (KeyError, IndexError, TypeError, ParseError):
        return False
