"""Hypothesis: reading back what was written gives an equal object, for every resource class."""

from __future__ import annotations

import warnings
from typing import Any

import pytest
from hypothesis import given, strategies as st

from callstate.errors import ParseError, UnknownValueWarning
from callstate.graph import CommsNotifications, dump, dumps, parse, parse_notifications
from callstate.strategies.resources import RESOURCES, json_values

CLASSES = list(RESOURCES)


@pytest.mark.parametrize("cls", CLASSES, ids=[c.__name__ for c in CLASSES])
@given(data=st.data())
def test_parse_dumps_round_trip(cls: type[Any], data: st.DataObject) -> None:
    """parse(cls, dumps(obj)) == obj with no warning; writing what was read gives the same JSON."""
    obj = data.draw(RESOURCES[cls])  # one draw for both claims: drawing is most of the cost
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert obj == parse(cls, dumps(obj))
    first = dump(obj)
    assert first == dump(parse(cls, first))


def _replace_somewhere(data: st.DataObject, doc: Any) -> Any:
    """``doc`` with one subtree (chosen by ``data``) replaced by arbitrary JSON."""
    if isinstance(doc, dict) and doc and data.draw(st.booleans()):
        key = data.draw(st.sampled_from(sorted(doc)))
        return {**doc, key: _replace_somewhere(data, doc[key])}
    if isinstance(doc, list) and doc and data.draw(st.booleans()):
        index = data.draw(st.integers(0, len(doc) - 1))
        return [*doc[:index], _replace_somewhere(data, doc[index]), *doc[index + 1 :]]
    return data.draw(json_values())


def _parent_exists(doc: Any, pointer: str) -> bool:
    """Whether every token of ``pointer`` but the last names an existing member."""
    tokens = [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]]
    for token in tokens[:-1]:
        if isinstance(doc, dict) and token in doc:
            doc = doc[token]
        elif isinstance(doc, list) and token.isdigit() and int(token) < len(doc):
            doc = doc[int(token)]
        else:
            return False
    return True


@given(data=st.data())
def test_damaged_bodies_raise_only_located_parse_errors(data: st.DataObject) -> None:
    """A valid body with one part replaced parses, or raises a ParseError located in the body."""
    body = dump(data.draw(RESOURCES[CommsNotifications]))
    damaged = _replace_somewhere(data, body)
    error: ParseError | None = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnknownValueWarning)
        try:
            parse_notifications(damaged)
        except ParseError as caught:
            error = caught
    if error is not None:
        assert _parent_exists(damaged, error.pointer), error
