"""The properties of the bot's requests, judged by what the compiled machine accepts.

Kept apart from :mod:`callstate.machine.invariants` (which lists them in
``INVARIANTS``) so each module stays short. A request is found by Graph's path
segment (:mod:`callstate.facts`, the oracle), not by the definition's own name
for it, so a definition that renames or moves a request is still judged.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from callstate.facts import INCOMING_ONLY_ACTIONS, TRANSFER_ACTION
from callstate.machine.compiled import Compiled
from callstate.machine.definition import MachineDefinition, Request

__all__ = [
    "RequestMoves",
    "accepted_after_end",
    "accepted_requests",
    "incoming_only",
    "request_label",
    "transfer_only_from_established",
]

#: The domain words these properties are stated in (the issue's own words).
_INCOMING = "incoming"
_ESTABLISHED = "established"


class RequestMoves(Protocol):
    """What the request checks need of the explorer's moves: the definition and its table."""

    @property
    def definition(self) -> MachineDefinition: ...

    @property
    def machine(self) -> Compiled: ...


def request_label(state: str, request: Request) -> str:
    """``established --answer (POST answer)--> accepted``: a request a state accepts."""
    http = " ".join(p for p in (request.method, request.action) if p)
    return f"{state} --{request.name} ({http})--> accepted"


def accepted_requests(moves: RequestMoves, state: str) -> list[Request]:
    """The requests the compiled machine accepts in ``state``, in definition order."""
    names = moves.machine.allowed_requests.get(state, frozenset())
    return [r for r in moves.definition.requests if r.name in names]


def _first(
    moves: RequestMoves, state: str, broken: Callable[[Request], str | None]
) -> tuple[str, ...] | None:
    for request in accepted_requests(moves, state):
        reason = broken(request)
        if reason is not None:
            return (f"{request_label(state, request)}: {reason}",)
    return None


def accepted_after_end(moves: RequestMoves, state: str) -> tuple[str, ...] | None:
    """A final state accepts a request: Graph answers any request after the end with 404."""
    if state not in moves.definition.final:
        return None
    return _first(moves, state, lambda r: f"a request accepted after the call ended ({state})")


def incoming_only(moves: RequestMoves, state: str) -> tuple[str, ...] | None:
    """answer, reject or redirect accepted in a state other than incoming."""
    if state == _INCOMING:
        return None
    return _first(
        moves,
        state,
        lambda r: (
            f"{r.action} is only allowed while {_INCOMING}, not {state}"
            if r.action in INCOMING_ONLY_ACTIONS
            else None
        ),
    )


def transfer_only_from_established(moves: RequestMoves, state: str) -> tuple[str, ...] | None:
    """A transfer request accepted in a state other than established."""
    if state == _ESTABLISHED:
        return None
    return _first(
        moves,
        state,
        lambda r: (
            f"a transfer can only start from {_ESTABLISHED}, not {state}"
            if r.action == TRANSFER_ACTION
            else None
        ),
    )
