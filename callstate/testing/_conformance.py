"""``BotConformance``: a Hypothesis state machine that checks a bot's handler against the model.

The rules come from the definition by way of :func:`callstate.strategies.plans`
and :func:`callstate.simulate.build`: start a call (a drawn plan), deliver the next
notification of any live call (so calls interleave), deliver a webhook retry of a
call's last notification, or deliver two calls' notifications in one batched body.
Every body also goes to a :class:`~callstate.verdict.Tracker`; after every step the
bot's view of each call must equal the tracker's. The Graph requests the bot's
handler sends (:meth:`BotConformance.bot_requests`) are judged by a second tracker
that sees the same notifications and only the bot's own requests.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from callstate.graph.wire import read_resource, untimed
from callstate.machine import CALL_MACHINE, MachineDefinition
from callstate.simulate import JSONObject, build, flows
from callstate.strategies import call_id_for, plans
from callstate.verdict import Tracker

__all__ = ["BotConformance"]


def _body(line: JSONObject) -> JSONObject:
    """The webhook body of a notification line, timed (``{"at", "body"}``) or not."""
    body = untimed(line)
    return body if isinstance(body, dict) else line


def _is_call_notification(body: JSONObject) -> bool:
    value = body.get("value")
    if not value:
        return False
    return read_resource(value[0]).kind == "call"


def _batchable(lines: list[JSONObject]) -> bool:
    """Whether a call's next line is an untimed notification, which a batch may carry."""
    return bool(lines) and "value" in lines[0]


