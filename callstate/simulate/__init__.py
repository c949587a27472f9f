"""Faithful notification streams: the spec's scenarios, their documented freedoms, and load.

A :class:`Plan` holds every choice for one call; :func:`build` renders it into the
call's lines (commsNotifications envelopes and transfer request records) and
:func:`expect` says what the model makes of it. :func:`random_plan` draws the
choices from a ``random.Random``; Hypothesis strategies draw them too and share the
builder. :func:`simulate` gives one seeded call, :func:`mix` many calls interleaved.

``timed=True`` (``callstate simulate --timed``) makes a call the bot's timed log:
every request it sends, with Graph's answer, and a time on every line, with seeded
freedoms of time (an answer within the window or late, keepAlives every 15 to 45
minutes on a long call, or one forgotten). Untimed calls are as they always were.
:data:`REQUEST_SCENARIOS` are told by the bot's requests: a transfer out of a group
call (``group-KIND-TARGET``), an ``outgoing`` call and the 2019 ``legacy`` flow.

Everything takes ``definition=`` (the call machine by default): the scenarios are
its transfer kinds times :data:`TARGETS`, plus the calls without a transfer
(:func:`flows` reads them, with where each kind's transfer fails and the markers of
each outcome), so a variant definition is simulated with no other change.
"""

from typing import Final

from callstate.machine.definition import CALL_MACHINE
from callstate.simulate._build import Expected, build, duplicable, expect, rfc3339
from callstate.simulate._flows import (
    BOT_SCENARIOS,
    GROUP,
    OUTCOMES,
    PLAIN_SCENARIOS,
    Flows,
    TransferFlow,
    TransferOutcome,
    flows,
)
from callstate.simulate._payload import (
    OPERATIONS,
    SUBCODE_KEYS,
    TARGETS,
    JSONObject,
    event_notification,
    notification,
    participant_id,
    result_info,
    transfer_request,
)
from callstate.simulate._plan import (
    CALL_END_CODES,
    ENDINGS,
    HANG_UPS,
    HOLDS,
    MEDIA_PLACEMENTS,
    Plan,
    Timing,
)
from callstate.simulate._requests import GONE, record, transferee
from callstate.simulate._script import DEPRECATED_PATH, MEETING_MODE_TRANSFER
from callstate.simulate._stream import (
    MIX,
    jsonl,
    mix,
    mix_choices,
    plans,
    random_plan,
    simulate,
    situate,
)

#: The call machine's transfer scenarios: each documented kind to each target.
TRANSFER_SCENARIOS: Final = flows(CALL_MACHINE).transfer_scenarios
#: Every scenario of the call machine: its transfers, and calls that end without one.
SCENARIOS: Final = flows(CALL_MACHINE).scenarios
#: The call machine's scenarios the bot's requests tell: group transfers, outgoing, legacy.
REQUEST_SCENARIOS: Final = flows(CALL_MACHINE).request_scenarios
#: :data:`SCENARIOS`, then :data:`REQUEST_SCENARIOS`: what ``callstate simulate`` tells.
EVERY_SCENARIO: Final = flows(CALL_MACHINE).every_scenario

__all__ = [
    "BOT_SCENARIOS",
    "CALL_END_CODES",
    "DEPRECATED_PATH",
    "ENDINGS",
    "EVERY_SCENARIO",
    "GONE",
    "GROUP",
    "HANG_UPS",
    "HOLDS",
    "MEDIA_PLACEMENTS",
    "MEETING_MODE_TRANSFER",
    "MIX",
    "OPERATIONS",
    "OUTCOMES",
    "PLAIN_SCENARIOS",
    "REQUEST_SCENARIOS",
    "SCENARIOS",
    "SUBCODE_KEYS",
    "TARGETS",
    "TRANSFER_SCENARIOS",
    "Expected",
    "Flows",
    "JSONObject",
    "Plan",
    "Timing",
    "TransferFlow",
    "TransferOutcome",
    "build",
    "duplicable",
    "event_notification",
    "expect",
    "flows",
    "jsonl",
    "mix",
    "mix_choices",
    "notification",
    "participant_id",
    "plans",
    "random_plan",
    "record",
    "result_info",
    "rfc3339",
    "simulate",
    "situate",
    "transfer_request",
    "transferee",
]
