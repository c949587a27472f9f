"""The Graph ``call`` resource: what a notification's resourceData says of a call.

The model the machine drives, :class:`callstate.Call`, extends it one layer up,
so reading Graph JSON never imports the engine.
"""

from __future__ import annotations

from typing import Annotated, Any

import attrs

from callstate.graph._schema import Json, JsonForm
from callstate.graph.enums import CallDirection, CallState
from callstate.graph.resources import (
    CallMediaState,
    InvitationParticipantInfo,
    ParticipantInfo,
    ResultInfo,
)

__all__ = ["Call"]


@attrs.define
class Call:
    """Graph ``call``, as a notification or a request carries it.

    ``state`` is a plain ``str`` holding a :class:`CallState` value (``CallState``
    is a ``StrEnum``, so ``call.state == CallState.ESTABLISHED`` works), or None
    when a notification carries no state. ``tone_info``, ``chat_info``,
    ``meeting_info`` and ``incoming_context`` stay plain JSON.
    """

    id: str | None = None
    state: Annotated[str | None, Json(enum=CallState)] = None
    result_info: ResultInfo | None = None
    termination_reason: str | None = None
    media_state: CallMediaState | None = None
    replaces_context: str | None = None
    direction: CallDirection | None = None
    call_chain_id: str | None = None
    incoming_context: dict[str, Any] | None = None
    tone_info: dict[str, Any] | None = None
    chat_info: dict[str, Any] | None = None
    meeting_info: dict[str, Any] | None = None
    callback_uri: str | None = None
    subject: str | None = None
    source: ParticipantInfo | None = None
    targets: list[InvitationParticipantInfo] | None = None
    odata_type: str | None = attrs.field(default=None, kw_only=True)
    extra: dict[str, Any] = attrs.field(factory=dict, kw_only=True)
    _form: JsonForm | None = attrs.field(default=None, init=False, eq=False, repr=False)
