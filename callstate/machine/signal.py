"""From what a notification carries to the one event it reports.

The classifier works on plain values (state, change type, codes, reason) that the
parse layer extracts, so the machine never reads JSON; its tables come from the
definition's events and markers, so a new marker needs no code here.
"""

from __future__ import annotations

from callstate.errors import CallstateError
from callstate.machine.definition import CALL_MACHINE, MachineDefinition

__all__ = ["CLASSIFIER", "Classifier", "SignalError"]

#: ``(event, marker kind or None)``
Signal = tuple[str, str | None]


class SignalError(CallstateError):
    """A notification that reports no event: an unknown state, or a marker out of place."""

    def __init__(self, rule: str, message: str) -> None:
        self.rule = rule
        self.message = message
        super().__init__(message)


class Classifier:
    """Maps a notification's values to ``(event, kind)``, derived from a definition."""

    def __init__(self, definition: MachineDefinition = CALL_MACHINE) -> None:
        self.definition = definition
        self.plain: dict[str, str] = {}
        self.by_result: dict[tuple[int, int], tuple[str, str, str]] = {}
        self.by_reason: dict[str, tuple[str, str, str]] = {}
        for event in definition.events:
            if not event.markers:
                self.plain.setdefault(event.reports, event.name)
            for m in event.markers:
                entry = (event.name, m.kind, event.reports)
                if m.termination_reason is not None:
                    self.by_reason[m.termination_reason.lower()] = entry
                if m.code is not None and m.subcode is not None:
                    self.by_result[(m.code, m.subcode)] = entry
        #: The state a ``deleted`` notification without one reports.
        self.ended = min(s for s in definition.final if s in self.plain)

    def classify(
        self,
        state: str | None,
        *,
        deleted: bool = False,
        code: int | None = None,
        subcode: int | None = None,
        termination_reason: str | None = None,
    ) -> Signal | None:
        """The event a call notification reports, or ``None`` when it only carries data.

        A ``deleted`` notification with no state reports the end of the call.
        Raises :class:`SignalError` for a state the machine does not know, or a
        transfer-result marker on a notification of another state.
        """
        if state is None:
            if not deleted:
                return None
            state = self.ended
        found = None
        if code is not None and subcode is not None:
            found = self.by_result.get((code, subcode))
        if termination_reason is not None:
            by_reason = self.by_reason.get(termination_reason.lower())
            if by_reason is not None:
                if found is not None and found[:2] != by_reason[:2]:
                    raise SignalError(
                        "misplaced-marker",
                        f"resultInfo {code}/{subcode} and terminationReason "
                        f"{termination_reason!r} report different transfer outcomes",
                    )
                found = by_reason
        if found is not None:
            event, kind, reports = found
            if reports != state:
                marker = self.definition.event(event).marker(kind)
                label = marker.label if marker is not None else kind
                raise SignalError(
                    "misplaced-marker",
                    f"{label} ({event.replace('_', ' ')}, {kind}) arrived with state "
                    f"{state!r}; it belongs to {reports!r}",
                )
            return event, kind
        event_name = self.plain.get(state)
        if event_name is None:
            raise SignalError(
                "unknown-state", f"state {state!r} is not a state of the call machine"
            )
        return event_name, None


#: The classifier for :data:`~callstate.machine.definition.CALL_MACHINE`.
CLASSIFIER = Classifier()
