"""The Graph ``call`` resource, which is also the model the machine drives."""

from __future__ import annotations

from typing import Annotated, Any, NamedTuple

import attrs

from callstate.graph._schema import RUNTIME, Json, JsonForm
from callstate.graph.enums import CallDirection, CallState
from callstate.graph.resources import (
    CallMediaState,
    InvitationParticipantInfo,
    ParticipantInfo,
    ResultInfo,
)
from callstate.machine.definition import Transition
from callstate.machine.engine import ENGINE

__all__ = ["Call", "HistoryEntry"]


class HistoryEntry(NamedTuple):
    """One step a call took: ``event`` (with its marker ``kind``) moved it ``source`` -> ``dest``.

    Same-state updates and internal transitions are recorded too, with ``source == dest``.
    A named tuple, not an attrs class: one is built per event, on the measured hot path.
    """

    event: str
    source: str
    dest: str
    kind: str | None = None


_new_entry = tuple.__new__


@attrs.define
class Call:
    """Graph ``call``, and the model the shared engine drives.

    ``state`` is a plain ``str`` holding a :class:`CallState` value (``CallState``
    is a ``StrEnum``, so ``call.state == CallState.ESTABLISHED`` works), or None
    when a notification carries no state. ``tone_info``, ``chat_info``,
    ``meeting_info`` and ``incoming_context`` stay plain JSON. ``history`` is
    runtime data: it is neither written to JSON nor compared.
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
    history: list[HistoryEntry] = attrs.field(
        factory=list, kw_only=True, eq=False, repr=False, metadata=RUNTIME
    )
    _form: JsonForm | None = attrs.field(default=None, init=False, eq=False, repr=False)

    def fire(self, event: str, *, kind: str | None = None) -> Transition | None:
        """Move the call by ``event`` (``kind`` is the marker kind, for guarded events).

        Returns the transition taken, or None for a same-state update. Raises
        :class:`~callstate.errors.IllegalTransition` naming the call, its state, the
        event and the allowed events; the call is then left unchanged.
        """
        source = self.state
        step = ENGINE.fire(self, event, kind=kind)
        # tuple.__new__ skips the named tuple's Python-level __new__: this runs once per event.
        self.history.append(_new_entry(HistoryEntry, (event, source, self.state, kind)))
        return step

    def allowed_events(self) -> tuple[str, ...]:
        """The events the call accepts in its current state."""
        if self.state is None:
            return ()
        return ENGINE.allowed_events(self.state)
