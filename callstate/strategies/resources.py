"""Hypothesis strategies for the typed Graph resources of :mod:`callstate.graph`.

For code that builds on callstate's Graph classes: every draw is a resource object
(``Call``, ``CommsNotification``, ``TransferRequest``, ...) that is valid Graph
JSON once dumped (no NaN, no lone surrogates, 64-bit integers); ``extra`` never
reuses a key the class reads, and notification ``resourceData`` agrees with its
URL, so ``parse(cls, dumps(obj)) == obj`` holds for every draw. :data:`RESOURCES`
maps each class to its strategy, for round-trip properties. These draw *any*
resource, valid for Graph's schema but not necessarily for a call's story: for
streams a validator must accept, use :func:`callstate.strategies.notification_streams`.
"""

from __future__ import annotations

import functools
from typing import Any

from hypothesis import strategies as st

from callstate.graph._plans import plan as _plan
from callstate.graph.call import Call
from callstate.graph.enums import (
    CallDirection,
    CallState,
    ChangeType,
    EndpointType,
    MediaState,
    OperationStatus,
)
from callstate.graph.notification import CommsNotification, CommsNotifications, ResourceItem
from callstate.graph.resources import (
    CallMediaState,
    CommsOperation,
    Identity,
    IdentitySet,
    InvitationParticipantInfo,
    Participant,
    ParticipantInfo,
    ResultInfo,
    TransferRequest,
)
from callstate.graph.wire import URL_KEYS

__all__ = [
    "RESOURCES",
    "call_media_states",
    "calls",
    "comms_notifications",
    "comms_notifications_bodies",
    "comms_operations",
    "extras",
    "identities",
    "identity_sets",
    "invitation_participant_infos",
    "json_values",
    "participant_infos",
    "participants",
    "resource_urls",
    "result_infos",
    "transfer_requests",
]

_GRAPH = "#microsoft.graph."


def _text(*, min_size: int = 0) -> st.SearchStrategy[str]:
    return st.text(st.characters(exclude_categories=["Cs"]), min_size=min_size, max_size=12)


def _opt(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


_ints = st.integers(min_value=-(2**63), max_value=2**63 - 1)
_ids = st.uuids().map(str) | st.from_regex(r"[A-Za-z0-9\-]{1,12}", fullmatch=True)


def json_values() -> st.SearchStrategy[Any]:
    """Any JSON value orjson writes and reads back unchanged."""
    scalars = (
        st.none()
        | st.booleans()
        | _ints
        | st.floats(allow_nan=False, allow_infinity=False)
        | _text()
    )
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_text(), inner, max_size=3),
        max_leaves=6,
    )


