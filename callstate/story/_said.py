"""What one decoded trace line says about each call, read leniently for the story.

The tracker decides what a line *does*; this only reads what it *says* (the
resource, the change type, the named state, the result and its documented
meaning), with the same :mod:`callstate.graph.wire` readers. Anything unreadable
is skipped here: the tracker reports it, and the story shows that finding.
"""

from __future__ import annotations

from typing import Any

import attrs

from callstate.errors import ParseError
from callstate.facts import meaning
from callstate.graph.wire import (
    parse_call_path,
    read_change_type,
    read_resource,
    read_result,
)
from callstate.machine.definition import MachineDefinition

__all__ = ["Said", "said_by"]


@attrs.frozen
class Said:
    """One notification or request of a line, for one call, as read for the story."""

    call_id: str
    what: str
    change: str | None = None
    state: str | None = None
    code: int | None = None
    subcode: int | None = None
    reason: str | None = None
    detail: str = ""

    @property
    def meaning(self) -> str | None:
        """The documented meaning of its result, if it carried one Graph documents."""
        if self.code is None and self.subcode is None and self.reason is None:
            return None
        return meaning(self.code, self.subcode, self.reason)


def said_by(body: dict[str, Any], definition: MachineDefinition) -> list[Said]:
    """Every readable notification and request of a decoded webhook body, in order."""
    value = body.get("value")
    if value is not None:
        return (
            [s for n in value if (s := _notification(n)) is not None] if type(value) is list else []
        )
    if "request" in body:
        found = _request(body.get("request"), body.get("response"), definition)
        return [] if found is None else [found]
    if "changeType" in body or "resourceUrl" in body or "resource" in body:
        found = _notification(body)
        return [] if found is None else [found]
    return []


def _notification(n: object) -> Said | None:
    if type(n) is not dict:
        return None
    try:
        ref = read_resource(n)
    except ParseError:
        return None
    try:
        change: str | None = read_change_type(n.get("changeType"), "/changeType")
    except ParseError:
        change = None
    data = n.get("resourceData")
    if type(data) is list and len(data) == 1:
        data = data[0]
    if ref.kind == "participants":
        who = f" {ref.sub_id}" if ref.sub_id else ""
        listed = n.get("resourceData")
        count = f" ({len(listed)} listed)" if type(listed) is list else ""
        return Said(ref.call_id, "participants", change, detail=f"participants{who}{count}")
    if type(data) is not dict:
        data = {}
    code, subcode = _result(data.get("resultInfo"))
    reason = data.get("terminationReason")
    reason = reason if type(reason) is str else None
    if ref.kind == "operation":
        status = data.get("status")
        said = f": {status}" if type(status) is str else ""
        detail = f"operation {ref.sub_id}{said}"
        return Said(ref.call_id, "operation", change, None, code, subcode, reason, detail)
    state = data.get("state")
    return Said(
        ref.call_id,
        "notification",
        change,
        state if type(state) is str else None,
        code,
        subcode,
        reason,
    )


def _result(info: object) -> tuple[int | None, int | None]:
    try:
        return read_result(info, "/resourceData/resultInfo")
    except ParseError:
        return None, None


def _request(request: object, response: object, definition: MachineDefinition) -> Said | None:
    if type(request) is not dict:
        return None
    try:
        path = parse_call_path(request.get("url"), "/request/url")
    except ParseError:
        return None
    if path.call_id is None:
        return None
    method = request.get("method", "POST")
    words = [method.upper() if type(method) is str else "?", "/".join(path.rest) or "(the call)"]
    body = request.get("body")
    if path.rest and path.rest[-1].lower() == "transfer" and type(body) is dict:
        kind = definition.kind_of(body)
        if kind is not None:
            words.append(f"({kind})")
    if type(response) is dict and type(response.get("status")) is int:
        words.append(f"answered {response['status']}")
    return Said(path.call_id, "request", detail=" ".join(words))
