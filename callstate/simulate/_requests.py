"""The bot's request records, shaped as the Graph reference's examples, with Graph's answers.

Which request, its method, path and accepted status come from the definition's
:class:`~callstate.machine.definition.Request`; this module only dresses them
in the bodies the reference shows (``graph-facts.md``, "The bot's requests").
"""

from __future__ import annotations

from typing import Final

from callstate.machine.definition import Request
from callstate.simulate._payload import (
    BOT_APP_ID,
    GRAPH_URL,
    HEIDI_STEEN,
    IDENTITY_TYPE,
    JSONObject,
)

__all__ = [
    "GONE",
    "LEGACY_CALLS",
    "error_body",
    "record",
    "request_body",
    "request_url",
    "transferee",
]

#: Graph's answer to a request about a call that has ended (``call: keepAlive``: 404).
GONE: Final = 404
#: The deprecated collection of the 2019 beta: ``/app/calls/{id}/...``.
LEGACY_CALLS: Final = "/app/calls"
#: The collection of calls, under the Graph base URL.
CALLS: Final = "/communications/calls"
_CALLBACK: Final = "https://bot.contoso.com/api/calls"
_MEDIA: Final = {"@odata.type": "#microsoft.graph.serviceHostedMediaConfig"}


def request_url(request: Request, call_id: str, *, legacy: bool = False) -> str:
    """The full URL of ``request`` about ``call_id`` (the ``/app`` form with ``legacy``)."""
    path = request.path.replace("{id}", call_id)
    if legacy:
        path = LEGACY_CALLS + path.removeprefix(CALLS)
    return GRAPH_URL + path


def _invitation(identity: JSONObject) -> JSONObject:
    return {
        "@odata.type": "#microsoft.graph.invitationParticipantInfo",
        "identity": {"@odata.type": "#microsoft.graph.identitySet", **identity},
    }


def _heidi() -> JSONObject:
    return {"user": {"@odata.type": IDENTITY_TYPE, **HEIDI_STEEN}}


def request_body(request: Request) -> JSONObject | None:
    """The body the reference sends with ``request``, by its action (``None``: no body).

    A POST always has a body (keepAlive's is empty), a DELETE none.
    """
    if request.method == "DELETE":
        return None
    if request.opens is not None:
        return {
            "@odata.type": "#microsoft.graph.call",
            "callbackUri": _CALLBACK,
            "source": {
                "@odata.type": "#microsoft.graph.participantInfo",
                "identity": {
                    "@odata.type": "#microsoft.graph.identitySet",
                    "application": {"@odata.type": IDENTITY_TYPE, "id": BOT_APP_ID},
                },
            },
            "targets": [_invitation(_heidi())],
            "requestedModalities": ["audio"],
            "mediaConfig": _MEDIA,
        }
    bodies: dict[str | None, JSONObject] = {
        "answer": {
            "callbackUri": _CALLBACK,
            "acceptedModalities": ["audio"],
            "mediaConfig": _MEDIA,
        },
        "reject": {"reason": "none"},
        "redirect": {"targets": [_invitation(_heidi())], "timeout": 60},
    }
    return dict(bodies.get(request.action, {}))


def error_body(message: str) -> JSONObject:
    """Graph's error shape, as a refused request's response body carries it."""
    return {
        "error": {
            "code": "8505",
            "message": message,
            "innerError": {"request-id": "00000000-0000-0000-0000-000000000000"},
        }
    }


def record(
    request: Request,
    call_id: str,
    *,
    body: JSONObject | None = None,
    status: int | None = None,
    legacy: bool = False,
) -> JSONObject:
    """A request record with Graph's answer: ``status`` (the request's own when accepted).

    A create's answer carries the new call, with its id; a refused request's
    answer, Graph's error.
    """
    sent: JSONObject = {
        "method": request.method,
        "url": request_url(request, call_id, legacy=legacy),
    }
    body = request_body(request) if body is None else body
    if body is not None:
        sent["body"] = body
    answer: JSONObject = {"status": request.status if status is None else status}
    if status is not None and status >= 400:
        answer["body"] = error_body("Call not found.")
    elif request.opens is not None:
        answer["body"] = {
            "@odata.type": "#microsoft.graph.call",
            "id": call_id,
            "state": request.opens,
            "direction": "outgoing",
            "callbackUri": _CALLBACK,
        }
    return {"request": sent, "response": answer}


def transferee(participant_id: str, user_id: str) -> JSONObject:
    """The ``transferee`` of a transfer from a group call (reference example 5)."""
    return {
        "identity": {"user": {"id": user_id, "tenantId": HEIDI_STEEN["tenantId"]}},
        "participantId": participant_id,
    }
