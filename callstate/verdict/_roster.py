"""The roster rules, once: what a roster or operation notification does to a call.

A group call's roster is the one thing its record grows; the rest of a call's rules
never read it (:mod:`~callstate.verdict._packed`). :func:`regrouped` reads and returns
the four values those notifications can change, so the tracker asks it of a packed
call's values as they are, and :func:`take_part` of a record's ledger.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from callstate.verdict._ledger import EMPTY, Ledger
from callstate.verdict._notice import Part
from callstate.verdict._packed import Packing, Rostered, Stored
from callstate.verdict.finding import CallWarning, Finding

if TYPE_CHECKING:
    from callstate.verdict._asked import Policy
    from callstate.verdict._step import Record

__all__ = [
    "Grouping",
    "grouped",
    "keep_part",
    "regroup",
    "regrouped",
    "take_part",
    "touches_only",
]

#: How many participants make a group call.
_PEER_TO_PEER: Final = 2
#: The roster of a call whose roster is not known yet.
_NOBODY: Final[frozenset[str]] = frozenset()


def touches_only(part: Part) -> bool:
    """Whether ``part`` changes no call's record: an operation that invites no one, for
    which :func:`take_part` answers ``None`` without reading the record."""
    return part[0] == "operation" and not part[3]


#: What a roster or operation notification can change of a call's ledger:
#: ``(roster, group, meeting, crowded)``, as :class:`~callstate.verdict._ledger.Ledger` names them.
Grouping = tuple["frozenset[str] | None", bool, bool, bool]


def take_part(
    policy: Policy, record: Record, part: Part, call_id: str, line: int, out: list[Finding]
) -> Record | None:
    """The record after a roster or operation notification; ``None`` when nothing changed."""
    if touches_only(part):
        return None
    state, ledger, fp, hist = record
    ledger = EMPTY if ledger is None else ledger
    was = (ledger.roster, ledger.group, ledger.meeting, ledger.crowded)
    grouping = regrouped(policy, was, part, state, call_id, line, out)
    return None if grouping is None else (state, grouped(ledger, grouping), fp, hist)


def regrouped(
    policy: Policy,
    grouping: Grouping,
    part: Part,
    state: str | None,
    call_id: str,
    line: int,
    out: list[Finding],
) -> Grouping | None:
    """The roster rules, once: what ``part`` leaves of a call's ``grouping``; ``None``
    when it changes nothing. The tracker asks it of a packed call's values directly."""
    roster, group, meeting, crowded = grouping
    kind, change, ids, invites = part
    changed = False
    if invites and not group and not meeting:
        meeting = changed = True
    if kind == "participants" and not crowded:
        known = roster
        roster = _NOBODY if known is None else known
        roster = roster.difference(ids) if change == "deleted" else roster.union(ids)
        if len(roster) > policy.roster_limit:
            out.append(
                CallWarning(
                    line=line,
                    call_id=call_id,
                    rule="roster-limit",
                    message=f"the roster passed {policy.roster_limit} participants: its "
                    "membership is no longer followed",
                    state=state,
                )
            )
            return (None, True, meeting, True)
        if len(roster) > _PEER_TO_PEER and not group:
            if known is None:
                group = changed = True  # first seen with more than two: a group call
            elif not meeting:
                meeting = changed = True  # a peer-to-peer call grew: meeting mode, for good
        if roster != known:
            changed = True
        else:
            roster = known
    return (roster, group, meeting, crowded) if changed else None


def grouped(ledger: Ledger, grouping: Grouping) -> Ledger:
    """``ledger`` with what :func:`regrouped` left."""
    roster, group, meeting, crowded = grouping
    return ledger.but(roster=roster, group=group, meeting=meeting, crowded=crowded)


def regroup(
    policy: Policy,
    packing: Packing,
    kept: Stored,
    part: Part,
    call_id: str,
    line: int,
    out: list[Finding],
) -> Stored:
    """What a roster or operation notification leaves of the live call the tracker keeps
    as ``kept``. A packed call has no group, no meeting mode and no cap passed, so its
    values go to :func:`regrouped` as they are: no ledger is built to read them, and when
    only its roster changed, the same int goes beside the new roster."""
    low = kept[0] if type(kept) is Rostered else kept
    if type(low) is not int:  # a record as it is: its ledger holds the values
        changed = take_part(policy, kept, part, call_id, line, out)  # type: ignore[arg-type]
        return kept if changed is None else packing.pack(changed)
    roster: frozenset[str] | None = None if low is kept else kept[1]  # type: ignore[index, assignment]
    state = packing.state_of(low)
    grouping = regrouped(policy, (roster, False, False, False), part, state, call_id, line, out)
    if grouping is None:
        return kept
    roster, group, meeting, crowded = grouping
    if roster is not None and not (group or meeting or crowded):
        return Rostered(low, roster)
    _, ledger, fp, hist = packing.unpack(low)
    return packing.pack((state, grouped(EMPTY if ledger is None else ledger, grouping), fp, hist))


def keep_part(
    policy: Policy,
    packing: Packing,
    live: dict[str, Stored],
    part: Part,
    call_id: str,
    line: int,
    out: list[Finding],
) -> None:
    """A roster or operation notification about a call of ``live``: the call moves to the end
    (activity keeps it from being evicted as idle), regrouped if the notification changes it."""
    if call_id in live:
        kept = live.pop(call_id)
        if not touches_only(part):
            kept = regroup(policy, packing, kept, part, call_id, line, out)
        live[call_id] = kept
