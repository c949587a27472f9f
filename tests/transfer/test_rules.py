"""One test per body rule, each failing and passing case located by exact pointer and rule."""

from __future__ import annotations

import copy
from typing import Any, get_args

import pytest

from callstate.errors import UnknownValueWarning, UsageError
from callstate.graph import TransferRequest, parse
from callstate.machine.definition import CALL_MACHINE
from callstate.transfer import TransferKind, TransferVerdict, validate_transfer_request

USER = {"id": "550fae72", "tenantId": "72f988bf", "displayName": "Heidi Steen"}


def user_body(**target: Any) -> dict[str, Any]:
    """A minimal valid blind transfer to a Teams user, with ``target`` fields merged in."""
    return {
        "transferTarget": {"endpointType": "default", "identity": {"user": dict(USER)}, **target},
        "clientContext": "9e90d1c1",
    }


def phone_body(number: str = "+12345678901") -> dict[str, Any]:
    """A minimal valid blind transfer to a PSTN number."""
    return {"transferTarget": {"identity": {"phone": {"id": number}}}}


#: Problems as ``(pointer, rule)`` pairs, the unit every assertion compares.
Located = list[tuple[str, str]]


def located(verdict: TransferVerdict) -> Located:
    """The verdict's problems as ``(pointer, rule)``."""
    return [(p.pointer, p.rule) for p in verdict.problems]


def check(body: Any, **options: Any) -> Located:
    """Validate and return the located problems."""
    return located(validate_transfer_request(body, **options))


class TestBody:
    """The body as a whole: JSON, and a JSON object."""

    @pytest.mark.parametrize("text", ["not json", "", "{", b"\xff\xfe{}", "\ud800", "[1,]"])
    def test_text_that_is_not_json_is_malformed(self, text: str | bytes) -> None:
        """Anything unparseable is one malformed problem at the root."""
        verdict = validate_transfer_request(text)
        expected = ([("", "malformed")], None, None)
        assert expected == (located(verdict), verdict.kind, verdict.target)

    def test_a_byte_order_mark_is_tolerated(self) -> None:
        """A UTF-8 BOM before the JSON is not a problem."""
        expected: Located = []
        assert expected == check(
            b"\xef\xbb\xbf" + b'{"transferTarget":{"identity":{"user":{"id":"u"}}}}'
        )

    @pytest.mark.parametrize("body", ["[]", "null", "3", '"x"', [], None, 3])
    def test_a_body_that_is_not_an_object_is_a_wrong_type(self, body: object) -> None:
        """JSON that is not an object, as text or parsed, is a wrong type at the root."""
        expected = [("", "wrong-type")]
        assert expected == check(body)

    def test_unknown_fields_are_fine(self) -> None:
        """Lenient parse: fields the spec does not know are ignored."""
        body = user_body(futureField={"x": 1})
        body["identity"] = 7
        body["@odata.type"] = "#microsoft.graph.transferRequest"
        expected: Located = []
        assert expected == check(body)

    def test_a_python_object_that_is_not_json_is_a_usage_error(self) -> None:
        """A set is not JSON at all: the caller's mistake, named by argument."""
        with pytest.raises(UsageError) as caught:
            validate_transfer_request({1, 2})
        expected = "body"
        assert expected == caught.value.argument

    def test_a_typed_request_is_checked_as_its_graph_json(self) -> None:
        """A parsed TransferRequest keeps the spelling it was read in, so its faults are found."""
        with pytest.warns(UnknownValueWarning):
            request = parse(TransferRequest, user_body(endpointType="fax"))
        expected = [("/transferTarget/endpointType", "unknown-endpoint-type")]
        assert expected == check(request)

    def test_the_input_mapping_is_not_changed(self) -> None:
        """Validation only reads the body."""
        body = user_body(endpointType="bogus")
        before = copy.deepcopy(body)
        check(body)
        assert before == body


class TestTransferTarget:
    """``transferTarget`` is a required object."""

    @pytest.mark.parametrize("value", ["missing", None])
    def test_missing_or_null_target_is_required(self, value: object) -> None:
        """No target (or null) is reported at /transferTarget."""
        body: dict[str, Any] = {"clientContext": "c"}
        if value != "missing":
            body["transferTarget"] = value
        verdict = validate_transfer_request(body)
        expected = [("/transferTarget", "required")]
        assert expected == located(verdict)
        assert None is verdict.kind

    def test_target_that_is_not_an_object_is_a_wrong_type(self) -> None:
        """A string target is a wrong type."""
        expected = [("/transferTarget", "wrong-type")]
        assert expected == check({"transferTarget": "someone"})

    def test_a_target_object_passes(self) -> None:
        """The minimal target is accepted."""
        expected: Located = []
        assert expected == check(user_body())


