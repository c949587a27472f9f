"""What the emulator chooses for one call: its situation, and Graph's documented freedoms.

A seed draws them (``callstate emulate --seed``), a Hypothesis strategy draws them
too (:mod:`callstate.testing._emulated`), and a test may spell them out. The
options come from the simulator's tables (:mod:`callstate.simulate`), which read
them from the definition and the docs, so the emulator offers nothing the
simulator would not tell.
"""

from __future__ import annotations

import random
import uuid
from typing import Any, Final

import attrs

from callstate.errors import UsageError
from callstate.facts import END_CODES
from callstate.machine.definition import CALL_MACHINE
from callstate.simulate import (
    CALL_END_CODES,
    MEDIA_PLACEMENTS,
    OPERATIONS,
    OUTCOMES as ENDS,
    SUBCODE_KEYS,
    flows,
)

__all__ = [
    "BY_BOT",
    "FAIL_FROM",
    "OUTCOMES",
    "SITUATIONS",
    "Freedoms",
    "Offer",
    "draw",
]

#: The call the bot is offered: a peer-to-peer call, a group call (meetingInfo, chatInfo and
#: a roster of three), or a peer-to-peer call that enters meeting mode (its roster grows).
SITUATIONS: Final = ("peer-to-peer", "group", "meeting")
#: How a transfer ends: it completes, it fails, or each call draws one (``mixed``).
OUTCOMES: Final = (*ENDS, "mixed")
#: Where a failed transfer may fail from: every state some kind's failure is accepted in.
FAIL_FROM: Final = tuple(
    dict.fromkeys(s for f in flows(CALL_MACHINE).kinds.values() for s in f.failure.sources)
)
#: The end codes that say the bot hung up (its DELETE); the others end a call otherwise.
BY_BOT: Final = tuple(code for code, m in END_CODES.items() if m.endswith("by the bot"))
_OTHER_ENDS: Final = tuple(code for code in CALL_END_CODES if code not in BY_BOT)


def _one_of(options: tuple[Any, ...]) -> Any:
    def check(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if value not in options:
            raise UsageError(attribute.name, f"expected one of {list(options)}, got {value!r}")

    return check


def _positions(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, frozenset) or not all(type(p) is int and 0 <= p < 1000 for p in value):
        raise UsageError(attribute.name, f"expected a frozenset of ints 0..999, got {value!r}")


@attrs.frozen(kw_only=True)
class Freedoms:
    """Graph's documented freedoms for one call, each a choice the docs leave open.

    ``late_establishing``: an answered call's ``established`` comes before its
    ``establishing`` ("may arrive out of order"). ``media_inactive``: where the
    audio-inactive update falls in a transfer (see :data:`~callstate.simulate.MEDIA_PLACEMENTS`).
    ``subcode_key``: the spelling of ``resultInfo``'s subcode. ``duplicates``: the
    positions, among the call's notifications in delivery order, delivered twice
    (webhook retries). ``participants`` and ``operation``: a roster and a
    commsOperation once the call is up. ``outcome`` and ``fail_from``: how the call's
    transfers end, and from where a failure comes (``None``: the last state the
    definition accepts it in). ``end_code`` ends a call the bot hangs up or redirects.
    """

    late_establishing: bool = False
    media_inactive: str = attrs.field(default="none", validator=_one_of(MEDIA_PLACEMENTS))
    subcode_key: str = attrs.field(default=SUBCODE_KEYS[0], validator=_one_of(SUBCODE_KEYS))
    duplicates: frozenset[int] = attrs.field(default=frozenset(), validator=_positions)
    participants: bool = False
    operation: str | None = attrs.field(default=None, validator=_one_of((None, *OPERATIONS)))
    outcome: str = attrs.field(default="success", validator=_one_of(OUTCOMES[:2]))
    fail_from: str | None = attrs.field(default=None, validator=_one_of((None, *FAIL_FROM)))
    end_code: tuple[int, int] = attrs.field(
        default=_OTHER_ENDS[0], validator=_one_of((*BY_BOT, *_OTHER_ENDS))
    )
    bot_end_code: tuple[int, int] = attrs.field(default=BY_BOT[0], validator=_one_of(BY_BOT))


@attrs.frozen(kw_only=True)
class Offer:
    """One incoming call the emulator offers the bot: its id, its situation, its freedoms."""

    call_id: str = attrs.field(factory=lambda: str(uuid.uuid4()))
    situation: str = attrs.field(default=SITUATIONS[0], validator=_one_of(SITUATIONS))
    freedoms: Freedoms = attrs.field(factory=Freedoms)

    @property
    def caller_id(self) -> str:
        """The caller's user id, derived from the call id (the same call, the same caller)."""
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{self.call_id}/caller"))

    @property
    def chain_id(self) -> str:
        """The call's ``callChainId``, derived from its id."""
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{self.call_id}/chain"))


def draw(
    rng: random.Random,
    *,
    situation: str = "mixed",
    outcome: str = "mixed",
    duplicates: float = 0.1,
) -> Offer:
    """One offer drawn from ``rng``: ``mixed`` draws the situation or outcome too."""
    if situation != "mixed" and situation not in SITUATIONS:
        raise UsageError("scenario", f"expected one of {[*SITUATIONS, 'mixed']}, got {situation!r}")
    if outcome not in OUTCOMES:
        raise UsageError("outcome", f"expected one of {list(OUTCOMES)}, got {outcome!r}")
    call_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    freedoms = Freedoms(
        late_establishing=rng.random() < 0.3,
        media_inactive=rng.choice(MEDIA_PLACEMENTS),
        subcode_key=rng.choice(SUBCODE_KEYS),
        duplicates=frozenset(p for p in range(8) if rng.random() < duplicates),
        participants=rng.random() < 0.5,
        operation=rng.choice((None, *OPERATIONS)),
        outcome=rng.choice(OUTCOMES[:2]) if outcome == "mixed" else outcome,
        fail_from=rng.choice((None, *FAIL_FROM)),
        end_code=rng.choice(_OTHER_ENDS),
        bot_end_code=rng.choice(BY_BOT),
    )
    chosen = rng.choice(SITUATIONS) if situation == "mixed" else situation
    return Offer(call_id=call_id, situation=chosen, freedoms=freedoms)
