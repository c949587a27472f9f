"""A small calling bot's notification handler: it keeps each call's Graph state in a dict.

This is the code under test in ``test_sample_bot.py``; it knows nothing of callstate.
"""

from __future__ import annotations

import re
from typing import Any

# /communications/calls/{id}, optionally .../operations/{op} or .../participants (and legacy /app).
_URL = re.compile(r"(?:/communications|/app)/calls/(?P<id>[^/]+)(?P<sub>/.*)?$")
# Graph may deliver these late, after the call is already established: they do not move it back.
_LATE = {"establishing", "ringing"}


class CallBook:
    """Call id -> Graph ``callState``; ended calls are forgotten."""

    def __init__(self) -> None:
        self.states: dict[str, str] = {}

    def handle(self, body: dict[str, Any]) -> None:
        """Apply one webhook body (a commsNotifications envelope)."""
        for note in body.get("value", []):
            match = _URL.search(note.get("resourceUrl") or note.get("resource") or "")
            if match is None or match["sub"]:
                continue  # not a call, or an operation / roster update: no state change
            call_id, data = match["id"], note.get("resourceData") or {}
            state = data.get("state")
            if state is None and note.get("changeType") == "deleted":
                state = "terminated"  # a rejected or dropped call can end with no state
            if state is None:
                continue  # a data-only update, e.g. mediaState
            if state in _LATE and self.states.get(call_id) == "established":
                continue
            if state == "terminated":
                self.states.pop(call_id, None)
            else:
                self.states[call_id] = state

    def state(self, call_id: str) -> str | None:
        """The call's state, or None once it ended (or was never seen)."""
        return self.states.get(call_id)