class TestIdentity:
    """The target's identity: an object naming exactly one party, with an id."""

    def test_missing_identity_is_required(self) -> None:
        """A target without identity is reported at its identity."""
        expected = [("/transferTarget/identity", "required")]
        assert expected == check({"transferTarget": {}})

    def test_identity_that_is_not_an_object_is_a_wrong_type(self) -> None:
        """An array identity is a wrong type."""
        body: dict[str, Any] = {"transferTarget": {"identity": []}}
        expected = [("/transferTarget/identity", "wrong-type")]
        assert expected == check(body)

    def test_no_party_is_a_party_count_problem(self) -> None:
        """An identity with no known party (nulls count as absent) names none."""
        body = {"transferTarget": {"identity": {"user": None, "encrypted": {"id": "x"}}}}
        verdict = validate_transfer_request(body)
        expected = [("/transferTarget/identity", "party-count")]
        assert expected == located(verdict)
        assert "found none" in verdict.problems[0].message

    def test_two_parties_are_named(self) -> None:
        """Two parties are reported together with their names."""
        body = {"transferTarget": {"identity": {"user": dict(USER), "phone": {"id": "+1"}}}}
        verdict = validate_transfer_request(body)
        expected = [("/transferTarget/identity", "party-count")]
        assert expected == located(verdict)
        assert "found 2 (user, phone)" in verdict.problems[0].message
        assert None is verdict.target

    @pytest.mark.parametrize(
        ("party", "target"),
        [
            ("user", "user"),
            ("application", "application"),
            ("applicationInstance", "applicationInstance"),
            ("phone", "pstn"),
            ("guest", "guest"),
            ("device", "device"),
        ],
    )
    def test_exactly_one_party_of_any_kind_passes(self, party: str, target: str) -> None:
        """Each kind of party alone is accepted and named as the target."""
        body = {"transferTarget": {"identity": {party: {"id": "+1"}, "other": None}}}
        verdict = validate_transfer_request(body)
        expected: tuple[Located, str] = ([], target)
        assert expected == (located(verdict), verdict.target)

    def test_null_parties_are_absent(self) -> None:
        """SDK-style nulls for the other parties do not count."""
        identity = {"user": dict(USER), "application": None, "device": None, "phone": None}
        expected: Located = []
        assert expected == check({"transferTarget": {"identity": identity}})

    def test_party_that_is_not_an_object_is_a_wrong_type(self) -> None:
        """A party given as a string is a wrong type at that party."""
        body = {"transferTarget": {"identity": {"user": "heidi"}}}
        expected = [("/transferTarget/identity/user", "wrong-type")]
        assert expected == check(body)

    @pytest.mark.parametrize(
        ("party", "rule"),
        [
            ({}, "required"),
            ({"id": None}, "required"),
            ({"id": 5}, "wrong-type"),
            ({"id": ""}, "empty-string"),
        ],
    )
    def test_party_id_must_be_a_non_empty_string(self, party: dict[str, Any], rule: str) -> None:
        """The id is required, a string, and not empty."""
        body = {"transferTarget": {"identity": {"guest": party}}}
        expected = [("/transferTarget/identity/guest/id", rule)]
        assert expected == check(body)

    @pytest.mark.parametrize("key", ["displayName", "tenantId"])
    def test_party_strings_must_be_strings(self, key: str) -> None:
        """displayName and tenantId, when given, are strings."""
        body = {"transferTarget": {"identity": {"user": {"id": "u", key: 1}}}}
        expected = [(f"/transferTarget/identity/user/{key}", "wrong-type")]
        assert expected == check(body)


