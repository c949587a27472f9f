"""Body rules on who calls and who is transferred: PSTN callers, transferees, every problem."""

from __future__ import annotations

import re
from typing import Any

import pytest

from callstate.errors import UsageError
from callstate.transfer import RULES, validate_transfer_request
from tests.transfer.test_rules import (
    USER,
    Located,
    check,
    located,
    phone_body,
    user_body,
)


class TestPstn:
    """A phone identity: E.164, and only for an application instance."""

    @pytest.mark.parametrize("number", ["+12345678901", "+1", "+123456789012345"])
    def test_e164_numbers_pass(self, number: str) -> None:
        """'+', then 1 to 15 digits, the first non-zero."""
        verdict = validate_transfer_request(phone_body(number), caller="applicationInstance")
        expected: tuple[Located, str] = ([], "pstn")
        assert expected == (located(verdict), verdict.target)

    @pytest.mark.parametrize(
        "number", ["12345678901", "+0123", "+1234567890123456", "+1-234", "+", "+1 234", "tel:+1"]
    )
    def test_other_numbers_are_not_e164(self, number: str) -> None:
        """No plus, a leading zero, 16 digits, separators or a scheme are all reported."""
        body = phone_body(number)
        expected = [("/transferTarget/identity/phone/id", "not-e164")]
        assert expected == check(body)

    def test_a_transferee_phone_is_e164_too(self) -> None:
        """The E.164 rule is about phone identities wherever they are."""
        body = user_body()
        body["transferee"] = {"identity": {"phone": {"id": "555-0100"}}}
        expected = [("/transferee/identity/phone/id", "not-e164")]
        assert expected == check(body)

    def test_an_application_may_not_transfer_to_pstn(self) -> None:
        """An application (not an instance) calling a phone target is reported at the party."""
        verdict = validate_transfer_request(phone_body(), caller="application")
        expected = [("/transferTarget/identity/phone", "pstn-needs-application-instance")]
        assert expected == located(verdict)

    @pytest.mark.parametrize("caller", ["applicationInstance", None])
    def test_an_instance_or_unknown_caller_may(self, caller: str | None) -> None:
        """An application instance passes; an unknown caller skips the rule."""
        expected: Located = []
        assert expected == check(phone_body(), caller=caller)

    def test_an_application_may_transfer_to_a_user(self) -> None:
        """The caller rule is about PSTN targets only."""
        expected: Located = []
        assert expected == check(user_body(), caller="application")

    @pytest.mark.parametrize("caller", ["app", "Application", ""])
    def test_an_unknown_caller_kind_is_a_usage_error(self, caller: str) -> None:
        """Only None, application and applicationInstance are callers."""
        with pytest.raises(UsageError) as caught:
            validate_transfer_request(user_body(), caller=caller)
        expected = "caller"
        assert expected == caught.value.argument


class TestTransferee:
    """The optional ``transferee`` is a participantInfo, in the target's tenant."""

    def transferee(self, **identity: Any) -> dict[str, Any]:
        """A body with a transferee whose identity is ``identity``."""
        body = user_body()
        body["transferee"] = {"identity": identity, "endpointType": "default", "region": "amer"}
        return body

    def test_a_participant_info_passes(self) -> None:
        """A transferee in the target's tenant (any letter case) is accepted."""
        body = self.transferee(user={"id": "t", "tenantId": USER["tenantId"].upper()})
        expected: Located = []
        assert expected == check(body)

    def test_transferee_that_is_not_an_object_is_a_wrong_type(self) -> None:
        """A string transferee is a wrong type."""
        body = user_body()
        body["transferee"] = "caller"
        expected = [("/transferee", "wrong-type")]
        assert expected == check(body)

    def test_transferee_needs_an_identity(self) -> None:
        """A participantInfo without identity is reported."""
        body = user_body()
        body["transferee"] = {"region": "amer"}
        expected = [("/transferee/identity", "required")]
        assert expected == check(body)

    def test_transferee_identity_names_one_party(self) -> None:
        """Two parties in the transferee's identity are reported there."""
        body = self.transferee(user={"id": "t"}, guest={"id": "g"})
        expected = [("/transferee/identity", "party-count")]
        assert expected == check(body)

    @pytest.mark.parametrize(("key", "value"), [("endpointType", "x"), ("countryCode", 1)])
    def test_transferee_fields_are_checked(self, key: str, value: object) -> None:
        """Its known fields are checked like the target's."""
        body = self.transferee(user={"id": "t"})
        body["transferee"][key] = value
        rule = "unknown-endpoint-type" if key == "endpointType" else "wrong-type"
        expected = [(f"/transferee/{key}", rule)]
        assert expected == check(body)

    def test_different_tenants_are_reported_at_the_target(self) -> None:
        """Known, different tenants break the same-tenant rule, naming both."""
        body = self.transferee(user={"id": "t", "tenantId": "other-tenant"})
        verdict = validate_transfer_request(body)
        expected = [("/transferTarget/identity/user/tenantId", "tenant-mismatch")]
        assert expected == located(verdict)
        assert "other-tenant" in verdict.problems[0].message

    @pytest.mark.parametrize(
        ("target_tenant", "transferee_tenant"), [(None, "t2"), ("t1", None), ("", "t2")]
    )
    def test_an_unknown_tenant_is_not_compared(
        self, target_tenant: str | None, transferee_tenant: str | None
    ) -> None:
        """The rule applies only when both tenants are known."""
        body = self.transferee(user={"id": "t", "tenantId": transferee_tenant})
        body["transferTarget"]["identity"]["user"]["tenantId"] = target_tenant
        expected: Located = []
        assert expected == check(body)


class TestEveryProblem:
    """Validation reports all it finds, in document order, then the path."""

    def test_all_problems_are_reported(self) -> None:
        """Five independent faults give five located problems."""
        body = {
            "transferTarget": {
                "identity": {"phone": {"id": "0800"}},
                "endpointType": "fax",
                "replacesCallId": "",
            },
            "clientContext": "x" * 300,
        }
        expected = [
            ("/transferTarget/identity/phone/id", "not-e164"),
            ("/transferTarget/endpointType", "unknown-endpoint-type"),
            ("/transferTarget/replacesCallId", "empty-string"),
            ("/transferTarget/identity/phone", "pstn-needs-application-instance"),
            ("/clientContext", "client-context-too-long"),
            ("(path)", "invalid-path"),
        ]
        assert expected == check(body, caller="application", path="/calls/1/transfer")

    def test_every_rule_is_documented(self) -> None:
        """Every rule id is kebab-case and listed in RULES with its meaning."""
        assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule) for rule in RULES)
        body = {"transferTarget": {"identity": {"user": {"id": 1}}}, "transferee": 3}
        rules = {p.rule for p in validate_transfer_request(body, path="x").problems}
        assert rules <= set(RULES)
        assert {"wrong-type", "invalid-path"} == rules

    def test_problems_print_as_pointer_rule_message(self) -> None:
        """str(problem) is the CLI's line; the root pointer shows as '/'."""
        (problem,) = validate_transfer_request("nope").problems
        assert re.fullmatch(r"/  malformed  the body is not JSON: .+", str(problem))
