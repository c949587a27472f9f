"""What a tracker knows of a call beyond its state: the bot's requests, time and roster.

A call's record holds a :class:`Ledger` only once something beyond Graph's states
is known about it (a request, a time, a group-call sign), so a trace of bare
notifications costs no more memory than before. It is immutable: the rules return
a new one, so a shared store's compare-and-set sees every change.
"""

from __future__ import annotations

from collections.abc import Mapping
from operator import attrgetter
from typing import Any, Final

import attrs

from callstate.errors import ParseError
from callstate.graph.wire import MAX_ID, describe, is_id
from callstate.machine.compiled import Compiled

__all__ = ["EMPTY", "MAX_ROSTER", "Ledger", "ledger_from_json", "ledger_to_json"]

#: The largest roster cap a tracker takes.
MAX_ROSTER: Final = 65_536


@attrs.frozen(slots=True)
class Ledger:
    """A call's requests, clocks and roster, as the rules left them.

    ``kind`` is the transfer kind the bot's request announced; ``expect`` the
    accepted request whose :class:`~callstate.machine.definition.Expect` the next
    state change must meet, sent at ``expect_line``. ``told_at`` is when the call's
    state was told and ``before`` the state before it: a request sent earlier is
    judged by that one. ``clocks`` holds, per timeout of the definition, when its
    clock started (``None``: not running, or already reported). ``group`` and
    ``meeting`` say the call is a group call or a peer-to-peer call in meeting mode;
    ``roster`` holds its participant ids (``None``: unknown, and for good when
    ``crowded`` says it grew past the cap). ``legacy`` marks a transfer reported the
    2019 way, on the operation; ``outgoing`` a call the bot created.
    """

    kind: str | None = None
    expect: str | None = None
    expect_line: int | None = None
    told_at: float | None = None
    before: str | None = None
    clocks: tuple[float | None, ...] = ()
    group: bool = False
    meeting: bool = False
    roster: frozenset[str] | None = None
    crowded: bool = False
    legacy: bool = False
    outgoing: bool = False

    def clock(self, index: int) -> float | None:
        """When timeout ``index``'s clock started, if it is running."""
        return self.clocks[index] if index < len(self.clocks) else None

    def with_clock(self, index: int, started: float | None, count: int) -> Ledger:
        """This ledger with timeout ``index``'s clock set to ``started`` (``count`` timeouts)."""
        clocks = list(self.clocks) + [None] * (count - len(self.clocks))
        clocks[index] = started
        return self.but(clocks=tuple(clocks))

    def but(self, **changes: Any) -> Ledger:
        """This ledger with ``changes``: :func:`attrs.evolve` without its introspection,
        which cost several times this on the tracker's hot path."""
        values = list(_VALUES(self))
        for name, value in changes.items():
            values[_PLACES[name]] = value
        return Ledger(*values)


#: Each field's place in the order :class:`Ledger` takes them, and all of them at once.
_PLACES: Final = {name: i for i, name in enumerate(attrs.fields_dict(Ledger))}
_VALUES: Final = attrgetter(*_PLACES)

#: The ledger of a call nothing beyond its state is known of.
EMPTY: Final = Ledger()

_FIELDS: Final = (
    "kind",
    "expect",
    "expectLine",
    "toldAt",
    "before",
    "clocks",
    "group",
    "meeting",
    "roster",
    "crowded",
    "legacy",
    "outgoing",
)


def ledger_to_json(ledger: Ledger | None) -> Any:
    """The ledger as JSON: ``null``, the bare kind (all 0.1 snapshots knew), or an object."""
    if ledger is None:
        return None
    if ledger.but(kind=None) == EMPTY:
        return ledger.kind
    values = attrs.astuple(ledger, recurse=False)
    out = {}
    for key, value in zip(_FIELDS, values, strict=True):
        if value is None or value is False or value == ():
            continue
        out[key] = sorted(value) if key == "roster" else list(value) if key == "clocks" else value
    return out


