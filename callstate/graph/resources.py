"""Microsoft Graph communications resources (other than the call itself) as attrs classes.

Attributes are snake_case; the JSON keys are Graph's camelCase. Every class keeps
its ``@odata.type`` in ``odata_type`` and unknown JSON members in ``extra``, so a
round trip through :func:`callstate.graph.parse` and :func:`callstate.graph.dump`
loses nothing. Read and write them with those functions, not by hand.
"""

from __future__ import annotations

import typing
from typing import Annotated, Any, Final

import attrs

from callstate.graph._schema import Json, JsonForm, json_key
from callstate.graph.enums import EndpointType, MediaState, OperationStatus
from callstate.graph.wire import IDENTITY_PARTIES, RESULT_SUBCODE_KEYS

__all__ = [
    "IDENTITY_PARTIES",
    "CallMediaState",
    "CommsOperation",
    "Identity",
    "IdentitySet",
    "InvitationParticipantInfo",
    "Participant",
    "ParticipantInfo",
    "ResultInfo",
    "TransferRequest",
]


@attrs.define
class ResultInfo:
    """Graph ``resultInfo``: why a call or operation ended up where it is.

    ``subcode`` is also read from ``subCode`` (the transfer page's spelling) and
    written back in the spelling it came in.
    """

    code: int | None = None
    subcode: Annotated[int | None, Json(aliases=RESULT_SUBCODE_KEYS[1:])] = None
    message: str | None = None
    odata_type: str | None = attrs.field(default=None, kw_only=True)
    extra: dict[str, Any] = attrs.field(factory=dict, kw_only=True)
    _form: JsonForm | None = attrs.field(default=None, init=False, eq=False, repr=False)


@attrs.define
class Identity:
    """Graph ``identity``: one party (user, application, phone number, ...)."""

    id: str | None = None
    display_name: str | None = None
    tenant_id: str | None = None
    odata_type: str | None = attrs.field(default=None, kw_only=True)
    extra: dict[str, Any] = attrs.field(factory=dict, kw_only=True)
    _form: JsonForm | None = attrs.field(default=None, init=False, eq=False, repr=False)


@attrs.define
class IdentitySet:
    """Graph ``identitySet``: the kinds of identity a party has; normally exactly one is set."""

    user: Identity | None = None
    application: Identity | None = None
    application_instance: Identity | None = None
    phone: Identity | None = None
    guest: Identity | None = None
    device: Identity | None = None
    odata_type: str | None = attrs.field(default=None, kw_only=True)
    extra: dict[str, Any] = attrs.field(factory=dict, kw_only=True)
    _form: JsonForm | None = attrs.field(default=None, init=False, eq=False, repr=False)

    @property
    def kinds(self) -> tuple[str, ...]:
        """The JSON keys of the kinds that are set (``("user",)``), so rules can count them."""
        return tuple(key for name, key in _PARTIES if getattr(self, name) is not None)


#: The parties of an identity set, ``(attribute, JSON key)``: its fields that hold an Identity.
_PARTIES: Final = tuple(
    (name, json_key(name))
    for name, hint in typing.get_type_hints(IdentitySet).items()
    if hint == Identity | None
)
if tuple(key for _, key in _PARTIES) != IDENTITY_PARTIES:  # checked when built
    raise TypeError(f"IdentitySet's parties {_PARTIES} are not wire.IDENTITY_PARTIES")


@attrs.define
class CallMediaState:
    """Graph ``callMediaState``: whether the call's audio is flowing."""

    audio: MediaState | None = None
    odata_type: str | None = attrs.field(default=None, kw_only=True)
    extra: dict[str, Any] = attrs.field(factory=dict, kw_only=True)
    _form: JsonForm | None = attrs.field(default=None, init=False, eq=False, repr=False)


@attrs.define
class InvitationParticipantInfo:
    """Graph ``invitationParticipantInfo``: whom to invite or transfer to.

    ``replaces_call_id`` set means a consultative transfer.
    """

    endpoint_type: EndpointType | None = None
    identity: IdentitySet | None = None
    replaces_call_id: str | None = None
    participant_id: str | None = None
    hidden: bool | None = None
    language_id: str | None = None
    region: str | None = None
    odata_type: str | None = attrs.field(default=None, kw_only=True)
    extra: dict[str, Any] = attrs.field(factory=dict, kw_only=True)
    _form: JsonForm | None = attrs.field(default=None, init=False, eq=False, repr=False)


@attrs.define
class ParticipantInfo:
    """Graph ``participantInfo``: who a participant is (also a transfer's ``transferee``)."""

    identity: IdentitySet | None = None
    endpoint_type: EndpointType | None = None
    language_id: str | None = None
    region: str | None = None
    participant_id: str | None = None
    country_code: str | None = None
    odata_type: str | None = attrs.field(default=None, kw_only=True)
    extra: dict[str, Any] = attrs.field(factory=dict, kw_only=True)
    _form: JsonForm | None = attrs.field(default=None, init=False, eq=False, repr=False)


@attrs.define
class Participant:
    """Graph ``participant``: one entry of a call's roster; ``media_streams`` stays plain JSON."""

    id: str | None = None
    info: ParticipantInfo | None = None
    is_muted: bool | None = None
    is_in_lobby: bool | None = None
    media_streams: list[Any] | None = None
    odata_type: str | None = attrs.field(default=None, kw_only=True)
    extra: dict[str, Any] = attrs.field(factory=dict, kw_only=True)
    _form: JsonForm | None = attrs.field(default=None, init=False, eq=False, repr=False)


@attrs.define
class CommsOperation:
    """Graph ``commsOperation``: an asynchronous operation on a call.

    ``odata_type`` tells which (``#microsoft.graph.playPromptOperation``, ...);
    :attr:`operation_type` gives the short name.
    """

    id: str | None = None
    status: OperationStatus | None = None
    client_context: str | None = None
    result_info: ResultInfo | None = None
    odata_type: str | None = attrs.field(default=None, kw_only=True)
    extra: dict[str, Any] = attrs.field(factory=dict, kw_only=True)
    _form: JsonForm | None = attrs.field(default=None, init=False, eq=False, repr=False)

    @property
    def operation_type(self) -> str | None:
        """``playPromptOperation`` for ``#microsoft.graph.playPromptOperation``; None if untyped."""
        if self.odata_type is None:
            return None
        return self.odata_type.rpartition(".")[2]


@attrs.define
class TransferRequest:
    """The body of ``POST /communications/calls/{id}/transfer``.

    Read leniently: a missing ``transferTarget`` parses as None, so that validation
    can report it with every other problem.
    """

    transfer_target: InvitationParticipantInfo | None = None
    client_context: str | None = None
    transferee: ParticipantInfo | None = None
    odata_type: str | None = attrs.field(default=None, kw_only=True)
    extra: dict[str, Any] = attrs.field(factory=dict, kw_only=True)
    _form: JsonForm | None = attrs.field(default=None, init=False, eq=False, repr=False)
