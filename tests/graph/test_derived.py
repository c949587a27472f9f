"""Lists written once: Graph enums from facts and wire, party names from IdentitySet."""

from __future__ import annotations

import typing

import pytest

from callstate.facts import CALL_STATES
from callstate.graph import (
    CallState,
    ChangeType,
    CommsNotification,
    Identity,
    IdentitySet,
    OperationStatus,
    ResultInfo,
    parse,
)
from callstate.graph._plans import plan
from callstate.graph.enums import GraphEnum
from callstate.graph.resources import IDENTITY_PARTIES
from callstate.graph.wire import CHANGE_TYPES, OPERATION_STATUSES, RESULT_SUBCODE_KEYS, URL_KEYS
from callstate.machine.definition import CALL_MACHINE
from callstate.transfer import CALLERS, PARTIES, TargetKind, validate_transfer_request


class TestEnums:
    """Each enum is its value list, and its typed members are exactly its members."""

    @pytest.mark.parametrize(
        ("enum", "values"),
        [
            (CallState, CALL_STATES),
            (ChangeType, tuple(CHANGE_TYPES.values())),
            (OperationStatus, tuple(OPERATION_STATUSES.values())),
        ],
    )
    def test_values_come_from_the_one_list(
        self, enum: type[GraphEnum], values: tuple[str, ...]
    ) -> None:
        """The members' values, in order, are the list's."""
        assert values == tuple(member.value for member in enum)

    @pytest.mark.parametrize("enum", [CallState, ChangeType, OperationStatus])
    def test_annotations_name_every_member(self, enum: type[GraphEnum]) -> None:
        """The names a type checker sees are the members the list made, no more, no fewer."""
        assert list(enum.__annotations__) == [member.name for member in enum]

    def test_wire_lookups_are_keyed_by_lower_case(self) -> None:
        """CHANGE_TYPES and OPERATION_STATUSES map each lower-case spelling to Graph's."""
        for table in (CHANGE_TYPES, OPERATION_STATUSES):
            assert {value.lower(): value for value in table.values()} == table

    def test_member_names(self) -> None:
        """Graph's camelCase becomes Python's UPPER_SNAKE."""
        expected = ("transferAccepted", "notStarted")
        actual = (CallState.TRANSFER_ACCEPTED.value, OperationStatus.NOT_STARTED.value)
        assert expected == actual

    def test_every_machine_state_is_a_documented_call_state(self) -> None:
        """The call machine models Graph's callState: none of its states is invented."""
        assert set(CALL_MACHINE.states) <= set(CALL_STATES)

    def test_call_states_end_with_the_sentinel(self) -> None:
        """unknownFutureValue, Graph's evolvable-enum sentinel, is a value like the others."""
        expected = "unknownFutureValue"
        assert expected == CALL_STATES[-1]


class TestSpellings:
    """Party names and subcode spellings, each declared once."""

    def test_parties_are_the_identity_set_fields(self) -> None:
        """IDENTITY_PARTIES are IdentitySet's Identity fields in Graph's spelling."""
        x = Identity(id="x")
        every = IdentitySet(x, x, x, x, x, x)
        expected = ("user", "application", "applicationInstance", "phone", "guest", "device")
        assert expected == IDENTITY_PARTIES == PARTIES == every.kinds

    def test_callers_are_parties(self) -> None:
        """Who may send a transfer is a kind of party."""
        assert set(CALLERS) <= set(PARTIES)

    @pytest.mark.parametrize("party", PARTIES)
    def test_every_party_is_a_target_kind(self, party: str) -> None:
        """A request to any party has a target kind of TargetKind (a phone is PSTN)."""
        party_id = "+14255550100" if party == "phone" else "x"
        body = {"transferTarget": {"identity": {party: {"id": party_id}}}}
        target = validate_transfer_request(body).target
        assert target in typing.get_args(TargetKind)

    def test_notification_url_keys(self) -> None:
        """CommsNotification's two URL attributes are spelled as wire's URL_KEYS."""
        assert set(URL_KEYS) <= plan(CommsNotification).known

    @pytest.mark.parametrize("key", RESULT_SUBCODE_KEYS)
    def test_result_info_reads_each_subcode_spelling(self, key: str) -> None:
        """ResultInfo's subcode is read from every spelling wire knows."""
        expected = 7000
        assert expected == parse(ResultInfo, {key: 7000}).subcode
