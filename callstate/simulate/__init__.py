"""Faithful notification streams: the spec's scenarios, their documented freedoms, and load.

A :class:`Plan` holds every choice for one call; :func:`build` renders it into the
call's lines (commsNotifications envelopes and transfer request records) and
:func:`expect` says what the model makes of it. :func:`random_plan` draws the
choices from a ``random.Random``; Hypothesis strategies draw them too and share the
builder. :func:`simulate` gives one seeded call, :func:`mix` many calls interleaved.
"""

from callstate.simulate._payload import (
    OPERATIONS,
    SUBCODE_KEYS,
    JSONObject,
    event_notification,
    notification,
    result_info,
    transfer_request,
)
from callstate.simulate._plan import (
    CALL_END_CODES,
    ENDINGS,
    HOLDS,
    MEDIA_PLACEMENTS,
    OUTCOMES,
    SCENARIOS,
    TRANSFER_SCENARIOS,
    Expected,
    Plan,
    build,
    duplicable,
    expect,
    random_plan,
)
from callstate.simulate._stream import MIX, jsonl, mix, plans, simulate

__all__ = [
    "CALL_END_CODES",
    "ENDINGS",
    "HOLDS",
    "MEDIA_PLACEMENTS",
    "MIX",
    "OPERATIONS",
    "OUTCOMES",
    "SCENARIOS",
    "SUBCODE_KEYS",
    "TRANSFER_SCENARIOS",
    "Expected",
    "JSONObject",
    "Plan",
    "build",
    "duplicable",
    "event_notification",
    "expect",
    "jsonl",
    "mix",
    "notification",
    "plans",
    "random_plan",
    "result_info",
    "simulate",
    "transfer_request",
]
