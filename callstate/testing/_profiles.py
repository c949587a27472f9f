"""Hypothesis profiles callstate's properties are tuned for: ``dev``, ``ci`` and ``thorough``."""

from __future__ import annotations

from typing import Any, Final

__all__ = ["PROFILES", "register_profiles"]

#: Settings of each profile; no deadline, because CI machines are shared and slow.
PROFILES: Final[dict[str, dict[str, Any]]] = {
    "dev": {"max_examples": 50, "deadline": None},
    "ci": {"max_examples": 100, "deadline": None, "print_blob": True},
    "thorough": {"max_examples": 2000, "deadline": None},
}


def register_profiles() -> None:
    """Register the profiles under names not yet taken, so a project's own ``ci`` wins.

    Load one with ``--hypothesis-profile=ci`` or ``settings.load_profile("ci")``.
    """
    from hypothesis import settings
    from hypothesis.errors import InvalidArgument

    for name, options in PROFILES.items():
        try:
            settings.get_profile(name)
        except InvalidArgument:
            settings.register_profile(name, **options)
