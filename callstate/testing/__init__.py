"""Test your bot against the model: a Hypothesis state machine, fixtures, and profiles.

- :class:`BotConformance`: subclass it, implement ``handle(body)`` and
  ``bot_state(call_id)``, and ``TestMyBot = MyBot.TestCase`` runs generated, interleaved
  calls through your handler, checking after every step that your view of each call
  equals callstate's.
- :class:`SimulatedCall`: a call moved by hand through the engine, returning the
  notification each step sends.
- :func:`register_profiles`: the ``callstate-dev``, ``callstate-ci`` and
  ``callstate-thorough`` Hypothesis profiles, registered only when asked for.
- The pytest plugin (loaded automatically) provides the fixtures
  ``callstate_simulated_call``, ``callstate_notification_stream`` and
  ``callstate_tracker``.
- :class:`EmulatedGraph`: ``callstate emulate`` in a thread on a free port, with a virtual
  clock (the fixture ``callstate_graph``); :func:`emulated_calls` draws whole calls for it
  and :func:`run_calls` plays them against a bot over HTTP (needs the ``emulate`` extra).
- :mod:`callstate.testing.properties`: the properties the kit proves, to check a machine
  definition of your own (``properties(reference)``, ``counterexample(prop, definition)``).

``BotConformance``, the profiles and the properties need the ``testing`` extra (Hypothesis).

Names load on first use, so the pytest plugin stays cheap to import.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from callstate._extras import require
from callstate._first_use import on_first_use

if TYPE_CHECKING:
    from callstate.testing._call import SimulatedCall
    from callstate.testing._conformance import BotConformance
    from callstate.testing._emulated import emulated_calls, graph_freedoms, run_calls
    from callstate.testing._graph import EmulatedGraph
    from callstate.testing._profiles import PROFILES, register_profiles

__all__ = [
    "PROFILES",
    "BotConformance",
    "EmulatedGraph",
    "SimulatedCall",
    "emulated_calls",
    "graph_freedoms",
    "register_profiles",
    "run_calls",
]

_HOMES = {
    "BotConformance": "callstate.testing._conformance",
    "SimulatedCall": "callstate.testing._call",
    "PROFILES": "callstate.testing._profiles",
    "register_profiles": "callstate.testing._profiles",
    "EmulatedGraph": "callstate.testing._graph",
    "emulated_calls": "callstate.testing._emulated",
    "graph_freedoms": "callstate.testing._emulated",
    "run_calls": "callstate.testing._emulated",
}


#: Names that are Hypothesis code: loading one without the ``testing`` extra says so.
_NEED_HYPOTHESIS = frozenset({"BotConformance", "emulated_calls", "graph_freedoms", "run_calls"})
#: Names that run the emulator: loading one without the ``emulate`` extra says so.
_NEED_AIOHTTP = frozenset({"EmulatedGraph", "emulated_calls", "graph_freedoms", "run_calls"})


def _needs(name: str) -> None:
    if name in _NEED_HYPOTHESIS:
        require("hypothesis", "testing", part=f"callstate.testing.{name}")
    if name in _NEED_AIOHTTP:
        require("aiohttp", "emulate", part=f"callstate.testing.{name}")


__getattr__ = on_first_use(__name__, _HOMES, before=_needs)
