"""Golden tests: every transfer request in the spec file is valid, and of the kind it documents."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from callstate.graph import TransferRequest, parse
from callstate.transfer import validate_transfer_request

if TYPE_CHECKING:
    from conftest import SpecRequest

# Examples 1 and 2 transfer to a Teams user; 3 and 4 to a PSTN number.
PSTN_EXAMPLES = {3, 4}
CONSULTATIVE_EXAMPLES = {2, 4}


def as_form(text: str, form: str) -> object:
    """The request body in one of the forms validation accepts."""
    if form == "bytes":
        return text.encode()
    if form == "dict":
        return json.loads(text)
    if form == "TransferRequest":
        return parse(TransferRequest, text)
    return text


class TestSpecRequests:
    """The four documented requests, with the paths they are documented at."""

    def test_every_request_is_valid_for_an_application_instance(
        self, spec_requests: list[SpecRequest]
    ) -> None:
        """All four requests pass when an application instance sends them."""
        for request in spec_requests:
            verdict = validate_transfer_request(
                request.body, path=request.url, caller="applicationInstance"
            )
            expected = ((), ())
            assert expected == (verdict.problems, verdict.warnings), request.example

    def test_every_request_is_valid_when_the_caller_is_unknown(
        self, spec_requests: list[SpecRequest]
    ) -> None:
        """Without a caller the PSTN-caller rule is not applied, so all four pass."""
        for request in spec_requests:
            assert validate_transfer_request(request.body, path=request.url).ok, request.example

    def test_user_requests_are_valid_for_an_application(
        self, spec_requests: list[SpecRequest]
    ) -> None:
        """Transfers to a Teams user are fine from a plain application."""
        for request in spec_requests:
            if request.example not in PSTN_EXAMPLES:
                verdict = validate_transfer_request(request.body, caller="application")
                assert verdict.ok, request.example

    def test_pstn_requests_are_invalid_for_an_application(
        self, spec_requests: list[SpecRequest]
    ) -> None:
        """Transfers to a PSTN number are refused for a plain application, at the phone party."""
        for request in spec_requests:
            if request.example in PSTN_EXAMPLES:
                verdict = validate_transfer_request(request.body, caller="application")
                expected = [("/transferTarget/identity/phone", "pstn-needs-application-instance")]
                assert expected == [(p.pointer, p.rule) for p in verdict.problems]

    def test_kinds_and_targets(self, spec_requests: list[SpecRequest]) -> None:
        """Examples 2 and 4 are consultative, 1 and 3 blind; 3 and 4 target the PSTN."""
        expected = {
            n: (
                "consultative" if n in CONSULTATIVE_EXAMPLES else "blind",
                "pstn" if n in PSTN_EXAMPLES else "user",
            )
            for n in (1, 2, 3, 4)
        }
        actual = {}
        for request in spec_requests:
            verdict = validate_transfer_request(request.body)
            actual[request.example] = (verdict.kind, verdict.target)
        assert expected == actual

    def test_call_ids_come_from_the_documented_urls(self, spec_requests: list[SpecRequest]) -> None:
        """The call id is the URL's {id} segment, placeholder or GUID."""
        actual = [validate_transfer_request(r.body, path=r.url).call_id for r in spec_requests]
        expected = [r.url.split("/calls/")[1].split("/")[0] for r in spec_requests]
        assert expected == actual
        assert "341a0500-d4bf-4224-8b19-1581168d328b" in actual

    @pytest.mark.parametrize("form", ["str", "bytes", "dict", "TransferRequest"])
    def test_every_input_form_gives_the_same_verdict(
        self, spec_requests: list[SpecRequest], form: str
    ) -> None:
        """JSON text, bytes, the parsed mapping and the typed request are judged alike."""
        for request in spec_requests:
            body = as_form(request.body, form)
            expected = validate_transfer_request(request.body, caller="application")
            assert expected == validate_transfer_request(body, caller="application")

    def test_documented_http_paths_are_accepted(self) -> None:
        """The two paths in the spec's HTTP request section: /communications, and /app warned."""
        body = '{"transferTarget": {"identity": {"user": {"id": "u"}}}}'
        current = validate_transfer_request(body, path="/communications/calls/{id}/transfer")
        legacy = validate_transfer_request(body, path="/app/calls/{id}/transfer")
        expected = [((), []), ((), ["deprecated-path"])]
        actual = [(v.problems, [w.rule for w in v.warnings]) for v in (current, legacy)]
        assert expected == actual
