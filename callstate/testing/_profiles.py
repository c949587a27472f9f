"""Hypothesis profiles callstate's properties are tuned for, named ``callstate-*``.

Nothing is registered on import: a project opts in, so its own ``dev`` or ``ci``
profile (or Hypothesis's built-in ``ci``) is never replaced.
"""

from __future__ import annotations

from typing import Any, Final

from callstate._extras import require

__all__ = ["PROFILES", "register_profiles"]

#: Settings of each profile; no deadline, because CI machines are shared and slow.
PROFILES: Final[dict[str, dict[str, Any]]] = {
    "callstate-dev": {"max_examples": 50, "deadline": None},
    "callstate-ci": {"max_examples": 100, "deadline": None, "print_blob": True},
    "callstate-thorough": {"max_examples": 2000, "deadline": None},
}


def register_profiles() -> None:
    """Register ``callstate-dev``, ``callstate-ci`` and ``callstate-thorough`` with Hypothesis.

    Call it from a ``conftest.py``, then ``settings.load_profile("callstate-ci")``; or
    skip the call and pass ``--hypothesis-profile=callstate-ci``, which the pytest
    plugin registers for you. Needs the ``testing`` extra.
    """
    require("hypothesis", "testing", part="callstate.testing.register_profiles")
    from hypothesis import settings

    for name, options in PROFILES.items():
        settings.register_profile(name, **options)