class BotConformance(RuleBasedStateMachine):
    """Subclass it, implement :meth:`handle` and :meth:`bot_state`, and expose ``TestCase``.

    Class options: ``definition`` (the model, default :data:`CALL_MACHINE`),
    ``max_calls`` (calls started per run), ``scenarios`` (default every scenario
    today's Graph tells, so all but the 2019 ``legacy`` flow)
    and ``timed`` (``None`` draws it; see :func:`~callstate.strategies.plans`).
    A call that has ended may be forgotten by the bot: ``None`` then matches too.
    Override :meth:`bot_requests` to have the bot's own requests judged as well.
    """

    definition: ClassVar[MachineDefinition] = CALL_MACHINE
    max_calls: ClassVar[int] = 3
    scenarios: ClassVar[tuple[str, ...] | None] = None
    timed: ClassVar[bool | None] = None

    def __init__(self) -> None:
        super().__init__()
        self.tracker = Tracker(definition=self.definition)
        #: Sees the notifications and the bot's own requests, and judges those requests.
        self.bot_view = Tracker(definition=self.definition)
        self._at: object = None
        self.calls: list[str] = []
        self._pending: dict[str, list[JSONObject]] = {}
        self._last: dict[str, JSONObject] = {}
        self._seen: dict[str, list[str]] = {}

    # -- what a subclass provides ----------------------------------------------------

    def handle(self, body: JSONObject) -> None:
        """Give the bot one webhook body (a commsNotifications envelope), as Graph POSTs it."""
        raise NotImplementedError("implement handle(body) to call your notification handler")

    def bot_state(self, call_id: str) -> str | None:
        """The bot's view of the call's Graph ``callState``; ``None`` for a call it never saw."""
        raise NotImplementedError("implement bot_state(call_id) to read your bot's call state")

    def sent_request(self, record: JSONObject) -> None:
        """A ``{"request": ...}`` record the scripted story sends; bots need not see it."""

    def bot_requests(self) -> Iterable[JSONObject]:
        """The Graph requests the bot sent since it was last asked, as ``{"request": ...}``
        records (the trace format); by default none, so only the bot's view is checked.

        Each is judged by the machine at the moment the bot sent it: a request its
        call's state forbids, a late answer (timed runs), a group transfer without a
        ``transferee``... fails the run with the rule's id.
        """
        return ()

    # -- rules ---------------------------------------------------------------------------

    @precondition(lambda self: len(self.calls) < self.max_calls)
    @rule(data=st.data())
    def start_call(self, data: st.DataObject) -> None:
        """A new call is drawn: a plan of every choice, rendered into its lines."""
        call_id = call_id_for(len(self.calls))
        drawn = plans(
            scenarios=flows(self.definition).current_scenarios
            if self.scenarios is None
            else self.scenarios,
            call_id=call_id,
            timed=self.timed,
            definition=self.definition,
        )
        plan = data.draw(drawn, label="plan")
        self.calls.append(call_id)
        self._pending[call_id] = build(plan, definition=self.definition)
        self._seen[call_id] = []

    @precondition(lambda self: any(self._pending.values()))
    @rule(data=st.data())
    def deliver_next(self, data: st.DataObject) -> None:
        """The next line of one live call, whichever: calls interleave."""
        ready = [cid for cid in self.calls if self._pending[cid]]
        call_id = data.draw(st.sampled_from(ready), label="call")
        self._deliver(call_id, self._pending[call_id].pop(0))

    @precondition(lambda self: bool(self._last))
    @rule(data=st.data())
    def deliver_retry(self, data: st.DataObject) -> None:
        """An exact duplicate of a call's last notification, as a webhook retry sends it."""
        call_id = data.draw(st.sampled_from(sorted(self._last)), label="call")
        self._send(call_id, self._last[call_id])

    @precondition(lambda self: sum(1 for lines in self._pending.values() if _batchable(lines)) >= 2)
    @rule()
    def deliver_batch(self) -> None:
        """The next notification of two calls in one body: Graph batches in ``value``."""
        ready = [cid for cid in self.calls if _batchable(self._pending[cid])]
        first, second = ready[:2]
        one, two = self._pending[first].pop(0), self._pending[second].pop(0)
        body = {**one, "value": [*one["value"], *two["value"]]}
        self._check(self.tracker.ingest(body), body)
        self.bot_view.ingest(body)
        self.handle(body)
        self._judge_bot()
        for call_id, single in ((first, one), (second, two)):
            self._note(call_id, single)

    # -- invariant -----------------------------------------------------------------------

    @invariant()
    def bot_agrees_with_model(self) -> None:
        """Every call's state as the bot sees it equals the model's."""
        final = self.definition.final
        for call_id in self.calls:
            expected = self.tracker.state(call_id)
            actual = self.bot_state(call_id)
            if expected in final and actual is None:
                continue
            assert actual == expected, (
                f"call {call_id}: the bot says {actual!r}, the model says {expected!r} "
                f"after {' -> '.join(self._seen[call_id]) or 'nothing'}"
            )

    # -- delivery ------------------------------------------------------------------------

    def _deliver(self, call_id: str, line: JSONObject) -> None:
        if "request" in line:
            self._check(self.tracker.ingest(line), line)
            self._at = line.get("at")
            self.sent_request(line)
            self._seen[call_id].append("(transfer request)")
            return
        self._send(call_id, line)

    def _send(self, call_id: str, line: JSONObject) -> None:
        self._check(self.tracker.ingest(line), line)
        self.bot_view.ingest(line)
        self._at = line.get("at")
        self.handle(_body(line))
        self._judge_bot()
        self._note(call_id, line)

    def _judge_bot(self) -> None:
        """Judge each request the bot sent, at the time of the line it answered."""
        for sent in self.bot_requests():
            line = sent if self._at is None or "at" in sent else {"at": self._at, **sent}
            broken = [f for f in self.bot_view.ingest(line) if f.severity == "violation"]
            if broken:
                raise AssertionError(
                    f"the bot's request broke the model: {'; '.join(map(str, broken))} "
                    f"(request {sent!r:.200})"
                )

    def _note(self, call_id: str, line: JSONObject) -> None:
        body = _body(line)
        data: Any = body["value"][0].get("resourceData")
        if _is_call_notification(body):
            self._last[call_id] = line
            state = data.get("state") if isinstance(data, dict) else None
            self._seen[call_id].append(state or "(no state)")
        else:
            self._seen[call_id].append("(sub-resource)")

    def _check(self, findings: tuple[Any, ...], body: JSONObject) -> None:
        violations = [f for f in findings if f.severity == "violation"]
        if violations:
            raise AssertionError(
                f"callstate's own stream broke the model {self.definition.name!r}: "
                f"{'; '.join(map(str, violations))} (body {body!r:.200})"
            )
