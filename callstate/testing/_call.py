"""A call driven through the engine by hand, yielding the notifications Graph would send."""

from __future__ import annotations

import attrs

from callstate.call import Call
from callstate.graph import CallDirection
from callstate.machine import CALL_MACHINE
from callstate.simulate import JSONObject, event_notification

__all__ = ["SimulatedCall"]


@attrs.define
class SimulatedCall:
    """A :class:`~callstate.Call` moved by :meth:`fire` through the shared engine.

    ``fire`` refuses what the machine refuses (``IllegalTransition``), so a
    scripted call can only take documented paths.
    """

    call_id: str = "57dab8b1-894c-409a-b240-bd8beae78896"
    call: Call = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        self.call = Call(
            id=self.call_id, state=CALL_MACHINE.initial, direction=CallDirection.INCOMING
        )

    @property
    def state(self) -> str | None:
        """The call's state."""
        return self.call.state

    def offer(self) -> JSONObject:
        """The ``incoming`` notification that opens the call (it is already in that state)."""
        return event_notification(self.call_id, "offer")

    def fire(self, event: str, kind: str | None = None) -> JSONObject:
        """Move the call by ``event`` and return the notification that reports it."""
        self.call.fire(event, kind=kind)
        return event_notification(self.call_id, event, kind)
