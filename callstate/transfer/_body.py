"""The rules for a transfer request's JSON body, applied to the raw mapping.

Rules run on the parsed JSON, not on typed objects, so that every problem can be
reported at its JSON pointer, wrong types included, and so that trace files, which
carry requests as JSON, need no second code path. Unknown fields are ignored and a
JSON ``null`` counts as absent, because Graph SDKs serialise unset fields as null.
An unknown top-level field is a warning (``unknown-field``): a mistyped ``tranfereee``
would otherwise be dropped without a word; OData annotations (``@odata.type``) are fine.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final, Literal, NamedTuple, cast, get_args

from callstate.facts import BLIND, CONSULTATIVE
from callstate.graph.enums import EndpointType
from callstate.graph.wire import IDENTITY_PARTIES, json_type
from callstate.rules import RULES as CATALOGUED
from callstate.transfer._verdict import Problem, TargetKind, TransferKind

__all__ = ["CALLERS", "PARTIES", "RULES", "BodyVerdict", "Caller", "check_body", "quick_look"]

#: Who sends the request; a PSTN target needs an application instance.
Caller = Literal["application", "applicationInstance"]
CALLERS: Final[tuple[Caller, ...]] = ("application", "applicationInstance")

#: The kinds of party an identitySet can name (those of ``callstate.graph.IdentitySet``);
#: a request names exactly one.
PARTIES: Final = IDENTITY_PARTIES
#: The target kind each party makes: a phone number is a PSTN target, the rest are themselves.
_TARGET_KIND: Final = {
    party: cast(TargetKind, "pstn" if party == "phone" else party) for party in PARTIES
}
#: Graph's endpointType values a client may send (``unknownFutureValue`` is a sentinel it may not).
_ENDPOINT_TYPES: Final = tuple(
    e.value for e in EndpointType if e is not EndpointType.UNKNOWN_FUTURE_VALUE
)
_ENDPOINT_BY_FOLDED: Final = {name.casefold(): name for name in _ENDPOINT_TYPES}
#: ``+``, then 1 to 15 digits, the first not zero (ITU-T E.164).
_E164: Final = re.compile(r"\+[1-9][0-9]{0,14}")
_CLIENT_CONTEXT_MAX: Final = 256
# Optional string fields of the participant shapes; a wrong type is reported, absence is fine.
_TARGET_STRINGS: Final = ("participantId", "languageId", "region")
_TRANSFEREE_STRINGS: Final = ("participantId", "languageId", "region", "countryCode")
_PARTY_STRINGS: Final = ("displayName", "tenantId")
#: The top-level fields of a transfer body; any other (but an annotation) is a warning.
_BODY_FIELDS: Final = ("transferTarget", "transferee", "clientContext")
#: How much of an unknown field's name a message quotes.
_NAME_SHOWN: Final = 64

#: Every rule the body, path and permission checks report, with what it means: the
#: catalogue's request rules (but the record-level ``invalid-request``), and ``malformed``.
RULES: Final[Mapping[str, str]] = {
    "malformed": "the body is not JSON at all",
    **{
        r.id: r.summary if r.severity == "violation" else f"(warning) {r.summary}"
        for r in CATALOGUED
        if r.subject == "request" and r.id != "invalid-request"
    },
}


class BodyVerdict(NamedTuple):
    """The body's problems and warnings, and its transfer and target kind as far as known.

    A named tuple: one is built per request on the validator's path.
    """

    problems: tuple[Problem, ...]
    kind: TransferKind | None
    target: TargetKind | None
    warnings: tuple[Problem, ...] = ()


def _kind(replaces: object) -> TransferKind:
    """A target that replaces a call makes a consultative transfer; any other, a blind one
    (the kinds' names are the facts' that the call machine declares its kinds by)."""
    return BLIND if replaces is None else CONSULTATIVE


def _pointer(base: str, key: str) -> str:
    return f"{base}/{key.replace('~', '~0').replace('/', '~1')}"


class _Party(NamedTuple):
    """The one party an identity set names."""

    name: str
    pointer: str
    fields: Mapping[str, Any]

    def tenant(self) -> str | None:
        value = self.fields.get("tenantId")
        return value if isinstance(value, str) and value else None


class _Checker:
    """Collects every problem in one body, in document order."""

    def __init__(self, caller: Caller | None) -> None:
        self.caller = caller
        self.problems: list[Problem] = []

    def report(self, pointer: str, rule: str, message: str) -> None:
        self.problems.append(Problem(pointer, rule, message))

    def wrong_type(self, pointer: str, expected: str, value: object) -> None:
        self.report(pointer, "wrong-type", f"expected {expected}, got {json_type(value)}")

    def object_at(
        self, holder: Mapping[str, Any], base: str, key: str, *, required: str | None = None
    ) -> Mapping[str, Any] | None:
        """``holder[key]`` if it is an object; if missing, reported when ``required`` says why."""
        value = holder.get(key)
        if value is None:
            if required is not None:
                self.report(_pointer(base, key), "required", f"{key} is required: {required}")
            return None
        if type(value) is not dict and not isinstance(value, Mapping):
            self.wrong_type(_pointer(base, key), "an object", value)
            return None
        return value

    def string_at(
        self, holder: Mapping[str, Any], base: str, key: str, *, non_empty: bool = False
    ) -> str | None:
        """``holder[key]`` if it is a string (non-empty if asked); absent is fine here."""
        value = holder.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            self.wrong_type(_pointer(base, key), "a string", value)
            return None
        if non_empty and not value:
            self.report(_pointer(base, key), "empty-string", f"{key} must not be empty")
            return None
        return value

    def strings_at(self, holder: Mapping[str, Any], base: str, keys: tuple[str, ...]) -> None:
        """Each of ``keys`` present holds a string: one call, as these are on every request."""
        for key in keys:
            value = holder.get(key)
            if value is not None and not isinstance(value, str):
                self.wrong_type(_pointer(base, key), "a string", value)

    def identity(self, holder: Mapping[str, Any], base: str, role: str) -> _Party | None:
        """Check ``holder.identity``: exactly one party, each with a non-empty string id."""
        identity_pointer = _pointer(base, "identity")
        identity = self.object_at(
            holder, base, "identity", required=f"the identitySet naming the {role}"
        )
        if identity is None:
            return None
        present = [name for name in PARTIES if identity.get(name) is not None]
        if len(present) != 1:
            found = f"{len(present)} ({', '.join(present)})" if present else "none"
            self.report(
                identity_pointer,
                "party-count",
                f"the {role}'s identity must name exactly one of {', '.join(PARTIES)}; "
                f"found {found}",
            )
        parties: list[_Party] = []
        for name in present:
            fields = self.object_at(identity, identity_pointer, name)
            if fields is None:
                continue
            party_pointer = _pointer(identity_pointer, name)
            if fields.get("id") is None:
                self.report(
                    _pointer(party_pointer, "id"), "required", f"the {name} identity needs an id"
                )
            else:
                self.string_at(fields, party_pointer, "id", non_empty=True)
            self.strings_at(fields, party_pointer, _PARTY_STRINGS)
            party = _Party(name, party_pointer, fields)
            if name == "phone":
                self.e164(party)
            parties.append(party)
        return parties[0] if len(present) == 1 and parties else None

    def endpoint_type(self, holder: Mapping[str, Any], base: str) -> None:
        value = self.string_at(holder, base, "endpointType")
        if value is not None and value.casefold() not in _ENDPOINT_BY_FOLDED:
            self.report(
                _pointer(base, "endpointType"),
                "unknown-endpoint-type",
                f"{value!r} is not an endpointType; expected one of {', '.join(_ENDPOINT_TYPES)}",
            )

    def e164(self, party: _Party) -> None:
        """A phone identity's id is a number in E.164 form."""
        number = party.fields.get("id")
        if isinstance(number, str) and number and not _E164.fullmatch(number):
            self.report(
                _pointer(party.pointer, "id"),
                "not-e164",
                f"{number!r} is not an E.164 number: '+', then 1 to 15 digits, the first not zero",
            )

    def pstn_caller(self, party: _Party) -> None:
        """Only an application instance may transfer to a PSTN number (unknown caller: skipped)."""
        if self.caller == "application":
            self.report(
                party.pointer,
                "pstn-needs-application-instance",
                "transfer to a PSTN number is supported only for an application instance, "
                "and the caller is an application",
            )

    def target(self, body: Mapping[str, Any]) -> tuple[TransferKind | None, _Party | None]:
        base = "/transferTarget"
        target = self.object_at(
            body, "", "transferTarget", required="the participant to transfer the call to"
        )
        if target is None:
            return None, None
        party = self.identity(target, base, "transfer target")
        self.endpoint_type(target, base)
        replaces = target.get("replacesCallId")
        self.string_at(target, base, "replacesCallId", non_empty=True)
        self.strings_at(target, base, _TARGET_STRINGS)
        hidden = target.get("hidden")
        if hidden is not None and not isinstance(hidden, bool):
            self.wrong_type(_pointer(base, "hidden"), "a boolean", hidden)
        if party is not None and party.name == "phone":
            self.pstn_caller(party)
        return _kind(replaces), party

    def client_context(self, body: Mapping[str, Any]) -> None:
        value = self.string_at(body, "", "clientContext")
        if value is not None and len(value) > _CLIENT_CONTEXT_MAX:
            self.report(
                "/clientContext",
                "client-context-too-long",
                f"clientContext has {len(value)} characters; at most {_CLIENT_CONTEXT_MAX}",
            )

    def transferee(self, body: Mapping[str, Any]) -> _Party | None:
        """The optional participantInfo of who is transferred (needed out of group calls)."""
        transferee = self.object_at(body, "", "transferee")
        if transferee is None:
            return None
        party = self.identity(transferee, "/transferee", "transferee")
        self.endpoint_type(transferee, "/transferee")
        self.strings_at(transferee, "/transferee", _TRANSFEREE_STRINGS)
        return party

    def tenants(self, target: _Party | None, transferee: _Party | None) -> None:
        if target is None or transferee is None:
            return
        target_tenant, transferee_tenant = target.tenant(), transferee.tenant()
        if target_tenant is None or transferee_tenant is None:
            return
        if target_tenant.casefold() != transferee_tenant.casefold():
            self.report(
                _pointer(target.pointer, "tenantId"),
                "tenant-mismatch",
                f"the target's tenant {target_tenant} is not the transferee's tenant "
                f"{transferee_tenant} ({transferee.pointer}/tenantId); "
                "both must belong to the same tenant",
            )


