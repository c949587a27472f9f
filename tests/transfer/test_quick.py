"""The quick look at a transfer body: the same verdict as the rules, for the bodies it takes."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import example, given, settings, strategies as st

from callstate.strategies import invalid_transfer_requests, transfer_requests
from callstate.transfer._body import _check, check_body, quick_look

#: Values a nudge puts in place of a field's: each one a rule may care about.
_ODD_VALUES = st.sampled_from(
    [None, "", "x", "+1", "+0123", "12345 678", "Default", "default", "c" * 257, 0, True, [], {}]
) | st.text(max_size=6)
#: Keys a nudge adds: fields of other shapes, annotations, typos.
_ODD_KEYS = st.sampled_from(
    ["@odata.type", "id", "tenantId", "phone", "user", "hidden", "replacesCallId", "tranferee"]
)


def _places(value: Any, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every path to an object's member, nested ones included."""
    found = []
    if type(value) is dict:
        for key, inner in value.items():
            found.append((*path, key))
            found += _places(inner, (*path, key))
    return found


@st.composite
def _nudged(draw: st.DrawFn) -> tuple[object, str | None]:
    """A valid body with one to three members changed, dropped or added, and a caller."""
    case = draw(transfer_requests())
    body = copy.deepcopy(case.body)
    for _ in range(draw(st.integers(1, 3))):
        places = _places(body)
        if not places:
            break
        path = draw(st.sampled_from(places))
        holder = body
        for key in path[:-1]:
            holder = holder[key]
        move = draw(st.sampled_from(["set", "drop", "add"]))
        if move == "set":
            holder[path[-1]] = draw(_ODD_VALUES)
        elif move == "drop":
            del holder[path[-1]]
        elif type(holder[path[-1]]) is dict:
            holder[path[-1]][draw(_ODD_KEYS)] = draw(_ODD_VALUES)
    return body, draw(st.sampled_from([None, "application", "applicationInstance"]))


_BODIES = (
    transfer_requests().map(lambda case: (case.body, case.caller))
    | invalid_transfer_requests().map(lambda case: (case.body, case.caller))
    | _nudged()
)


class TestQuickLook:
    """``check_body`` takes a quick look first; the rules decide what it does not take."""

    @settings(max_examples=200, deadline=None)
    @given(case=_BODIES)
    @example(
        case=({"transferTarget": {"endpointType": [], "identity": {"user": {"id": "u"}}}}, None)
    )
    def test_same_verdict_as_the_rules(self, case: tuple[object, Any]) -> None:
        """For valid, invalid and nudged bodies, the verdict is the rules' own."""
        body, caller = case
        assert _check(body, caller) == check_body(body, caller=caller)

    @settings(max_examples=100, deadline=None)
    @given(case=transfer_requests())
    def test_takes_what_graphs_sdks_send(self, case: Any) -> None:
        """A valid body as the strategies write it goes the quick way, with its kind."""
        expected = _check(case.body, case.caller)
        assert expected == quick_look(case.body, case.caller)

    def test_leaves_an_annotated_body_to_the_rules(self) -> None:
        """A body the quick look has no entry for (a top-level annotation) gets no quick verdict."""
        body = {
            "@odata.type": "#microsoft.graph.transferRequest",
            "transferTarget": {"identity": {"user": {"id": "550fae72"}}},
        }
        assert (None, ()) == (quick_look(body, None), check_body(body, caller=None).problems)
