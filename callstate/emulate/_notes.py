"""The notifications Graph sends after each request it accepted, in the documented order.

Every state a story passes through, the event reporting it and the markers of a
transfer's outcome come from the definition (through :func:`callstate.simulate.flows`);
the payloads from the simulator's builders. A story is a tuple of :class:`Note`: each
says which signal it reports, so the emulator can check, before it sends one, that
the machine accepts it where the call now is.
"""

from __future__ import annotations

from typing import Any, Final, NamedTuple

from callstate.emulate._offer import Offer
from callstate.errors import UsageError
from callstate.facts import END_CODES, Result
from callstate.machine.compiled import Signal
from callstate.machine.definition import CALL_MACHINE, Request, Timeout
from callstate.simulate import JSONObject, event_notification, flows, notification, result_info
from callstate.simulate._flows import ESTABLISHED
from callstate.simulate._payload import operation_notification, participants_notification
from callstate.simulate._situations import group_fields

__all__ = ["Note", "Story", "after", "ended", "opening", "transfer_story"]

_F: Final = flows(CALL_MACHINE)
# A roster: the caller and the bot; a group call's, or a call in meeting mode's, has a guest.
_PAIR: Final = 2


class Note(NamedTuple):
    """One notification: its body, and the ``(event, kind)`` it reports (``None``: data only)."""

    body: JSONObject
    signal: Signal | None


#: The notifications that follow one request, in order.
Story = tuple[Note, ...]


def _event(
    offer: Offer, event: str, kind: str | None = None, marker: int = 0, **fields: Any
) -> Note:
    body = event_notification(
        offer.call_id,
        event,
        kind,
        marker=marker,
        subcode_key=offer.freedoms.subcode_key,
        **fields,
    )
    return Note(body, (event, kind))


def _state(offer: Offer, state: str, **fields: Any) -> Note:
    return _event(offer, _F.event_for(state, argument="state"), **fields)


def _end_info(offer: Offer, code: tuple[int, int]) -> JSONObject:
    meaning = END_CODES.get(code, "the call ended")
    return result_info(
        *code,
        f"{meaning[0].upper()}{meaning[1:]}. DiagCode: {code[0]}#{code[1]}.@",
        subcode_key=offer.freedoms.subcode_key,
    )


def _end(offer: Offer, code: tuple[int, int]) -> Note:
    """The call's end: ``deleted`` with the end state, carrying ``code``."""
    end = _F.machine.end_state
    assert end is not None
    return _state(offer, end, resultInfo=_end_info(offer, code))


def opening(offer: Offer) -> Story:
    """The ``created``/incoming notification that offers the call."""
    fields: JSONObject = {"direction": "incoming", "callChainId": offer.chain_id}
    if offer.situation == "group":
        fields.update(group_fields(offer.call_id))
    return (_state(offer, CALL_MACHINE.initial, **fields),)


def _roster(offer: Offer, size: int) -> Note:
    body = participants_notification(offer.call_id, caller_id=offer.caller_id, count=size)
    return Note(body, None)


def _up(offer: Offer) -> list[Note]:
    """What follows once the call is up: its roster and an operation, as the offer chose."""
    notes: list[Note] = []
    if offer.situation == "group":
        notes.append(_roster(offer, _PAIR + 1))
    elif offer.freedoms.participants or offer.situation == "meeting":
        notes.append(_roster(offer, _PAIR))
    if offer.situation == "meeting":  # the roster grows past two: meeting mode, for good
        notes.append(_roster(offer, _PAIR + 1))
    operation = offer.freedoms.operation
    if operation is not None:
        op_id = f"{offer.call_id}-op"
        for status in ("running", "completed"):
            body = operation_notification(
                offer.call_id,
                op_id,
                operation,
                status=status,
                client_context=offer.chain_id,
                subcode_key=offer.freedoms.subcode_key,
            )
            notes.append(Note(body, None))
    return notes


def after(request: Request, offer: Offer, *, answered: bool) -> Story:
    """The story after Graph accepted ``request`` (a transfer's: :func:`transfer_story`).

    The call goes where the request leads (or opens, for a created call); from there
    Graph takes it up to established when the machine has a way there, and ends it
    when it has none (redirecting, terminating). ``answered`` says the request
    answered an incoming call, whose establishing may come late.
    """
    dest = request.opens or request.leads_to
    if dest is None:  # keepAlive: Graph only answers
        return ()
    end = _F.machine.end_state
    if dest == end:  # reject: deleted with no state
        return (
            Note(
                notification(offer.call_id, change_type="deleted"),
                (_F.event_for(dest, argument="state"), None),
            ),
        )
    notes = [_state(offer, dest)]
    route = _F.route(dest, ESTABLISHED)
    if route is None:
        code = (
            offer.freedoms.bot_end_code if request.method == "DELETE" else offer.freedoms.end_code
        )
        return (*notes, _end(offer, code))
    notes += [_event(offer, event) for event in route]
    if answered and offer.freedoms.late_establishing and len(notes) == _PAIR:
        notes.reverse()  # "establishing/established notifications may arrive out of order"
    return (*notes, *_up(offer))


def _media(offer: Offer, audio: str) -> Note:
    return Note(notification(offer.call_id, mediaState={"audio": audio}), None)


def transfer_story(offer: Offer, kind: str, *, meeting: bool, outcome: str) -> Story:
    """A transfer of ``kind``: transferring, maybe transferAccepted, then its outcome.

    ``outcome`` is ``success`` or ``failure``; a call in ``meeting`` mode always fails,
    with the meeting-mode marker. Where the audio-inactive update falls is the
    offer's choice; after a failure the audio comes back.
    """
    flow = _F.flow(kind)
    freedoms = offer.freedoms
    failed = meeting or outcome == "failure"
    result = flow.failure if failed else flow.success
    sources = result.sources
    if not sources:
        raise UsageError(
            "outcome", f"a {kind} transfer can never {'fail' if failed else 'succeed'}"
        )
    source = sources[0] if not failed else sources[-1]
    if failed and freedoms.fail_from in sources:
        source = freedoms.fail_from
    route = _F.route(ESTABLISHED, source)
    assert route
    notes: list[Note] = []
    for number, event in enumerate(route):
        notes.append(_event(offer, event))
        if number == 0 and freedoms.media_inactive == "before":
            notes.append(_media(offer, "inactive"))
    if freedoms.media_inactive == "after":
        notes.append(_media(offer, "inactive"))
    eligible = result.eligible(meeting)
    if not eligible:
        raise UsageError("outcome", f"a {kind} {result.event} has no marker for this call")
    notes.append(_event(offer, result.event, kind, marker=eligible[0]))
    if failed and freedoms.media_inactive != "none":
        notes.append(_media(offer, "active"))
    return tuple(notes)


def ended(offer: Offer, timeout: Timeout) -> Story:
    """Graph ends the call when ``timeout`` runs out, with the timeout's result."""
    result: Result = timeout.ends_with
    if result.code is None or result.subcode is None:
        raise UsageError("definition", f"the {timeout.name} timeout ends a call with no code")
    return (_end(offer, (result.code, result.subcode)),)
