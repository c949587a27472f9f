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
    from callstate.testing._profiles import PROFILES, register_profiles

__all__ = ["PROFILES", "BotConformance", "SimulatedCall", "register_profiles"]

_HOMES = {
    "BotConformance": "callstate.testing._conformance",
    "SimulatedCall": "callstate.testing._call",
    "PROFILES": "callstate.testing._profiles",
    "register_profiles": "callstate.testing._profiles",
}


#: Names that are Hypothesis code: loading one without the ``testing`` extra says so.
_NEED_HYPOTHESIS = frozenset({"BotConformance"})


def _needs(name: str) -> None:
    if name in _NEED_HYPOTHESIS:
        require("hypothesis", "testing", part=f"callstate.testing.{name}")


__getattr__ = on_first_use(__name__, _HOMES, before=_needs)
