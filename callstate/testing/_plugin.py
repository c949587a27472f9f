"""The pytest plugin (entry point ``pytest11: callstate``): fixtures, and opt-in profiles.

pytest loads this module in every run of every project that installs callstate,
so it imports nothing heavy and takes no name a project might use: its fixtures
are prefixed ``callstate_`` (as pytest-httpserver's are ``httpserver``), and it
registers no Hypothesis profile unless one of callstate's is asked for by name
(``--hypothesis-profile=callstate-ci``). Without Hypothesis it only provides
the fixtures, which need none.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from callstate.simulate import JSONObject
    from callstate.testing._call import SimulatedCall
    from callstate.testing._graph import EmulatedGraph
    from callstate.verdict import Tracker

#: Every profile callstate registers starts with this; no other name is touched.
_PROFILE_PREFIX = "callstate-"


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """Register callstate's profiles before Hypothesis loads one, if one of them is asked for.

    Runs before Hypothesis's own ``pytest_configure``, so ``--hypothesis-profile=
    callstate-thorough`` works with no conftest; any other name is left to Hypothesis,
    which says "not registered" for a name nobody registered.
    """
    asked = config.getoption("hypothesis_profile", None)
    if (
        isinstance(asked, str)
        and asked.startswith(_PROFILE_PREFIX)
        and importlib.util.find_spec("hypothesis") is not None
    ):
        from callstate.testing._profiles import register_profiles

        register_profiles()


@pytest.fixture
def callstate_simulated_call() -> SimulatedCall:
    """A fresh call in the initial state; ``fire(event)`` moves it and returns the notification."""
    from callstate.testing._call import SimulatedCall

    return SimulatedCall()


@pytest.fixture
def callstate_notification_stream() -> Callable[..., list[JSONObject]]:
    """``callstate_notification_stream(scenario, *, outcome="success", seed=0, call_id=None)``.

    The envelopes (and transfer request records) of one call of a documented
    scenario, with seeded freedoms; see :func:`callstate.simulate.simulate`.
    """
    from callstate.simulate import simulate

    return simulate


@pytest.fixture
def callstate_tracker() -> Tracker:
    """A fresh :class:`~callstate.verdict.Tracker` for the one call machine."""
    from callstate.verdict import Tracker

    return Tracker()


@pytest.fixture
def callstate_graph() -> Iterator[EmulatedGraph]:
    """A running :class:`~callstate.testing.EmulatedGraph` (virtual clock, free port).

    Give its ``base_url`` to the bot's Graph client and set ``bot`` to the bot's URL.
    Needs the ``emulate`` extra.
    """
    from callstate.testing import EmulatedGraph

    with EmulatedGraph() as graph:
        yield graph