def check_body(body: object, *, caller: Caller | None) -> BodyVerdict:
    """Every problem in a parsed request body, in document order."""
    quick = quick_look(body, caller)
    return _check(body, caller) if quick is None else quick


def _check(body: object, caller: Caller | None) -> BodyVerdict:
    """The rules, field by field."""
    if type(body) is not dict and not isinstance(body, Mapping):
        problem = Problem("", "wrong-type", f"expected a JSON object, got {json_type(body)}")
        return BodyVerdict((problem,), None, None)
    checker = _Checker(caller)
    kind, target = checker.target(body)
    checker.client_context(body)
    transferee = checker.transferee(body)
    checker.tenants(target, transferee)
    return BodyVerdict(
        tuple(checker.problems),
        kind,
        _TARGET_KIND[target.name] if target else None,
        _unknown_fields(body),
    )


def _unknown_fields(body: Mapping[str, Any]) -> tuple[Problem, ...]:
    """A warning per top-level key that is neither a body field nor an OData annotation."""
    if len(body) <= len(_BODY_FIELDS) and all(key in _BODY_FIELDS for key in body):
        return ()  # the usual body: nothing to look at
    found = []
    for raw in body:
        key = str(raw)  # a dict from Python may have other keys than strings
        if key in _BODY_FIELDS or "@" in key:
            continue
        shown = key if len(key) <= _NAME_SHOWN else f"{key[:_NAME_SHOWN]}..."
        import difflib  # only for a misspelt field: it costs startup

        close = difflib.get_close_matches(key[: _NAME_SHOWN * 2], _BODY_FIELDS, n=1)
        guess = f"; did you mean {close[0]!r}?" if close else ""
        message = (
            f"unknown field {shown!r} is ignored; a transfer body has {', '.join(_BODY_FIELDS)}"
        )
        found.append(Problem(_pointer("", key), "unknown-field", message + guess))
    return tuple(found)


