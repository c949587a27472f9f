"""The rule catalogue: every rule id callstate can report, declared once.

Each rule has a severity and a one-line explanation. The rules a machine
definition refuses events with (``Event.rule``) come from the definition itself,
so :func:`catalogue` merges them in; everything else is declared here. The CLI's
``callstate rules``, SARIF output and the README's table all read this.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Final, Literal

import attrs

if TYPE_CHECKING:
    from callstate.machine.definition import MachineDefinition

__all__ = ["RULES", "Catalogue", "Rule", "Severity", "catalogue"]

#: How bad a finding is: a violation fails ``validate``; a warning does not.
Severity = Literal["violation", "warning"]  # the definition's parts say the same

#: What a rule judges: a webhook notification, a request the bot sent, or the trace as a whole.
Subject = Literal["notification", "request", "trace"]


@attrs.frozen(kw_only=True)
class Rule:
    """One rule id, what it judges, how bad it is, and why it exists, in one line."""

    id: str
    severity: Severity
    subject: Subject
    summary: str

    def to_json(self) -> dict[str, str]:
        """``{"id", "severity", "subject", "summary"}``, as ``callstate rules --format json``."""
        return {
            "id": self.id,
            "severity": self.severity,
            "subject": self.subject,
            "summary": self.summary,
        }


def _v(id: str, subject: Subject, summary: str) -> Rule:
    return Rule(id=id, severity="violation", subject=subject, summary=summary)


def _w(id: str, subject: Subject, summary: str) -> Rule:
    return Rule(id=id, severity="warning", subject=subject, summary=summary)


#: The rules that do not come from a machine definition's refusals.
RULES: Final[tuple[Rule, ...]] = (
    # notifications
    _v("malformed", "notification", "a line that is not a webhook body or request record"),
    _v(
        "terminated-is-absorbing",
        "notification",
        "anything but an exact duplicate arrived after the call ended",
    ),
    _v(
        "misplaced-marker",
        "notification",
        "a transfer-result marker arrived with a state it does not belong to",
    ),
    _v(
        "transfer-kind-mismatch",
        "notification",
        "a transfer ended with the result of another kind than its request asked for",
    ),
    _v("strict-start", "notification", "--strict: the call's first state is not the initial one"),
    _w("unknown-state", "notification", "a state the machine does not know; the call stays put"),
    _v(
        "empty-trace",
        "trace",
        "validate: an input with no notification at all (--allow-empty accepts it)",
    ),
    _w("evicted", "trace", "more live calls than the limit: the longest-idle one is dropped"),
    _w(
        "unfinished-transfer",
        "trace",
        "the input ended with a call mid-transfer (a violation under --strict)",
    ),
    # requests
    _v("invalid-request", "request", "a request record whose method or URL is not a request"),
    _v(
        "request-not-allowed",
        "request",
        "a request in a state that forbids it, or after the call ended (Graph answers 404)",
    ),
    _v("transferee-required", "request", "a transfer from a group call names no transferee"),
    _v(
        "transferee-not-in-call",
        "request",
        "the transferee's participantId is not in the call's roster",
    ),
    _w("transferee-on-p2p", "request", "a transfer names a transferee on a peer-to-peer call"),
    _w(
        "meeting-mode-transfer",
        "request",
        "a transfer without a transferee on a call in meeting mode: Graph fails it with 8523",
    ),
    _v(
        "transfer-without-request",
        "notification",
        "--require-requests: transferring that no transfer request announced",
    ),
    _w("roster-limit", "notification", "a call's roster grew past the cap; membership is unknown"),
    _w("call-id-unknown", "request", "a create request whose response names no call id"),
    _v("wrong-type", "request", "a field (or the body) has the wrong JSON type"),
    _v("required", "request", "a required field is missing"),
    _v("empty-string", "request", "a string that must say something is empty"),
    _v("party-count", "request", "an identity names no party, or more than one"),
    _v("client-context-too-long", "request", "clientContext is over 256 characters"),
    _v("unknown-endpoint-type", "request", "endpointType is not a value a client may send"),
    _v("not-e164", "request", "a phone identity's id is not an E.164 number"),
    _v(
        "pstn-needs-application-instance",
        "request",
        "a PSTN target, but the caller is an application",
    ),
    _v("tenant-mismatch", "request", "the transferee's and the target's tenants differ"),
    _v("invalid-path", "request", "the request's path is not a Graph calls endpoint"),
    _w("deprecated-path", "request", "the request uses the deprecated /app path"),
    _w("unknown-field", "request", "a top-level field the transfer body does not have"),
    _v("delegated-permission", "request", "delegated permissions are not supported"),
    _v("missing-permission", "request", "the application permission is not Calls.Initiate.All"),
)


@attrs.frozen
class Catalogue:
    """The rules of one machine definition: :data:`RULES` plus the definition's refusals."""

    rules: tuple[Rule, ...]

    def __iter__(self) -> Iterator[Rule]:
        return iter(self.rules)

    def __len__(self) -> int:
        return len(self.rules)

    def __contains__(self, rule_id: object) -> bool:
        return rule_id in self.by_id

    def __getitem__(self, rule_id: str) -> Rule:
        return self.by_id[rule_id]

    @property
    def by_id(self) -> Mapping[str, Rule]:
        """The rules by id."""
        return {r.id: r for r in self.rules}

    def to_json(self) -> list[dict[str, str]]:
        """Every rule as :meth:`Rule.to_json`, in catalogue order."""
        return [r.to_json() for r in self.rules]

    def markdown(self) -> str:
        """The catalogue as the Markdown table the README shows."""
        rows = ["| rule | severity | judges | why |", "|---|---|---|---|"]
        rows += [f"| `{r.id}` | {r.severity} | {r.subject} | {r.summary} |" for r in self.rules]
        return "\n".join(rows)


_CACHE: dict[int, tuple[MachineDefinition, Catalogue]] = {}


def catalogue(definition: MachineDefinition | None = None) -> Catalogue:
    """Every rule a tracker running ``definition`` (the call machine by default) can report."""
    from callstate.machine.definition import CALL_MACHINE

    definition = CALL_MACHINE if definition is None else definition
    cached = _CACHE.get(id(definition))
    if cached is not None and cached[0] is definition:
        return cached[1]
    rules = list(RULES)
    known = {r.id for r in rules}
    for event in definition.events:
        if event.rule not in known:
            known.add(event.rule)
            rules.append(_v(event.rule, "notification", event.refusal))
    for request in definition.requests:
        expect = request.expect
        if expect is not None and expect.rule not in known:
            known.add(expect.rule)
            rules.append(
                Rule(
                    id=expect.rule,
                    severity=expect.severity,
                    subject="notification",
                    summary=expect.summary,
                )
            )
    for timeout in definition.timeouts:
        if timeout.rule not in known:
            known.add(timeout.rule)
            subject: Subject = "request" if timeout.judged else "trace"
            rules.append(
                Rule(
                    id=timeout.rule,
                    severity=timeout.severity,
                    subject=subject,
                    summary=timeout.summary,
                )
            )
    result = Catalogue(tuple(rules))
    _CACHE[id(definition)] = (definition, result)
    return result
