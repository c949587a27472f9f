"""Every public name of every public module says what it is for."""

from __future__ import annotations

import importlib
import inspect

import pytest

PUBLIC_MODULES = (
    "callstate",
    "callstate.errors",
    "callstate.graph",
    "callstate.machine",
    "callstate.machine.invariants",
    "callstate.transfer",
    "callstate.verdict",
    "callstate.diagrams",
    "callstate.explorer",
    "callstate.simulate",
    "callstate.strategies",
    "callstate.strategies.resources",
    "callstate.testing",
    "callstate.testing.properties",
    "callstate.replay",
)


def _public(module_name: str) -> list[tuple[str, object]]:
    module = importlib.import_module(module_name)
    return [(name, getattr(module, name)) for name in module.__all__]


@pytest.mark.parametrize("module_name", PUBLIC_MODULES)
def test_module_has_a_docstring(module_name: str) -> None:
    """Each public module opens with a docstring."""
    assert (importlib.import_module(module_name).__doc__ or "").strip()


@pytest.mark.parametrize("module_name", PUBLIC_MODULES)
def test_every_public_callable_is_documented(module_name: str) -> None:
    """Each function and class in ``__all__`` has its own docstring."""
    missing = [
        name
        for name, value in _public(module_name)
        if (inspect.isclass(value) or inspect.isfunction(value))
        and not (inspect.getdoc(value) or "").strip()
    ]
    assert [] == missing