def ledger_from_json(value: object, pointer: str, machine: Compiled | None) -> Ledger | None:
    """The ledger :func:`ledger_to_json` wrote, checked field by field (a snapshot may be
    hostile); without ``machine``, names are not checked against a definition."""
    if value is None:
        return None
    anything = _Anything()
    kinds: set[str] | _Anything = anything
    requests: set[str] | _Anything = anything
    states: set[str] | _Anything = anything
    clock_count = len(_FIELDS)
    if machine is not None:
        definition = machine.definition
        kinds = {k.name for k in definition.kinds} | {g.kind for g in definition.guards}
        requests, states = set(machine.requests), set(definition.states)
        clock_count = len(machine.timeouts)
    if type(value) is str:
        if value not in kinds:
            raise ParseError(
                f"expected a transfer kind or null, got {describe(value)}", pointer=pointer
            )
        return Ledger(kind=value)
    if not isinstance(value, Mapping):
        raise ParseError(
            f"expected a ledger object, a kind or null, got {describe(value)}", pointer=pointer
        )
    if unknown := sorted(set(value) - set(_FIELDS)):
        raise ParseError(f"unknown ledger fields {unknown}", pointer=pointer)
    get = value.get

    def one_of(key: str, allowed: set[str] | _Anything) -> str | None:
        found = get(key)
        if found is not None and (type(found) is not str or found not in allowed):
            shown = sorted(allowed) if isinstance(allowed, set) else allowed
            raise ParseError(
                f"expected one of {shown}, got {describe(found)}", pointer=f"{pointer}/{key}"
            )
        return found

    def number(key: str) -> float | None:
        found = get(key)
        if found is not None and (type(found) not in (int, float) or found != found):
            raise ParseError(
                f"expected a number or null, got {describe(found)}", pointer=f"{pointer}/{key}"
            )
        return None if found is None else float(found)

    def flag(key: str) -> bool:
        found = get(key, False)
        if type(found) is not bool:
            raise ParseError(
                f"expected true or false, got {describe(found)}", pointer=f"{pointer}/{key}"
            )
        return found

    line = get("expectLine")
    if line is not None and (type(line) is not int or line < 0):
        raise ParseError(
            f"expected a line number, got {describe(line)}", pointer=f"{pointer}/expectLine"
        )
    clocks_raw = get("clocks", [])
    if type(clocks_raw) is not list or len(clocks_raw) > clock_count:
        raise ParseError(f"expected at most {clock_count} clocks", pointer=f"{pointer}/clocks")
    clocks: list[float | None] = []
    for i, c in enumerate(clocks_raw):
        if c is not None and (type(c) not in (int, float) or c != c):
            raise ParseError(
                f"expected a number or null, got {describe(c)}", pointer=f"{pointer}/clocks/{i}"
            )
        clocks.append(None if c is None else float(c))
    roster_raw = get("roster")
    roster = None
    if roster_raw is not None:
        if type(roster_raw) is not list or len(roster_raw) > MAX_ROSTER:
            raise ParseError(f"expected at most {MAX_ROSTER} ids", pointer=f"{pointer}/roster")
        for i, pid in enumerate(roster_raw):
            if not is_id(pid):
                raise ParseError(
                    f"expected a participant id, got {describe(pid)}",
                    pointer=f"{pointer}/roster/{i}",
                )
        roster = frozenset(roster_raw)
    return Ledger(
        kind=one_of("kind", kinds),
        expect=one_of("expect", requests),
        expect_line=line,
        told_at=number("toldAt"),
        before=one_of("before", states),
        clocks=tuple(clocks),
        group=flag("group"),
        meeting=flag("meeting"),
        roster=roster,
        crowded=flag("crowded"),
        legacy=flag("legacy"),
        outgoing=flag("outgoing"),
    )


class _Anything:
    """Every name, for a ledger read without a definition."""

    def __contains__(self, name: object) -> bool:
        return type(name) is str and 0 < len(name) <= MAX_ID

    def __repr__(self) -> str:
        return "a name"
