"""The parts a machine definition is made of: Graph's events and the bot's requests.

Re-exported by :mod:`callstate.machine.definition`; import them from there. An
:class:`Event` is what one webhook notification reports (its actor is Graph); a
:class:`Request` is what the bot asks of Graph (its actor is the bot). Time is
attached to states as data (:class:`Timeout`), as python-statemachine does.
"""

from __future__ import annotations

from typing import ClassVar, Literal

import attrs

from callstate.facts import Result

__all__ = [
    "Actor",
    "Event",
    "Expect",
    "Guard",
    "Marker",
    "Request",
    "Severity",
    "Timeout",
    "TransferKind",
    "Transition",
]

#: Who sends an event: Graph (a webhook notification) or the bot (a request to Graph).
Actor = Literal["graph", "bot"]
#: How bad a finding is: a violation fails ``validate``; a warning does not.
Severity = Literal["violation", "warning"]


@attrs.frozen
class Marker:
    """A result a notification carries that tells how a transfer ended, and of which kind.

    An event may carry several markers of one kind: they all mean the same outcome.
    """

    kind: str
    code: int | None = None
    subcode: int | None = None
    termination_reason: str | None = None

    @classmethod
    def of(cls, kind: str, result: Result) -> Marker:
        """The marker of ``kind`` recognised by ``result``."""
        return cls(kind, result.code, result.subcode, result.termination_reason)

    @property
    def result(self) -> Result:
        """The result this marker is recognised by, without its kind."""
        return Result(self.code, self.subcode, self.termination_reason)

    @property
    def label(self) -> str:
        """The short form used on diagrams: ``0/7015`` or ``AppTransferred``."""
        if self.termination_reason is not None:
            return self.termination_reason
        return f"{self.code}/{self.subcode}"


@attrs.frozen
class Event:
    """What one notification reports: the state it carries, and a marker when it needs one."""

    name: str
    reports: str
    markers: tuple[Marker, ...] = ()
    doc: str = ""
    #: The rule a validator reports when this event arrives where no transition accepts it.
    rule: str = "illegal-transition"
    #: Why, in words, for that report.
    refusal: str = "the machine has no transition for it"
    #: A notification's event is Graph's.
    actor: ClassVar[Actor] = "graph"

    def markers_of(self, kind: str) -> tuple[Marker, ...]:
        """Every marker of ``kind`` this event is recognised by, in definition order."""
        return tuple(m for m in self.markers if m.kind == kind)

    @property
    def kinds(self) -> tuple[str, ...]:
        """The marker kinds this event carries, in definition order, each once."""
        return tuple(dict.fromkeys(m.kind for m in self.markers))


@attrs.frozen
class Guard:
    """A condition on an event: it holds when the notification's marker is of ``kind``."""

    name: str
    kind: str
    doc: str = ""


@attrs.frozen
class Transition:
    """One edge. ``internal`` edges accept the event but leave the call where it is."""

    source: str
    event: str
    dest: str
    guard: str | None = None
    internal: bool = False
    note: str = ""


@attrs.frozen(kw_only=True)
class TransferKind:
    """One kind of transfer, declared once: how a request selects it and how it ends.

    ``selected_by`` is the JSON pointer of the request-body field whose presence
    selects this kind (``/transferTarget/replacesCallId`` for a consultative
    transfer); the one kind with ``None`` is the default. ``failure`` and
    ``success`` are the results that report each outcome; several results of one
    outcome mean the same thing.
    """

    name: str
    selected_by: str | None = None
    failure: tuple[Result, ...]
    success: tuple[Result, ...]
    doc: str = ""


@attrs.frozen(kw_only=True)
class Expect:
    """What must follow a request Graph accepted: the call's next state is one of ``states``.

    Another state change breaks ``rule``; so does the end of the trace, when ``until_end``.
    """

    states: tuple[str, ...]
    rule: str
    severity: Severity
    summary: str
    until_end: bool = False


@attrs.frozen(kw_only=True)
class Request:
    """A request the bot sends Graph about a call: an event whose actor is the bot.

    ``action`` is the path segment after the call id (``answer``); without one the
    request addresses the call itself (``DELETE``), or, with ``opens``, the calls
    collection: it creates a call, which starts at ``opens``. ``allowed`` are the
    states it may be sent in, judged by the last state the bot was told; ``leads_to``
    is where Graph takes the call once it accepts it (diagrams draw that edge), and
    ``expect`` what the next notifications must then report. ``status`` is Graph's
    answer when it accepts it.
    """

    name: str
    method: Literal["POST", "DELETE"] = "POST"
    action: str | None = None
    opens: str | None = None
    status: int = 202
    allowed: tuple[str, ...] = ()
    leads_to: str | None = None
    expect: Expect | None = None
    doc: str = ""

    #: A request's event is the bot's.
    actor: ClassVar[Actor] = "bot"

    @property
    def path(self) -> str:
        """The path it is sent to, as the reference writes it (``/communications/calls/{id}``)."""
        if self.opens is not None:
            return "/communications/calls"
        tail = "" if self.action is None else f"/{self.action}"
        return "/communications/calls/{id}" + tail


@attrs.frozen(kw_only=True)
class Timeout:
    """Time attached to states, as data: Graph ends a call left in ``states`` too long.

    The clock starts when the call enters ``states`` from outside them (its first
    line, for a call's live states), and restarts at each request of ``reset_by``
    Graph accepted. It is judged at each request of ``judged`` (at any line of the
    call when ``judged`` is empty): more than ``seconds`` after the clock started
    breaks ``rule``, once until it restarts. When it runs out, Graph ends the call
    with ``ends_with``. ``name`` is how an option overrides ``seconds``.
    """

    name: str
    states: tuple[str, ...]
    seconds: float
    reset_by: tuple[str, ...] = ()
    judged: tuple[str, ...] = ()
    ends_with: Result
    rule: str
    severity: Severity
    summary: str
