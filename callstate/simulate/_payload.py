"""Graph payloads for simulated calls: notification envelopes and transfer request records.

Shapes and ``@odata.type`` strings follow the ``call: transfer`` page and the Graph
reference; the state, result codes and termination reason of a machine event are read
from the definition's :class:`~callstate.machine.definition.Event` and its markers, so
a changed marker changes the payloads with it.
"""

from __future__ import annotations

import uuid
from typing import Any, Final, TypeAlias

from callstate.errors import UsageError
from callstate.facts import SUCCESS_MESSAGE, TRANSFER_SUCCESS
from callstate.machine.definition import CALL_MACHINE, Event, MachineDefinition, Marker

__all__ = [
    "SUBCODE_KEYS",
    "TARGETS",
    "JSONObject",
    "call_url",
    "envelope",
    "event_notification",
    "notification",
    "participant_id",
    "result_info",
    "transfer_request",
]

#: One JSON object, as ``orjson`` reads and writes it.
JSONObject: TypeAlias = dict[str, Any]

#: Who a transfer goes to: a Teams user, or a PSTN number (the spec's two targets).
TARGETS: Final = ("user", "pstn")

#: The two spellings of ``resultInfo``'s subcode: the reference's, and the transfer page's.
SUBCODE_KEYS: Final = ("subcode", "subCode")

GRAPH_URL: Final = "https://graph.microsoft.com/v1.0"
_NOTIFICATIONS: Final = "#microsoft.graph.commsNotifications"
_NOTIFICATION: Final = "#microsoft.graph.commsNotification"
_CALL: Final = "#microsoft.graph.call"
RESULT_INFO_TYPE: Final = "#microsoft.graph.resultInfo"
#: The ``@odata.type`` of an identity (a user, an application).
IDENTITY_TYPE: Final = "#microsoft.graph.identity"

#: The transfer target of the spec's user examples.
HEIDI_STEEN: Final = {
    "id": "550fae72-d251-43ec-868c-373732c2704f",
    "tenantId": "72f988bf-86f1-41af-91ab-2d7cd011db47",
    "displayName": "Heidi Steen",
}
#: The application id of the simulated bot.
BOT_APP_ID: Final = "d4b3c2a1-7e6f-4a5b-9c8d-0e1f2a3b4c5d"
#: The transfer target of the spec's PSTN examples.
PSTN_NUMBER: Final = "+12345678901"


def call_url(call_id: str) -> str:
    """The ``resourceUrl`` of a call."""
    return f"/communications/calls/{call_id}"


def envelope(resource_url: str, change_type: str, resource_data: Any) -> JSONObject:
    """A commsNotifications webhook body holding one notification."""
    return {
        "@odata.type": _NOTIFICATIONS,
        "value": [
            {
                "@odata.type": _NOTIFICATION,
                "changeType": change_type,
                "resourceUrl": resource_url,
                "resourceData": resource_data,
            }
        ],
    }


def notification(
    call_id: str, *, state: str | None = None, change_type: str = "updated", **call_fields: Any
) -> JSONObject:
    """An envelope for one call notification; ``call_fields`` are Graph call properties.

    ``state=None`` leaves ``state`` out, as Graph does for data-only updates (mediaState)
    and for a rejected call's ``deleted``.
    """
    data: JSONObject = {"@odata.type": _CALL}
    if state is not None:
        data["state"] = state
    data.update(call_fields)
    return envelope(call_url(call_id), change_type, data)


def result_info(
    code: int,
    subcode: int,
    message: str,
    *,
    subcode_key: str = "subcode",
    string_codes: bool = False,
) -> JSONObject:
    """A ``resultInfo`` in either subcode spelling, codes as integers or digit strings."""
    if subcode_key not in SUBCODE_KEYS:
        raise UsageError("subcode_key", f"expected one of {SUBCODE_KEYS}, got {subcode_key!r}")
    return {
        "@odata.type": RESULT_INFO_TYPE,
        "code": str(code) if string_codes else code,
        subcode_key: str(subcode) if string_codes else subcode,
        "message": message,
    }