@functools.cache  # one strategy per class: each fresh one is validated again at its first draw
def extras(cls: type[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Unknown members for ``cls``: keys it does not read, any JSON values."""
    known = _plan(cls).known
    keys = _text(min_size=1).filter(lambda key: key not in known)
    return st.dictionaries(keys, json_values(), max_size=2)


@functools.cache
def _odata(*names: str) -> st.SearchStrategy[str | None]:
    return st.sampled_from([None, *(_GRAPH + name for name in names)])


def result_infos() -> st.SearchStrategy[ResultInfo]:
    """Any ``resultInfo``."""
    return st.builds(
        ResultInfo,
        code=_opt(_ints),
        subcode=_opt(_ints),
        message=_opt(_text()),
        odata_type=_odata("resultInfo"),
        extra=extras(ResultInfo),
    )


def identities() -> st.SearchStrategy[Identity]:
    """Any ``identity``."""
    return st.builds(
        Identity,
        id=_opt(_ids),
        display_name=_opt(_text()),
        tenant_id=_opt(_ids),
        odata_type=_odata("identity"),
        extra=extras(Identity),
    )


def identity_sets() -> st.SearchStrategy[IdentitySet]:
    """Any ``identitySet``, with any number of kinds set."""
    return st.builds(
        IdentitySet,
        user=_opt(identities()),
        application=_opt(identities()),
        application_instance=_opt(identities()),
        phone=_opt(identities()),
        guest=_opt(identities()),
        device=_opt(identities()),
        odata_type=_odata("identitySet"),
        extra=extras(IdentitySet),
    )


def call_media_states() -> st.SearchStrategy[CallMediaState]:
    """Any ``callMediaState``."""
    return st.builds(
        CallMediaState,
        audio=_opt(st.sampled_from(MediaState)),
        odata_type=_odata("callMediaState"),
        extra=extras(CallMediaState),
    )


def invitation_participant_infos() -> st.SearchStrategy[InvitationParticipantInfo]:
    """Any ``invitationParticipantInfo``."""
    return st.builds(
        InvitationParticipantInfo,
        endpoint_type=_opt(st.sampled_from(EndpointType)),
        identity=_opt(identity_sets()),
        replaces_call_id=_opt(_ids),
        participant_id=_opt(_ids),
        hidden=_opt(st.booleans()),
        language_id=_opt(_text()),
        region=_opt(_text()),
        odata_type=_odata("invitationParticipantInfo"),
        extra=extras(InvitationParticipantInfo),
    )


def participant_infos() -> st.SearchStrategy[ParticipantInfo]:
    """Any ``participantInfo``."""
    return st.builds(
        ParticipantInfo,
        identity=_opt(identity_sets()),
        endpoint_type=_opt(st.sampled_from(EndpointType)),
        language_id=_opt(_text()),
        region=_opt(_text()),
        participant_id=_opt(_ids),
        country_code=_opt(_text()),
        odata_type=_odata("participantInfo"),
        extra=extras(ParticipantInfo),
    )


def participants() -> st.SearchStrategy[Participant]:
    """Any ``participant`` (typed as one in a notification)."""
    return st.builds(
        Participant,
        id=_opt(_ids),
        info=_opt(participant_infos()),
        is_muted=_opt(st.booleans()),
        is_in_lobby=_opt(st.booleans()),
        media_streams=_opt(st.lists(st.dictionaries(_text(), json_values(), max_size=2))),
        odata_type=_odata("participant"),
        extra=extras(Participant),
    )


def comms_operations() -> st.SearchStrategy[CommsOperation]:
    """Any ``commsOperation`` (typed as one in a notification)."""
    return st.builds(
        CommsOperation,
        id=_opt(_ids),
        status=_opt(st.sampled_from(OperationStatus)),
        client_context=_opt(_text()),
        result_info=_opt(result_infos()),
        odata_type=_odata("commsOperation", "playPromptOperation", "subscribeToToneOperation"),
        extra=extras(CommsOperation),
    )


def transfer_requests() -> st.SearchStrategy[TransferRequest]:
    """Any transfer request body, valid or not (validation is another layer's job)."""
    return st.builds(
        TransferRequest,
        transfer_target=_opt(invitation_participant_infos()),
        client_context=_opt(_text()),
        transferee=_opt(participant_infos()),
        extra=extras(TransferRequest),
    )


def calls() -> st.SearchStrategy[Call]:
    """Any ``call`` resource (typed as one in a notification); ``history`` stays empty."""
    raw_objects = _opt(st.dictionaries(_text(), json_values(), max_size=2))
    return st.builds(
        Call,
        id=_opt(_ids),
        state=_opt(st.sampled_from([s.value for s in CallState])),
        result_info=_opt(result_infos()),
        termination_reason=_opt(_text()),
        media_state=_opt(call_media_states()),
        replaces_context=_opt(_text()),
        direction=_opt(st.sampled_from(CallDirection)),
        call_chain_id=_opt(_ids),
        incoming_context=raw_objects,
        tone_info=raw_objects,
        chat_info=raw_objects,
        meeting_info=raw_objects,
        callback_uri=_opt(_text()),
        subject=_opt(_text()),
        source=_opt(participant_infos()),
        targets=_opt(st.lists(invitation_participant_infos(), max_size=2)),
        odata_type=_odata("call"),
        extra=extras(Call),
    )


_KINDS = ("call", "operation", "participants")
_HOSTS = ("", "https://graph.microsoft.com/v1.0", "https://graph.microsoft.com/beta")
#: Built once, as ``_resource_data`` is: a strategy built in a draw is validated at each.
_KIND = st.sampled_from(_KINDS)
_HOST = st.sampled_from(_HOSTS)
_BASE = st.sampled_from(["/communications/calls/", "/app/calls/"])
_WHERE = st.sampled_from([*URL_KEYS, "both"])
_CHANGE = st.sampled_from(ChangeType)


@st.composite
def _suffixes(draw: st.DrawFn, kind: str) -> str:
    if kind == "operation":
        return "/operations/" + draw(_ids)
    if kind == "participants":
        return "/participants" + draw(st.sampled_from(["", "/" + draw(_ids)]))
    return ""


@st.composite
def resource_urls(draw: st.DrawFn, call_id: str | None = None, kind: str | None = None) -> str:
    """A resource URL in any accepted form: current, legacy ``/app``, absolute."""
    call_id = call_id or draw(_ids)
    kind = kind or draw(_KIND)
    host = draw(_HOST)
    base = draw(_BASE)
    return host + base + call_id + draw(_suffixes(kind))


def _unknown_resource() -> st.SearchStrategy[dict[str, Any]]:
    return st.builds(
        lambda extra, name: {"@odata.type": _GRAPH + name, **extra},
        st.dictionaries(_text(min_size=1).filter(lambda k: k != "@odata.type"), json_values()),
        st.sampled_from(["audioRoutingGroup", "contentSharingSession"]),
    )


#: What a notification of each kind may carry as ``resourceData``: none, one item or a list.
_ResourceData = st.SearchStrategy[ResourceItem | list[ResourceItem] | None]


@functools.cache
def _resource_data() -> dict[str, _ResourceData]:
    """Built once: a fresh strategy per draw would redo Hypothesis's set-up every time."""
    typed: dict[str, st.SearchStrategy[ResourceItem]] = {
        "call": calls(),
        "operation": comms_operations(),
        "participants": participants(),
    }
    items = {kind: strategy | _unknown_resource() for kind, strategy in typed.items()}
    return {kind: st.none() | item | st.lists(item, max_size=2) for kind, item in items.items()}


@st.composite
def comms_notifications(draw: st.DrawFn) -> CommsNotification:
    """A ``commsNotification`` whose ``resourceData`` matches its URL's kind.

    The URL is in ``resourceUrl``, in the legacy ``resource``, or in both (naming
    the same resource).
    """
    kind = draw(_KIND)
    call_id = draw(_ids)
    url: str | None = draw(resource_urls(call_id, kind))
    legacy: str | None = None
    where = draw(_WHERE)
    if where == URL_KEYS[1]:
        url, legacy = None, url
    elif where == "both":
        suffix = draw(_suffixes(kind))
        url = f"/communications/calls/{call_id}{suffix}"
        legacy = f"/app/calls/{call_id}{suffix}"
    return CommsNotification(
        change_type=draw(_CHANGE),
        resource_url=url,
        resource=legacy,
        resource_data=draw(_resource_data()[kind]),
        odata_type=draw(_odata("commsNotification")),
        extra=draw(extras(CommsNotification)),
    )


def comms_notifications_bodies() -> st.SearchStrategy[CommsNotifications]:
    """A webhook body: a batch of notifications."""
    return st.builds(
        CommsNotifications,
        value=st.lists(comms_notifications(), max_size=3),
        odata_type=_odata("commsNotifications"),
        extra=extras(CommsNotifications),
    )


#: A strategy for every resource class, for round-trip properties.
RESOURCES: dict[type[Any], st.SearchStrategy[Any]] = {
    ResultInfo: result_infos(),
    Identity: identities(),
    IdentitySet: identity_sets(),
    CallMediaState: call_media_states(),
    InvitationParticipantInfo: invitation_participant_infos(),
    ParticipantInfo: participant_infos(),
    Participant: participants(),
    CommsOperation: comms_operations(),
    TransferRequest: transfer_requests(),
    Call: calls(),
    CommsNotification: comms_notifications(),
    CommsNotifications: comms_notifications_bodies(),
}