class TestTargetFields:
    """The target's optional invitationParticipantInfo fields."""

    @pytest.mark.parametrize("value", ["default", "VOICEMAIL", "skypeforbusiness", None])
    def test_known_endpoint_types_pass_in_any_case(self, value: str | None) -> None:
        """Known endpointType values are accepted whatever their letter case, and null is absent."""
        expected: Located = []
        assert expected == check(user_body(endpointType=value))

    @pytest.mark.parametrize("value", ["bogus", "unknownFutureValue", ""])
    def test_unknown_endpoint_type(self, value: str) -> None:
        """Other values, the sentinel included, are reported."""
        body = user_body(endpointType=value)
        expected = [("/transferTarget/endpointType", "unknown-endpoint-type")]
        assert expected == check(body)

    def test_endpoint_type_that_is_not_a_string_is_a_wrong_type(self) -> None:
        """A number endpointType is a wrong type."""
        body = user_body(endpointType=1)
        expected = [("/transferTarget/endpointType", "wrong-type")]
        assert expected == check(body)

    @pytest.mark.parametrize(
        ("key", "value"),
        [("hidden", "yes"), ("languageId", 1), ("region", []), ("participantId", 2)],
    )
    def test_other_known_fields_are_type_checked(self, key: str, value: object) -> None:
        """hidden is a boolean; languageId, region and participantId are strings."""
        expected = [(f"/transferTarget/{key}", "wrong-type")]
        assert expected == check(user_body(**{key: value}))


class TestReplacesCallId:
    """``replacesCallId`` makes the transfer consultative."""

    def test_replaces_call_id_means_consultative(self) -> None:
        """A target with replacesCallId is consultative."""
        verdict = validate_transfer_request(user_body(replacesCallId="e5d39592"))
        expected: tuple[Located, str] = ([], "consultative")
        assert expected == (located(verdict), verdict.kind)

    @pytest.mark.parametrize("target", [{}, {"replacesCallId": None}])
    def test_without_it_the_transfer_is_blind(self, target: dict[str, Any]) -> None:
        """No replacesCallId (or null) means blind."""
        verdict = validate_transfer_request(user_body(**target))
        expected: tuple[Located, str] = ([], "blind")
        assert expected == (located(verdict), verdict.kind)

    @pytest.mark.parametrize(("value", "rule"), [("", "empty-string"), (5, "wrong-type")])
    def test_replaces_call_id_must_be_a_non_empty_string(self, value: object, rule: str) -> None:
        """An empty or non-string replacesCallId is reported, and still read as consultative."""
        verdict = validate_transfer_request(user_body(replacesCallId=value))
        expected = ([("/transferTarget/replacesCallId", rule)], "consultative")
        assert expected == (
            located(verdict),
            verdict.kind,
        )

    @pytest.mark.parametrize(
        "target", [{}, {"replacesCallId": None}, {"replacesCallId": "e5d39592"}], ids=str
    )
    def test_kind_is_the_one_the_call_machine_selects(self, target: dict[str, Any]) -> None:
        """The body rules and the definition's kinds (``selected_by``) tell the kind alike."""
        body = user_body(**target)
        assert CALL_MACHINE.kind_of(body) == validate_transfer_request(body).kind

    def test_kind_names_are_the_machine_guards(self) -> None:
        """The verdict's kinds are exactly the guards the call machine checks outcomes with."""
        assert {g.name for g in CALL_MACHINE.guards} == set(get_args(TransferKind))


class TestClientContext:
    """``clientContext`` is a string of at most 256 characters."""

    @pytest.mark.parametrize("length", [0, 1, 256])
    def test_up_to_256_characters_pass(self, length: int) -> None:
        """256 characters, multi-byte ones too, are within the limit."""
        body = user_body()
        body["clientContext"] = "é" * length
        expected: Located = []
        assert expected == check(body)

    def test_257_characters_are_too_long(self) -> None:
        """One character more is reported."""
        body = user_body()
        body["clientContext"] = "x" * 257
        verdict = validate_transfer_request(body)
        expected = [("/clientContext", "client-context-too-long")]
        assert expected == located(verdict)
        assert "257" in verdict.problems[0].message

    def test_absent_client_context_passes(self) -> None:
        """Current Graph versions drop clientContext, so it is optional."""
        body = user_body()
        del body["clientContext"]
        expected: Located = []
        assert expected == check(body)

    def test_client_context_that_is_not_a_string_is_a_wrong_type(self) -> None:
        """A number clientContext is a wrong type."""
        body = user_body()
        body["clientContext"] = 42
        expected = [("/clientContext", "wrong-type")]
        assert expected == check(body)
