"""The pytest plugin (entry point ``pytest11: callstate``): fixtures, and Hypothesis profiles.

pytest loads this module in every run of every project that installs callstate,
so it imports nothing heavy: callstate and Hypothesis are imported inside the
hooks and fixtures that need them.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from callstate.simulate import JSONObject
    from callstate.testing._call import SimulatedCall
    from callstate.verdict import Tracker

_PROFILE_NAMES = ("dev", "ci", "thorough")


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """Register callstate's Hypothesis profiles before Hypothesis loads the one asked for.

    Skipped (to keep pytest's start cheap) unless Hypothesis is already imported or
    one of the profiles is asked for by ``--hypothesis-profile`` or ``HYPOTHESIS_PROFILE``.
    """
    asked = (config.getoption("hypothesis_profile", None), os.environ.get("HYPOTHESIS_PROFILE"))
    if "hypothesis" in sys.modules or any(name in _PROFILE_NAMES for name in asked):
        from callstate.testing._profiles import register_profiles

        register_profiles()


@pytest.fixture
def simulated_call() -> SimulatedCall:
    """A fresh call in the initial state; ``fire(event)`` moves it and returns the notification."""
    from callstate.testing._call import SimulatedCall

    return SimulatedCall()


@pytest.fixture
def notification_stream() -> Callable[..., list[JSONObject]]:
    """``notification_stream(scenario, *, outcome="success", seed=0, call_id=None)``: one call.

    The envelopes (and transfer request records) of a documented scenario, with
    seeded freedoms; see :func:`callstate.simulate.simulate`.
    """
    from callstate.simulate import simulate

    return simulate


@pytest.fixture
def call_tracker() -> Tracker:
    """A fresh :class:`~callstate.verdict.Tracker` for the one call machine."""
    from callstate.verdict import Tracker

    return Tracker()
