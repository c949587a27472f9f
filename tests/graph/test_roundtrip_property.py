"""Hypothesis: reading back what was written gives an equal object, for every resource class."""

from __future__ import annotations

import warnings
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callstate.graph import dump, dumps, parse
from callstate.graph._strategies import RESOURCES

CLASSES = list(RESOURCES)


@pytest.mark.parametrize("cls", CLASSES, ids=[c.__name__ for c in CLASSES])
@given(data=st.data())
def test_parse_dumps_round_trip(cls: type[Any], data: st.DataObject) -> None:
    """parse(cls, dumps(obj)) == obj, through JSON bytes, with no warning."""
    obj = data.draw(RESOURCES[cls])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert obj == parse(cls, dumps(obj))


@pytest.mark.parametrize("cls", CLASSES, ids=[c.__name__ for c in CLASSES])
@given(data=st.data())
def test_dump_is_stable(cls: type[Any], data: st.DataObject) -> None:
    """Writing what was read gives the same JSON again."""
    first = dump(data.draw(RESOURCES[cls]))
    assert first == dump(parse(cls, first))