# -- the quick look ------------------------------------------------------------------
# Most bodies are exactly what Graph's SDKs send, and have nothing to report. The quick
# look takes only those: every key one of the fields below, every value of the type the
# rules want. Anything else (a null, an annotation at the top, a field it has no entry
# for, a value the rules would look at twice) goes to the rules. It never finds a
# problem, so it cannot find one the rules would not; a property proves that
# ``check_body`` says the same with it and without it.

_ANNOTATION: Final = "@odata.type"
_TOP_KEYS: Final = frozenset(_BODY_FIELDS)
_TARGET_KEYS: Final = frozenset(
    (_ANNOTATION, "identity", "endpointType", "replacesCallId", "hidden", *_TARGET_STRINGS)
)
_TRANSFEREE_KEYS: Final = frozenset((_ANNOTATION, "identity", "endpointType", *_TRANSFEREE_STRINGS))
_IDENTITY_KEYS: Final = frozenset((_ANNOTATION, *PARTIES))
_PARTY_KEYS: Final = frozenset((_ANNOTATION, "id", *_PARTY_STRINGS))
_EXACT_ENDPOINTS: Final = frozenset(_ENDPOINT_TYPES)
#: The verdicts of the bodies the quick look takes: one per kind and target kind.
_CLEAN: Final = {
    (kind, party): BodyVerdict((), kind, _TARGET_KIND[party])
    for kind in get_args(TransferKind)
    for party in PARTIES
}


