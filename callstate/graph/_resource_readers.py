"""The resource classes read by more than their slots: notifications and result info.

A notification's ``resourceData`` is typed by what its URL names (and by
``@odata.type``); a ``resultInfo`` is checked by :func:`~callstate.graph.wire.read_result`,
the reader the tracker uses, so both spellings of its subcode are accepted and
rejected alike everywhere. Importing this module registers both readers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from callstate.errors import ParseError
from callstate.graph._plans import Plan, build, plan, read_object, read_values, reads
from callstate.graph.call import Call
from callstate.graph.notification import CommsNotification, ResourceItem
from callstate.graph.resources import CommsOperation, Participant, ResultInfo
from callstate.graph.wire import (
    ResourceKind,
    describe,
    read_progress_word,
    read_resource,
    read_result,
)

__all__ = ["read_notification"]

_TYPED: Final[dict[str, type[Any]]] = {
    "#microsoft.graph.call": Call,
    "#microsoft.graph.participant": Participant,
    "#microsoft.graph.commsOperation": CommsOperation,
}
_BY_KIND: Final[dict[ResourceKind, type[Any]]] = {
    "call": Call,
    "operation": CommsOperation,
    "participants": Participant,
}


@reads(ResultInfo)
def _read_result_info(info_plan: Plan, data: Any, pointer: str) -> Any:
    word = read_progress_word(data)
    if word is not None:  # the 2019 flow's word subcode is kept as it came, beside the rest
        key, text = word
        rest = {k: v for k, v in data.items() if k != key}
        info = build(info_plan, *read_values(info_plan, rest, pointer))
        info.extra[key] = text
        return info
    if isinstance(data, Mapping):
        read_result(data, pointer)  # the spellings given together must agree
    return build(info_plan, *read_values(info_plan, data, pointer))


def _resource_class(item: Mapping[str, Any], kind: ResourceKind) -> type[Any] | None:
    odata = item.get("@odata.type")
    if type(odata) is not str:
        return _BY_KIND[kind]  # a non-string @odata.type is then reported at its pointer
    typed = _TYPED.get(odata)
    if typed is None and odata.startswith("#microsoft.graph.") and odata.endswith("Operation"):
        typed = CommsOperation
    return typed


def _read_item(item: Any, kind: ResourceKind, pointer: str) -> ResourceItem:
    if not isinstance(item, Mapping):
        raise ParseError(
            f"expected an object (the {kind} resource), got {describe(item)}", pointer=pointer
        )
    cls = _resource_class(item, kind)
    if cls is None:
        return dict(item)
    result: ResourceItem = read_object(plan(cls), item, pointer)
    return result


@reads(CommsNotification)
def read_notification(notification_plan: Plan, data: Any, pointer: str) -> CommsNotification:
    """One ``commsNotification``, its ``resourceData`` typed by what its URL names."""
    if not isinstance(data, Mapping):
        raise ParseError(
            f"expected an object (commsNotification), got {describe(data)}", pointer=pointer
        )
    ref = read_resource(data, pointer)
    try:
        values, form, extra = read_values(notification_plan, data, pointer)
        body = data.get("resourceData")
        where = f"{pointer}/resourceData"
        if type(body) is list:
            values["resource_data"] = [
                _read_item(item, ref.kind, f"{where}/{i}") for i, item in enumerate(body)
            ]
        elif body is not None:
            values["resource_data"] = _read_item(body, ref.kind, where)
    except ParseError as error:
        if error.call_id is None:
            error.call_id = ref.call_id
        raise
    result: CommsNotification = build(notification_plan, values, form, extra)
    return result
