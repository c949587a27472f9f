"""The request's path (current, deprecated, invalid) and the permission helper."""

from __future__ import annotations

import pytest

from callstate.errors import UsageError
from callstate.transfer import (
    PATH_POINTER,
    PERMISSION_POINTER,
    TRANSFER_PERMISSION,
    check_path,
    check_permission,
    validate_transfer_request,
)

BODY = {"transferTarget": {"identity": {"user": {"id": "u"}}}}


class TestPath:
    """``/communications/calls/{id}/transfer`` is valid, ``/app`` deprecated, the rest invalid."""

    @pytest.mark.parametrize(
        "path",
        [
            "/communications/calls/c1/transfer",
            "/beta/communications/calls/c1/transfer",
            "/v1.0/communications/calls/c1/transfer",
            "https://graph.microsoft.com/v1.0/communications/calls/c1/transfer",
            "https://graph.microsoft.com/beta/communications/calls/c1/transfer",
            "https://GRAPH.microsoft.com/beta/Communications/Calls/c1/Transfer",
            "https://graph.microsoft.us/v1.0/communications/calls/c1/transfer",
        ],
    )
    def test_communications_paths_are_valid(self, path: str) -> None:
        """The current path, bare or under a Graph host and version, names the call."""
        verdict = validate_transfer_request(BODY, path=path)
        expected = ((), (), "c1")
        assert expected == (verdict.problems, verdict.warnings, verdict.call_id)

    @pytest.mark.parametrize(
        "path", ["/app/calls/c1/transfer", "https://graph.microsoft.com/beta/app/calls/c1/transfer"]
    )
    def test_app_paths_are_valid_but_deprecated(self, path: str) -> None:
        """The /app path passes with one deprecation warning at the path."""
        verdict = validate_transfer_request(BODY, path=path)
        expected = ((), [(PATH_POINTER, "deprecated-path")], "c1")
        actual = (
            verdict.problems,
            [(w.pointer, w.rule) for w in verdict.warnings],
            verdict.call_id,
        )
        assert expected == actual
        assert verdict.ok

    @pytest.mark.parametrize(
        "path",
        [
            "",
            "/",
            "/communications/calls/c1",
            "/communications/calls//transfer",
            "/communications/calls/c1/transfer/",
            "/communications/calls/c1/redirect",
            "/communications/calls/c1/participants/p/transfer",
            "communications/calls/c1/transfer",
            "/v2.0/communications/calls/c1/transfer",
            "/calls/c1/transfer",
            "http://graph.microsoft.com/v1.0/communications/calls/c1/transfer",
            "https://evil.example/v1.0/communications/calls/c1/transfer",
            "https://graph.microsoft.com:8443/v1.0/communications/calls/c1/transfer",
            "https://graph.microsoft.com/communications/calls/c1/transfer",
            "https://graph.microsoft.com/v1.0/communications/calls/c1/transfer?x=1",
            "https://graph.microsoft.com/v1.0/communications/calls/c1/transfer#f",
        ],
    )
    def test_other_paths_are_invalid(self, path: str) -> None:
        """Anything else is one invalid-path problem, and names no call."""
        verdict = validate_transfer_request(BODY, path=path)
        expected = ([(PATH_POINTER, "invalid-path")], None)
        assert expected == ([(p.pointer, p.rule) for p in verdict.problems], verdict.call_id)

    def test_without_a_path_no_path_rule_applies(self) -> None:
        """path=None checks the body only."""
        verdict = validate_transfer_request(BODY)
        expected = ((), (), None)
        assert expected == (verdict.problems, verdict.warnings, verdict.call_id)

    def test_a_path_that_is_not_a_string_is_a_usage_error(self) -> None:
        """A bytes path is the caller's mistake."""
        with pytest.raises(UsageError) as caught:
            validate_transfer_request(BODY, path=b"/app/calls/c1/transfer")  # type: ignore[arg-type]
        expected = "path"
        assert expected == caught.value.argument

    def test_path_problems_follow_body_problems(self) -> None:
        """The body's problems come first, then the path's."""
        verdict = validate_transfer_request({}, path="/nope")
        expected = [("/transferTarget", "required"), (PATH_POINTER, "invalid-path")]
        assert expected == [(p.pointer, p.rule) for p in verdict.problems]


class TestPermission:
    """Application permission ``Calls.Initiate.All`` is required; delegated is not supported."""

    @pytest.mark.parametrize("permission_type", ["application", "Application", " APPLICATION "])
    def test_the_application_permission_passes(self, permission_type: str) -> None:
        """Calls.Initiate.All as an application permission is all it takes."""
        assert None is check_permission(permission_type, TRANSFER_PERMISSION)

    def test_the_required_permission_is_the_documented_one(self) -> None:
        """The spec's permission table names Calls.Initiate.All."""
        expected = "Calls.Initiate.All"
        assert expected == TRANSFER_PERMISSION

    @pytest.mark.parametrize("permission", ["Calls.AccessMedia.All", "calls.initiate.all", ""])
    def test_another_application_permission_is_missing_the_required_one(
        self, permission: str
    ) -> None:
        """Any other permission (role names are case-sensitive) is reported."""
        problem = check_permission("application", permission)
        assert problem is not None
        expected = (PERMISSION_POINTER, "missing-permission")
        assert expected == (problem.pointer, problem.rule)

    @pytest.mark.parametrize(
        "permission_type",
        [
            "delegated",
            "Delegated (work or school account)",
            "Delegated (personal Microsoft account)",
        ],
    )
    def test_delegated_permissions_are_not_supported(self, permission_type: str) -> None:
        """Delegated is refused even with the right permission name."""
        problem = check_permission(permission_type, TRANSFER_PERMISSION)
        assert problem is not None
        expected = (PERMISSION_POINTER, "delegated-permission")
        assert expected == (problem.pointer, problem.rule)

    def test_an_unknown_permission_type_is_a_usage_error(self) -> None:
        """Only application and delegated are permission types."""
        with pytest.raises(UsageError) as caught:
            check_permission("token", TRANSFER_PERMISSION)
        expected = "permission_type"
        assert expected == caught.value.argument


class TestCanonicalFastPath:
    """The string-only check of canonical URLs agrees with the full parse."""

    @pytest.mark.parametrize(
        ("url", "call_id"),
        [
            ("https://graph.microsoft.com/v1.0/communications/calls/abc/transfer", "abc"),
            ("https://graph.microsoft.com/beta/communications/calls/abc/transfer", "abc"),
            ("https://graph.microsoft.com/v1.0/communications/calls/a/b/transfer", None),
            ("https://graph.microsoft.com/v1.0/communications/calls/a?b/transfer", None),
            ("https://graph.microsoft.com/v1.0/communications/calls//transfer", None),
        ],
    )
    def test_canonical_urls(self, url: str, call_id: str | None) -> None:
        """Canonical URLs give their call id; odd ids fall through to the full check."""
        verdict = check_path(url)
        assert call_id == verdict.call_id
        assert (call_id is not None) == (not verdict.problems)
