"""Hypothesis strategies for property-testing code that handles Graph calls.

Everything is derived from a machine definition (``definition=``, the call machine
by default; any checked definition will do) and drawn as *choices* (a
:class:`~callstate.simulate.Plan` per call, steps of a walk), then rendered by
callstate's own builders, so failing examples shrink to few, simple calls:

- identities and transfer targets: :func:`e164_numbers`, :func:`identity_sets`,
  :func:`transfer_targets`;
- transfer requests: :func:`transfer_requests` (valid) and
  :func:`invalid_transfer_requests` (each labelled with the one rule it breaks);
- notification streams: :func:`plans`, :func:`notification_streams` (valid, many calls
  interleaved, every documented freedom) and :func:`mutated_streams` (one inserted line
  that breaks exactly one rule, labelled with that line and rule);
- the machine itself: :func:`signals`, :func:`signal_sequences`, :func:`walks`, and
  :func:`definitions` (checked variations of it, to prove a property for any definition);
- the typed Graph resources of :mod:`callstate.graph`, any valid one, for round-trip
  properties: the submodule :mod:`callstate.strategies.resources`.

Options are keyword-only; a bad one raises :class:`~callstate.errors.UsageError`.
Needs the ``testing`` extra (Hypothesis): ``pip install 'callstate[testing]'``.
"""

from callstate._extras import require

require("hypothesis", "testing", part="callstate.strategies")

from callstate.strategies._definitions import definitions
from callstate.strategies._machine import signal_sequences, signals, walks
from callstate.strategies._mutate import (
    MUTATION_RULES,
    MutatedStream,
    mutated_streams,
    mutation_rules,
)
from callstate.strategies._plans import NotificationStream, call_id_for, notification_streams, plans
from callstate.strategies._request import (
    INVALID_REQUEST_RULES,
    TARGET_PARTIES,
    InvalidTransferRequest,
    TransferRequestCase,
    e164_numbers,
    identity_sets,
    invalid_transfer_requests,
    transfer_requests,
    transfer_targets,
)

__all__ = [
    "INVALID_REQUEST_RULES",
    "MUTATION_RULES",
    "TARGET_PARTIES",
    "InvalidTransferRequest",
    "MutatedStream",
    "NotificationStream",
    "TransferRequestCase",
    "call_id_for",
    "definitions",
    "e164_numbers",
    "identity_sets",
    "invalid_transfer_requests",
    "mutated_streams",
    "mutation_rules",
    "notification_streams",
    "plans",
    "signal_sequences",
    "signals",
    "transfer_requests",
    "transfer_targets",
    "walks",
]
