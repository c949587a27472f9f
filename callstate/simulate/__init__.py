"""Faithful notification streams: the spec's scenarios, their documented freedoms, and load.

A :class:`Plan` holds every choice for one call; :func:`build` renders it into the
call's lines (commsNotifications envelopes and transfer request records) and
:func:`expect` says what the model makes of it. :func:`random_plan` draws the
choices from a ``random.Random``; Hypothesis strategies draw them too and share the
builder. :func:`simulate` gives one seeded call, :func:`mix` many calls interleaved.

Everything takes ``definition=`` (the call machine by default): the scenarios are
its transfer kinds times :data:`TARGETS`, plus the calls without a transfer
(:func:`flows` reads them, with where each kind's transfer fails and the markers of
each outcome), so a variant definition is simulated with no other change.
"""

from typing import Final

from callstate.machine.definition import CALL_MACHINE
from callstate.simulate._build import Expected, build, duplicable, expect
from callstate.simulate._flows import (
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
    result_info,
    transfer_request,
)
from callstate.simulate._plan import CALL_END_CODES, ENDINGS, HOLDS, MEDIA_PLACEMENTS, Plan
from callstate.simulate._stream import MIX, jsonl, mix, mix_choices, plans, random_plan, simulate

#: The call machine's transfer scenarios: each documented kind to each target.
TRANSFER_SCENARIOS: Final = flows(CALL_MACHINE).transfer_scenarios
#: Every scenario of the call machine: its transfers, and calls that end without one.
SCENARIOS: Final = flows(CALL_MACHINE).scenarios

__all__ = [
    "CALL_END_CODES",
    "ENDINGS",
    "HOLDS",
    "MEDIA_PLACEMENTS",
    "MIX",
    "OPERATIONS",
    "OUTCOMES",
    "PLAIN_SCENARIOS",
    "SCENARIOS",
    "SUBCODE_KEYS",
    "TARGETS",
    "TRANSFER_SCENARIOS",
    "Expected",
    "Flows",
    "JSONObject",
    "Plan",
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
    "plans",
    "random_plan",
    "result_info",
    "simulate",
    "transfer_request",
]
