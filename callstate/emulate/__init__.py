"""``callstate emulate``: a local Graph calls API that plays Graph for a bot under test.

The same one definition that :mod:`callstate.verdict` watches Graph with, run as
Graph: the bot's requests are judged by the machine (a refused one gets Graph's
400, or 404 on a call that has ended), and each accepted one is followed by the
documented notifications, in the documented order, with the documented freedoms
drawn from a seed. Time is a :class:`Clock`: the wall clock for the command, a
:class:`VirtualClock` for tests, which then never wait. The run ends in a
:class:`Verdict`. :class:`callstate.testing.EmulatedGraph` runs it in a thread.

Needs the ``emulate`` extra (aiohttp).
"""

from callstate._extras import require

require("aiohttp", "emulate", part="callstate.emulate")

from callstate.emulate._calls import GRAPH, Call, Registry, Reply
from callstate.emulate._clock import START, Clock, RealClock, VirtualClock
from callstate.emulate._notes import Note, Story
from callstate.emulate._offer import FAIL_FROM, OUTCOMES, SITUATIONS, Freedoms, Offer, draw
from callstate.emulate._record import Recorder
from callstate.emulate._server import VERSIONS, Emulator
from callstate.emulate._verdict import Undelivered, Unknown, Verdict

__all__ = [
    "FAIL_FROM",
    "GRAPH",
    "OUTCOMES",
    "SITUATIONS",
    "START",
    "VERSIONS",
    "Call",
    "Clock",
    "Emulator",
    "Freedoms",
    "Note",
    "Offer",
    "RealClock",
    "Recorder",
    "Registry",
    "Reply",
    "Story",
    "Undelivered",
    "Unknown",
    "Verdict",
    "VirtualClock",
    "draw",
]