def quick_look(body: object, caller: Caller | None) -> BodyVerdict | None:
    """The rules' verdict of a body with nothing to report (no walk of the rules), or ``None``."""
    if type(body) is not dict or not body.keys() <= _TOP_KEYS:
        return None
    context = body.get("clientContext")
    if context is not None and (type(context) is not str or len(context) > _CLIENT_CONTEXT_MAX):
        return None
    target = body.get("transferTarget")
    if type(target) is not dict or not target.keys() <= _TARGET_KEYS:
        return None
    replaces = target.get("replacesCallId")
    hidden = target.get("hidden")
    if (replaces is not None and (type(replaces) is not str or not replaces)) or (
        hidden is not None and type(hidden) is not bool
    ):
        return None
    party = _clean_party(target, _TARGET_STRINGS)
    if party is None or (party[0] == "phone" and caller == "application"):
        return None
    transferee = body.get("transferee")
    if transferee is not None:
        if type(transferee) is not dict or not transferee.keys() <= _TRANSFEREE_KEYS:
            return None
        other = _clean_party(transferee, _TRANSFEREE_STRINGS)
        if other is None:
            return None
        mine, theirs = party[1].get("tenantId"), other[1].get("tenantId")
        if mine and theirs and mine.casefold() != theirs.casefold():
            return None
    return _CLEAN[_kind(replaces), party[0]]


def _clean_party(
    holder: dict[str, Any], strings: tuple[str, ...]
) -> tuple[str, dict[str, Any]] | None:
    """The one party a participant object names, when nothing about it is to report."""
    for key in strings:
        value = holder.get(key)
        if value is not None and type(value) is not str:
            return None
    endpoint = holder.get("endpointType")
    if endpoint is not None and (type(endpoint) is not str or endpoint not in _EXACT_ENDPOINTS):
        return None
    identity = holder.get("identity")
    if type(identity) is not dict or not identity.keys() <= _IDENTITY_KEYS:
        return None
    found = None
    for name, fields in identity.items():
        if name == _ANNOTATION:
            continue
        if found is not None or type(fields) is not dict or not fields.keys() <= _PARTY_KEYS:
            return None
        number = fields.get("id")
        if type(number) is not str or not number:
            return None
        for key in _PARTY_STRINGS:
            value = fields.get(key)
            if value is not None and type(value) is not str:
                return None
        if name == "phone" and not _E164.fullmatch(number):
            return None
        found = (name, fields)
    return found
