"""Identities, transfer targets and transfer requests: valid ones, and invalid ones labelled.

Requests are built as :mod:`callstate.graph` resources and written with
:func:`~callstate.graph.dump`, so they are the Graph JSON a bot would POST. Each
invalid request breaks exactly one rule of :data:`callstate.transfer.RULES`, at a
known JSON pointer, so a test can check the validator names that rule there.
"""

from __future__ import annotations

import functools
from typing import Any, Final

import attrs
from hypothesis import strategies as st

from callstate.errors import UsageError
from callstate.facts import BLIND, CONSULTATIVE
from callstate.graph import (
    EndpointType,
    Identity,
    IdentitySet,
    InvitationParticipantInfo,
    ParticipantInfo,
    TransferRequest,
    dump,
)
from callstate.transfer import CALLERS, PATH_POINTER, RULES

__all__ = [
    "INVALID_REQUEST_RULES",
    "TARGET_PARTIES",
    "InvalidTransferRequest",
    "TransferRequestCase",
    "e164_numbers",
    "identity_sets",
    "invalid_transfer_requests",
    "transfer_requests",
    "transfer_targets",
]

#: The parties a call can be transferred to: a Teams user, a PSTN phone, an application instance.
TARGET_PARTIES: Final = ("user", "phone", "applicationInstance")
_ENDPOINTS: Final = tuple(e for e in EndpointType if e is not EndpointType.UNKNOWN_FUTURE_VALUE)
_CLIENT_CONTEXT_MAX: Final = 256

_ids = st.uuids().map(str)
_TENANT: Final = "72f988bf-86f1-41af-91ab-2d7cd011db47"
_tenants = st.sampled_from([_TENANT, "aa67bd4c-8475-432d-bd41-39f255720e0a"])
_names = st.sampled_from(["Heidi Steen", "Adele Vance", "Contoso IVR", "Reception"])
_words = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=16)


def e164_numbers() -> st.SearchStrategy[str]:
    """A phone number in E.164 form: ``+``, then 1 to 15 digits, the first not zero."""
    return st.from_regex(r"\+[1-9][0-9]{0,14}", fullmatch=True)


def _party(party: str) -> st.SearchStrategy[Identity]:
    if party == "phone":
        return st.builds(Identity, id=e164_numbers())
    return st.builds(
        Identity, id=_ids, display_name=st.none() | _names, tenant_id=st.none() | _tenants
    )


def _check_party(party: str | None) -> None:
    if party is not None and party not in TARGET_PARTIES:
        raise UsageError("party", f"expected None or one of {list(TARGET_PARTIES)}, got {party!r}")


def _identity_set(party: str, who: Identity) -> IdentitySet:
    if party == "user":
        return IdentitySet(user=who)
    if party == "phone":
        return IdentitySet(phone=who)
    return IdentitySet(application_instance=who)


def identity_sets(*, party: str | None = None) -> st.SearchStrategy[IdentitySet]:
    """An identitySet naming exactly one party: ``user``, ``phone`` or ``applicationInstance``."""
    _check_party(party)
    parties = TARGET_PARTIES if party is None else (party,)
    return st.sampled_from(parties).flatmap(
        lambda name: _party(name).map(lambda who: _identity_set(name, who))
    )


def transfer_targets(
    *, party: str | None = None, consultative: bool | None = None
) -> st.SearchStrategy[InvitationParticipantInfo]:
    """A valid ``transferTarget``; consultative targets carry ``replacesCallId``."""
    _check_party(party)
    if consultative not in (None, True, False):
        raise UsageError("consultative", f"expected None, True or False, got {consultative!r}")
    return _targets(party, consultative)


@functools.cache  # one strategy per choice: a fresh one is validated again at its first draw
def _targets(
    party: str | None, consultative: bool | None
) -> st.SearchStrategy[InvitationParticipantInfo]:
    replaces = {None: st.none() | _ids, True: _ids, False: st.none()}[consultative]
    return st.builds(
        InvitationParticipantInfo,
        endpoint_type=st.none() | st.sampled_from(_ENDPOINTS),
        identity=identity_sets(party=party),
        replaces_call_id=replaces,
        language_id=st.none() | st.just("en-us"),
        region=st.none() | st.just("amer"),
    )


@attrs.frozen
class TransferRequestCase:
    """A request a bot could POST: its body (Graph JSON), path and caller, and what it is."""

    body: dict[str, Any]
    path: str
    caller: str | None
    kind: str
    target: str


@attrs.frozen
class InvalidTransferRequest:
    """A request that breaks exactly one rule, ``rule``, at JSON pointer ``pointer``.

    ``body`` is JSON text for the ``malformed`` rule, else parsed JSON.
    """

    body: object
    path: str
    caller: str | None
    rule: str
    pointer: str


_TARGET_KIND: Final = {
    "user": "user",
    "phone": "pstn",
    "applicationInstance": "applicationInstance",
}


#: Built once (see ``_targets``).
_CONTEXTS = st.none() | _ids
_PREFIXES = st.sampled_from(["", "https://graph.microsoft.com/v1.0", "/beta"])
_CALLERS = st.sampled_from((None, *CALLERS))
_PHONE_CALLERS = st.sampled_from((None, "applicationInstance"))