def _marker_of(event: Event, kind: str | None, index: int) -> Marker | None:
    kinds = list(event.kinds)
    if not kinds:
        if kind is not None:
            raise UsageError("kind", f"event {event.name!r} carries no marker, got kind {kind!r}")
        return None
    found = event.markers_of(kind) if kind is not None else ()
    if not found:
        raise UsageError("kind", f"event {event.name!r} needs a kind, one of {kinds}, got {kind!r}")
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(found):
        raise UsageError(
            "marker",
            f"event {event.name!r} has {len(found)} {kind} marker(s), expected an index "
            f"0..{len(found) - 1}, got {index!r}",
        )
    return found[index]


def _message(definition: MachineDefinition, event: Event, marker: Marker) -> str:
    """The spec's message for a completed transfer; any other result gets its event's doc."""
    if definition.kinds:
        success = {r for k in definition.kinds for r in k.success}
    else:
        success = {r for results in TRANSFER_SUCCESS.values() for r in results}
    if marker.result in success:
        return SUCCESS_MESSAGE
    return f"{event.doc or event.name} DiagCode: {marker.code}#{marker.subcode}.@"


def event_notification(
    call_id: str,
    event: str,
    kind: str | None = None,
    *,
    marker: int = 0,
    definition: MachineDefinition = CALL_MACHINE,
    subcode_key: str = "subcode",
    string_codes: bool = False,
    **call_fields: Any,
) -> JSONObject:
    """The notification that reports machine ``event`` (with a marker of ``kind``).

    State, result codes and termination reason come from the definition: ``marker``
    picks one of the event's markers of ``kind`` (an index in definition order; they
    all mean the same outcome). The change type is ``created`` for the initial
    state, ``deleted`` for a final one, else ``updated``. ``call_fields`` add or
    override call properties.
    """
    try:
        spec = definition.event(event)
    except KeyError:
        names = [e.name for e in definition.events]
        raise UsageError("event", f"expected one of {names}, got {event!r}") from None
    found = _marker_of(spec, kind, marker)
    fields: JSONObject = {}
    if found is not None:
        if found.code is not None and found.subcode is not None:
            message = _message(definition, spec, found)
            fields["resultInfo"] = result_info(
                found.code,
                found.subcode,
                message,
                subcode_key=subcode_key,
                string_codes=string_codes,
            )
        if found.termination_reason is not None:
            fields["terminationReason"] = found.termination_reason
    fields.update(call_fields)
    if spec.reports in definition.final:
        change_type = "deleted"
    elif spec.reports == definition.initial:
        change_type = "created"
    else:
        change_type = "updated"
    return notification(call_id, state=spec.reports, change_type=change_type, **fields)


#: commsOperation notifications a bot sees while a call is up, by operation name.
OPERATIONS: Final = {
    "playPrompt": "#microsoft.graph.playPromptOperation",
    "recordResponse": "#microsoft.graph.recordOperation",
    "subscribeToTone": "#microsoft.graph.subscribeToToneOperation",
}


def operation_notification(
    call_id: str,
    operation_id: str,
    operation: str,
    *,
    status: str,
    client_context: str,
    subcode_key: str = "subcode",
    string_codes: bool = False,
) -> JSONObject:
    """A commsOperation notification; ``completed`` arrives as ``deleted``, with a resultInfo."""
    if operation not in OPERATIONS:
        raise UsageError("operation", f"expected one of {list(OPERATIONS)}, got {operation!r}")
    data: JSONObject = {
        "@odata.type": OPERATIONS[operation],
        "id": operation_id,
        "clientContext": client_context,
        "status": status,
    }
    change_type = "updated"
    if status == "completed":
        change_type = "deleted"
        data["resultInfo"] = result_info(
            200,
            0,
            "Action completed successfully.",
            subcode_key=subcode_key,
            string_codes=string_codes,
        )
    return envelope(f"{call_url(call_id)}/operations/{operation_id}", change_type, data)


def _participant(participant_id: str, identity: JSONObject) -> JSONObject:
    return {
        "@odata.type": "#microsoft.graph.participant",
        "id": participant_id,
        "info": {
            "@odata.type": "#microsoft.graph.participantInfo",
            "identity": {"@odata.type": "#microsoft.graph.identitySet", **identity},
            "endpointType": "default",
        },
        "mediaStreams": [
            {
                "@odata.type": "#microsoft.graph.mediaStream",
                "mediaType": "audio",
                "direction": "sendReceive",
                "serverMuted": False,
            }
        ],
        "isMuted": False,
        "isInLobby": False,
    }


