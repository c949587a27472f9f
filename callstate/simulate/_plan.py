"""A :class:`Plan` holds every choice for one simulated call, checked as it is made.

Random simulation and Hypothesis strategies make the same choices, and one builder
(:func:`~callstate.simulate.build`) renders them. What a plan may choose that
depends on the machine (its transfer kinds, where a transfer fails, which marker
an outcome carries) is checked against the definition it is built with.
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Mapping
from typing import Any, Final

import attrs

from callstate.errors import UsageError
from callstate.facts import END_CODES, TRANSFER_SUCCESS
from callstate.graph.wire import describe_argument
from callstate.simulate._flows import BOT_SCENARIOS, GROUP, LEGACY, OUTCOMES, PLAIN_SCENARIOS
from callstate.simulate._payload import OPERATIONS, SUBCODE_KEYS, TARGETS

__all__ = [
    "CALL_END_CODES",
    "ENDINGS",
    "HOLDS",
    "MEDIA_PLACEMENTS",
    "Plan",
    "Timing",
]

#: Where the ``mediaState`` audio-inactive update falls: right after transferring
#: (``before`` transferAccepted), right before the outcome (``after`` it), or nowhere.
MEDIA_PLACEMENTS: Final = ("before", "after", "none")
#: How a call still live at the end is ended: ``terminating`` then ``deleted``, straight
#: ``deleted`` with state terminated, or ``deleted`` with no state.
ENDINGS: Final = ("terminating", "deleted", "deleted-bare")
#: A hold while the call is up: none, put on hold then resumed, or ended while on hold
#: (a call with no transfer only).
HOLDS: Final = ("none", "resumed", "ends")
# Subcodes of a completed transfer: the end code that shares one ends a transferred call.
_TRANSFERRED: Final = frozenset(r.subcode for rs in TRANSFER_SUCCESS.values() for r in rs)
# Documented ends of a call that was never answered, or whose callee was never reached.
_NEVER_UP: Final = frozenset({(408, 1106), (480, 10037), (480, 10076)})
#: The documented results that end a call that is up (``callstate.facts.END_CODES``), with
#: their meanings: what a simulated call's last notification carries.
CALL_END_CODES: Final[Mapping[tuple[int, int], str]] = {
    code: meaning
    for code, meaning in END_CODES.items()
    if code not in _NEVER_UP and code[1] not in _TRANSFERRED
}

# The calls that end with no transfer, so need an ending and may end on hold.
#: The calls that end by a hang-up, not a transfer: they always end, and may end on hold.
HANG_UPS: Final = ("hang-up", "outgoing")
_CALL_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_TRANSFER = re.compile(rf"(?:(?P<group>{GROUP})-)?(?P<kind>.+)-(?P<target>{'|'.join(TARGETS)})")


def _one_of(options: tuple[Any, ...]) -> Any:
    def check(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if value not in options:
            raise UsageError(
                attribute.name, f"expected one of {list(options)}, got {describe_argument(value)}"
            )

    return check


def _scenario(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value in PLAIN_SCENARIOS or value in BOT_SCENARIOS:
        return
    if isinstance(value, str) and _TRANSFER.fullmatch(value):
        return
    raise UsageError(
        attribute.name,
        f"expected KIND-TARGET or {GROUP}-KIND-TARGET (TARGET one of {list(TARGETS)}) or one "
        f"of {[*PLAIN_SCENARIOS, *BOT_SCENARIOS]}, got {describe_argument(value)}",
    )


def _identifier(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or _CALL_ID.fullmatch(value) is None:
        raise UsageError(
            attribute.name,
            f"expected letters, digits, '.', '_' or '-' (a uuid), got {describe_argument(value)}",
        )


def _state(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and (not isinstance(value, str) or not value):
        raise UsageError(
            attribute.name, f"expected None or a state name, got {describe_argument(value)}"
        )


def _flag(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, bool):
        raise UsageError(attribute.name, f"expected True or False, got {describe_argument(value)}")


def _index(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise UsageError(
            attribute.name, f"expected a whole number >= 0, got {describe_argument(value)}"
        )


def _positions(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, frozenset) or not all(
        isinstance(p, int) and not isinstance(p, bool) and p >= 0 for p in value
    ):
        raise UsageError(
            attribute.name, f"expected a frozenset of ints >= 0, got {describe_argument(value)}"
        )


def _seconds(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None and attribute.name == "keepalive_every":
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise UsageError(
            attribute.name, f"expected a number of seconds, got {describe_argument(value)}"
        )
    if value < 0 or (value == 0 and attribute.name in ("gap", "keepalive_every")):
        raise UsageError(
            attribute.name, f"expected a number of seconds > 0, got {describe_argument(value)}"
        )


@attrs.frozen(kw_only=True)
class Timing:
    """When a call's lines happen, so a plan with one becomes the bot's timed log.

    ``start`` is the call's first line, in seconds since the Unix epoch; ``gap`` the
    seconds between lines the other fields do not place. ``answer_after`` is how
    long the bot takes to answer, reject or redirect an incoming call (past the
    definition's window, the answer is late and Graph ends the call with the
    window's result); ``length`` how long the call stays up before its story goes
    on; the bot sends a keepAlive every ``keepalive_every`` seconds while it is up,
    or none (``None``): a call up past the keepAlive window is then ended by Graph,
    the forgotten keepAlive. Windows come from the definition's timeouts.
    """

    start: float = attrs.field(default=1_714_564_800.0, validator=_seconds)
    gap: float = attrs.field(default=0.5, validator=_seconds)
    answer_after: float = attrs.field(default=1.0, validator=_seconds)
    length: float = attrs.field(default=30.0, validator=_seconds)
    keepalive_every: float | None = attrs.field(default=None, validator=_seconds)


def _timing(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not isinstance(value, Timing):
        raise UsageError(
            attribute.name, f"expected None or a Timing, got {describe_argument(value)}"
        )


def _derived(name: str) -> Any:
    def make(plan: Plan) -> str:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{plan.call_id}/{name}"))

    return attrs.Factory(make, takes_self=True)


@attrs.frozen(kw_only=True)
class Plan:
    """Every choice for one simulated call, so that one builder serves random and Hypothesis.

    ``scenario`` is ``KIND-TARGET`` for a transfer (a kind of the definition the plan
    is built with) or a call without one. Transfer fields apply to transfers only.
    ``outcome`` says how the call's transfers end: ``success`` when the last one
    completes, ``failure`` when none does. ``retry`` puts a failed transfer before the
    last one. ``fail_from`` is the state a failure comes from (``None``: the last
    state the definition accepts it from); ``failure_marker`` and ``success_marker``
    pick among the markers of the kind's outcome (indexes in definition order).
    ``ending`` ends a call that is still live once its story is told (``None``
    leaves it live). ``group-KIND-TARGET`` transfers out of a group call (meetingInfo
    and chatInfo, a roster of three, a ``transferee`` from it, reference example 5);
    ``outgoing`` is a call the bot places, ``legacy`` the 2019 transfer flow.
    ``meeting`` turns a peer-to-peer transfer's call into a meeting (its roster
    grows past two), where every transfer fails with ``MEETING_MODE_FAILURE``.
    ``timing`` makes the call the bot's timed log: every request the bot sends,
    with Graph's answer, and a time on every line (see :class:`Timing`).
    ``duplicates`` are positions among the call's notifications
    (see :func:`~callstate.simulate.duplicable`) delivered twice in a row, as
    webhook retries are. The ids default to values derived from ``call_id``.
    """

    scenario: str = attrs.field(validator=_scenario)
    call_id: str = attrs.field(validator=_identifier)
    outcome: str = attrs.field(default="success", validator=_one_of(OUTCOMES))
    #: ``establishing`` arrives after ``established``.
    late_establishing: bool = False
    #: The far end rings (beta's ``ringing``) before the call is up; late too with
    #: ``late_establishing``.
    ringing: bool = False
    #: A hold while the call is up, see :data:`HOLDS` (reject and redirect have none).
    hold: str = attrs.field(default="none", validator=_one_of(HOLDS))
    media_inactive: str = attrs.field(default="none", validator=_one_of(MEDIA_PLACEMENTS))
    fail_from: str | None = attrs.field(default=None, validator=_state)
    #: A failed transfer comes first; the transfer is then asked for again.
    retry: bool = attrs.field(default=False, validator=_flag)
    failure_marker: int = attrs.field(default=0, validator=_index)
    success_marker: int = attrs.field(default=0, validator=_index)
    #: A failure of a kind selected by a request field (consultative) echoes it as
    #: ``replacesContext`` (Example 2 does, Example 4 not).
    replaces_context: bool = False
    subcode_key: str = attrs.field(default="subcode", validator=_one_of(SUBCODE_KEYS))
    #: Result codes as digit strings (``"500"``) rather than integers.
    string_codes: bool = False
    #: A ``{"request": ...}`` record precedes each transfer.
    request: bool = False
    #: A commsOperation (running, then completed as ``deleted``) while the call is up.
    operation: str | None = attrs.field(default=None, validator=_one_of((None, *OPERATIONS)))
    #: A roster notification while the call is up.
    participants: bool = False
    #: A peer-to-peer call whose roster grows past two: in meeting mode, transfers fail.
    meeting: bool = attrs.field(default=False, validator=_flag)
    timing: Timing | None = attrs.field(default=None, validator=_timing)
    ending: str | None = attrs.field(default="terminating", validator=_one_of((None, *ENDINGS)))
    end_code: tuple[int, int] = attrs.field(
        default=(200, 5001), validator=_one_of(tuple(CALL_END_CODES))
    )
    duplicates: frozenset[int] = attrs.field(default=frozenset(), validator=_positions)
    chain_id: str = attrs.field(default=_derived("chain"), validator=_identifier)
    #: The id the request's selecting field carries (replacesCallId, for a consultative
    #: transfer).
    replaces_call_id: str = attrs.field(default=_derived("replaces"), validator=_identifier)
    client_context: str = attrs.field(default=_derived("context"), validator=_identifier)
    operation_id: str = attrs.field(default=_derived("operation"), validator=_identifier)
    caller_id: str = attrs.field(default=_derived("caller"), validator=_identifier)

    def __attrs_post_init__(self) -> None:
        if self.kind is None:
            for name, value, default in (
                ("outcome", self.outcome, "success"),
                ("retry", self.retry, False),
                ("fail_from", self.fail_from, None),
                ("failure_marker", self.failure_marker, 0),
                ("success_marker", self.success_marker, 0),
            ):
                if value != default:
                    raise UsageError(
                        name, f"scenario {self.scenario!r} has no transfer, so no {name}"
                    )
        if self.scenario in HANG_UPS and self.ending is None:
            raise UsageError("ending", f"a {self.scenario} call needs an ending")
        if self.hold == "ends" and self.scenario not in HANG_UPS:
            raise UsageError("hold", "only a call without a transfer can end while on hold")
        if self.late_establishing and self.scenario == "outgoing":
            raise UsageError(
                "late_establishing",
                "only an answered call's establishing may come late (graph-facts, Answer)",
            )
        if self.meeting and (self.kind is None or self.group or self.outcome != "failure"):
            raise UsageError(
                "meeting",
                "only a peer-to-peer transfer that fails can be in meeting mode "
                "(Graph fails every transfer there)",
            )

    @property
    def kind(self) -> str | None:
        """The transfer kind of a transfer scenario (``blind`` of ``blind-user``), else ``None``."""
        found = _TRANSFER.fullmatch(self.scenario)
        return None if found is None else found["kind"]

    @property
    def group(self) -> bool:
        """Whether the call is a group call (a ``group-KIND-TARGET`` scenario)."""
        found = _TRANSFER.fullmatch(self.scenario)
        return found is not None and found["group"] is not None

    @property
    def requested(self) -> bool:
        """Whether a request record precedes each transfer (asked for, timed, or in the story)."""
        return self.request or self.timing is not None or self.group or self.scenario == LEGACY

    @property
    def target(self) -> str | None:
        """Who a transfer scenario transfers to, one of :data:`TARGETS`, else ``None``."""
        found = _TRANSFER.fullmatch(self.scenario)
        return None if found is None else found["target"]

    @property
    def failures(self) -> int:
        """How many of the call's transfers fail: 0, 1 or 2."""
        if self.kind is None:
            return 0
        return int(self.retry) + (self.outcome == "failure")
