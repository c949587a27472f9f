"""Payloads of the calls the bot's requests tell: group calls, and the 2019 beta's form.

Shapes follow ``graph-facts.md`` ("Group calls and meeting mode", "The 2019 transfer
flow"); the states a legacy operation names come from the definition, by the caller.
"""

from __future__ import annotations

import uuid
from typing import Final

from callstate.simulate._payload import (
    HEIDI_STEEN,
    IDENTITY_TYPE,
    RESULT_INFO_TYPE,
    JSONObject,
    call_url,
    envelope,
)
from callstate.simulate._requests import CALLS, LEGACY_CALLS

__all__ = ["LEGACY_OPERATION", "group_fields", "legacy", "legacy_operation"]


def group_fields(call_id: str) -> JSONObject:
    """What a group call's notification carries: its ``chatInfo`` and ``meetingInfo``."""
    thread = f"19:meeting_{uuid.uuid5(uuid.NAMESPACE_URL, f'{call_id}/thread').hex}@thread.v2"
    return {
        "chatInfo": {"@odata.type": "#microsoft.graph.chatInfo", "threadId": thread},
        "meetingInfo": {
            "@odata.type": "#microsoft.graph.organizerMeetingInfo",
            "organizer": {
                "@odata.type": "#microsoft.graph.identitySet",
                "user": {"@odata.type": IDENTITY_TYPE, **HEIDI_STEEN},
            },
        },
    }


#: The 2019 beta's commsOperation, which carried a transfer's progress.
LEGACY_OPERATION: Final = "#microsoft.graph.commsOperation"


def legacy(body: JSONObject, etag: int) -> JSONObject:
    """A webhook body in the 2019 beta's form: ``resource`` under ``/app/calls``, ids, etags."""
    notes = []
    for note in body["value"]:
        resource = LEGACY_CALLS + note["resourceUrl"].removeprefix(CALLS)
        old = {k: v for k, v in note.items() if k != "resourceUrl"}
        data = dict(old["resourceData"]) if isinstance(old["resourceData"], dict) else None
        if data is not None:
            data["@odata.id"] = resource
            data["@odata.etag"] = f'W/"{etag}"'
            old["resourceData"] = data
        notes.append({**old, "resource": resource})
    return {**body, "value": notes}


def legacy_operation(call_id: str, operation_id: str, *, word: str, done: bool) -> JSONObject:
    """The 2019 flow's operation notification: the transfer's progress as a word subcode.

    Codes are strings, as they were; the last one is ``completed`` and arrives as ``deleted``.
    """
    data: JSONObject = {
        "@odata.type": LEGACY_OPERATION,
        "id": operation_id,
        "status": "completed" if done else "running",
        "resultInfo": {"@odata.type": RESULT_INFO_TYPE, "code": "200", "subCode": word},
    }
    resource = f"{call_url(call_id)}/operations/{operation_id}"
    return envelope(resource, "deleted" if done else "updated", data)