@functools.cache  # see ``_targets``
@st.composite
def _requests(draw: st.DrawFn, kind: str | None, party: str | None) -> TransferRequestCase:
    consultative = None if kind is None else kind == CONSULTATIVE
    target = draw(_targets(party, consultative))
    assert target.identity is not None
    (name,) = target.identity.kinds
    request = TransferRequest(transfer_target=target, client_context=draw(_CONTEXTS))
    call_id = draw(_ids)
    prefix = draw(_PREFIXES)
    return TransferRequestCase(
        body=dump(request),
        path=f"{prefix}/communications/calls/{call_id}/transfer",
        caller=draw(_PHONE_CALLERS if name == "phone" else _CALLERS),
        kind=BLIND if target.replaces_call_id is None else CONSULTATIVE,
        target=_TARGET_KIND[name],
    )


def transfer_requests(
    *, kind: str | None = None, party: str | None = None
) -> st.SearchStrategy[TransferRequestCase]:
    """Valid ``call: transfer`` requests, blind or consultative, to any target party."""
    if kind not in (None, BLIND, CONSULTATIVE):
        raise UsageError("kind", f"expected None, {BLIND!r} or {CONSULTATIVE!r}, got {kind!r}")
    _check_party(party)
    return _requests(kind, party)


def _set(*keys: str, value: object) -> Any:
    def change(body: dict[str, Any]) -> object:
        holder = body
        for key in keys[:-1]:
            holder = holder[key]
        holder[keys[-1]] = value
        return body

    return change


def _drop(key: str) -> Any:
    def change(body: dict[str, Any]) -> object:
        del body[key]
        return body

    return change


def _transferee(tenant: str) -> Any:
    def change(body: dict[str, Any]) -> object:
        body["transferee"] = dump(
            ParticipantInfo(
                identity=IdentitySet(user=Identity(id="8f1a1c7b-transferee", tenant_id=tenant))
            )
        )
        return body

    return change


# Each: rule, pointer, change of the body (None: the path), target party needed, caller.
_BREAKS: Final[dict[str, tuple[str, Any, str | None, str | None]]] = {
    "malformed": ("", lambda body: '{"transferTarget": ', None, "keep"),
    "wrong-type": ("/clientContext", _set("clientContext", value=42), None, "keep"),
    "required": ("/transferTarget", _drop("transferTarget"), None, "keep"),
    "empty-string": (
        "/transferTarget/replacesCallId",
        _set("transferTarget", "replacesCallId", value=""),
        None,
        "keep",
    ),
    "party-count": (
        "/transferTarget/identity",
        _set("transferTarget", "identity", value={}),
        None,
        "keep",
    ),
    "client-context-too-long": (
        "/clientContext",
        _set("clientContext", value="c" * (_CLIENT_CONTEXT_MAX + 1)),
        None,
        "keep",
    ),
    "unknown-endpoint-type": (
        "/transferTarget/endpointType",
        _set("transferTarget", "endpointType", value="carrierPigeon"),
        None,
        "keep",
    ),
    "not-e164": (
        "/transferTarget/identity/phone/id",
        _set("transferTarget", "identity", "phone", "id", value="12345 678"),
        "phone",
        None,
    ),
    "pstn-needs-application-instance": (
        "/transferTarget/identity/phone",
        lambda body: body,
        "phone",
        "application",
    ),
    "tenant-mismatch": (
        "/transferTarget/identity/user/tenantId",
        _transferee("00000000-0000-0000-0000-00000000beef"),
        "user-with-tenant",
        "keep",
    ),
    "invalid-path": (PATH_POINTER, None, None, "keep"),
}

#: Every rule :func:`invalid_transfer_requests` can break, each one of ``callstate.transfer.RULES``.
INVALID_REQUEST_RULES: Final = tuple(_BREAKS)
assert set(INVALID_REQUEST_RULES) <= set(RULES)


@functools.cache  # see ``_targets``
@st.composite
def _invalid(draw: st.DrawFn, rules: tuple[str, ...]) -> InvalidTransferRequest:
    rule = draw(st.sampled_from(rules))
    pointer, change, party, caller = _BREAKS[rule]
    needed = None if party is None else party.removesuffix("-with-tenant")
    kind = CONSULTATIVE if rule == "empty-string" else None
    case = draw(_requests(kind, needed))
    body: dict[str, Any] = case.body
    if party == "user-with-tenant":
        body["transferTarget"]["identity"]["user"]["tenantId"] = _TENANT
    path = case.path
    new_body: object = body
    if change is None:
        path = path.replace("/transfer", "/transfers")
    else:
        new_body = change(body)
    return InvalidTransferRequest(
        body=new_body,
        path=path,
        caller=case.caller if caller == "keep" else caller,
        rule=rule,
        pointer=pointer,
    )


def invalid_transfer_requests(
    *, rules: tuple[str, ...] | None = None
) -> st.SearchStrategy[InvalidTransferRequest]:
    """Requests that each break one rule (of ``rules``, default all), labelled with it."""
    chosen = INVALID_REQUEST_RULES if rules is None else tuple(rules)
    unknown = [r for r in chosen if r not in _BREAKS]
    if unknown or not chosen:
        raise UsageError("rules", f"expected some of {list(INVALID_REQUEST_RULES)}, got {rules!r}")
    return _invalid(chosen)