def participant_id(call_id: str, number: int) -> str:
    """The id of a simulated call's ``number``-th participant (0: the caller, 1: the bot)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{call_id}/participants/{number}"))


def participants_notification(call_id: str, *, caller_id: str, count: int = 2) -> JSONObject:
    """The roster notification: ``resourceData`` is an array of ``count`` participants.

    The caller and the bot come first, then guests. Participant ids are derived from
    the call id (:func:`participant_id`), so the same call always gets the same.
    """
    caller = {
        "user": {
            "@odata.type": IDENTITY_TYPE,
            "id": caller_id,
            "tenantId": HEIDI_STEEN["tenantId"],
            "displayName": "Adele Vance",
        }
    }
    bot = {
        "application": {
            "@odata.type": IDENTITY_TYPE,
            "id": BOT_APP_ID,
            "displayName": "Contoso Bot",
        }
    }
    guests = [
        {
            "user": {
                "@odata.type": IDENTITY_TYPE,
                "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{call_id}/guests/{n}")),
                "tenantId": HEIDI_STEEN["tenantId"],
                "displayName": f"Guest {n}",
            }
        }
        for n in range(count - 2)
    ]
    roster = [
        _participant(participant_id(call_id, n), who)
        for n, who in enumerate((caller, bot, *guests))
    ]
    return envelope(f"{call_url(call_id)}/participants", "updated", roster)


def _set(body: JSONObject, pointer: str, value: str) -> None:
    """Set the field at JSON pointer ``pointer`` of ``body``, making objects on the way."""
    keys = [k.replace("~1", "/").replace("~0", "~") for k in pointer.split("/")[1:]]
    if not pointer.startswith("/") or not all(keys):
        raise UsageError("selected_by", f"expected a JSON pointer to a field, got {pointer!r}")
    for key in keys[:-1]:
        found = body.setdefault(key, {})
        if not isinstance(found, dict):
            raise UsageError("selected_by", f"{pointer!r} runs through a value that is no object")
        body = found
    body[keys[-1]] = value


def transfer_request(
    call_id: str,
    *,
    target: str,
    client_context: str,
    selected_by: str | None = None,
    selector: str | None = None,
) -> JSONObject:
    """A ``{"request": ...}`` record of a ``call: transfer`` POST, shaped as the spec's examples.

    ``target`` is ``user`` (Heidi Steen) or ``pstn`` (+12345678901). ``selected_by``
    is the JSON pointer of the body field that selects a transfer kind
    (:attr:`~callstate.machine.definition.TransferKind.selected_by`): the field is
    set to ``selector`` and the body takes the annotated shape of the spec's
    consultative examples. ``None`` gives the default kind's (blind) body.
    """
    selected = selected_by is not None
    if selected and not isinstance(selector, str):
        raise UsageError(
            "selector", f"a kind selected by a field needs its value, got {selector!r}"
        )
    identity: JSONObject
    if target == "user":
        user = dict(HEIDI_STEEN)
        identity = {"user": {"@odata.type": IDENTITY_TYPE, **user} if selected else user}
    elif target == "pstn":
        identity = {"phone": {"@odata.type": IDENTITY_TYPE, "id": PSTN_NUMBER}}
    else:
        raise UsageError("target", f"expected one of {list(TARGETS)}, got {target!r}")
    transfer_target: JSONObject = {"endpointType": "default", "identity": identity}
    if selected:
        identity_set = {"@odata.type": "#microsoft.graph.identitySet", **identity}
        transfer_target = {
            "@odata.type": "#microsoft.graph.invitationParticipantInfo",
            "endpointType": "default",
            "identity": identity_set,
        }
    transfer_target["languageId"] = "en-us"
    transfer_target["region"] = "amer"
    body: JSONObject = {"transferTarget": transfer_target, "clientContext": client_context}
    if selected_by is not None and selector is not None:
        _set(body, selected_by, selector)
    return {
        "request": {
            "method": "POST",
            "url": f"{GRAPH_URL}/communications/calls/{call_id}/transfer",
            "body": body,
        }
    }
