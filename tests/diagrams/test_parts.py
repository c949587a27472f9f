"""``only="transfer"`` draws the transfer part, derived from the definition's markers."""

from __future__ import annotations

from collections import Counter
from types import SimpleNamespace

from callstate.diagrams import extract, render
from callstate.machine import CALL_MACHINE


def _transfer_transitions() -> list[tuple[str, str, str, str | None]]:
    """Marked events' edges and every edge into a state a marked event leaves."""
    marked = {e.name for e in CALL_MACHINE.events if e.markers}
    sources = {t.source for t in CALL_MACHINE.transitions if t.event in marked}
    return [
        (t.source, t.dest, t.event, t.guard)
        for t in CALL_MACHINE.transitions
        if t.event in marked or (t.dest in sources and t.source != t.dest)
    ]


class TestTransferPart:
    def test_states_are_the_issue_names(self) -> None:
        """The part shows established, transferring, transferAccepted and terminated (issue 4)."""
        states = {n.state for n in extract(only="transfer").nodes}
        assert {"established", "transferring", "transferAccepted", "terminated"} == states

    def test_exactly_the_transfer_edges(self) -> None:
        """The part's notification edges are exactly the transfer edges, in definition order."""
        graph = extract(only="transfer")
        actual = [(e.source, e.dest, e.event, e.guard) for e in graph.edges if not e.request]
        assert _transfer_transitions() == actual

    def test_requests_between_its_states(self) -> None:
        """The part draws the requests between its states (transfer), none from every state."""
        graph = extract(only="transfer")
        states = {n.state for n in graph.nodes}
        expected = [
            (s, r.leads_to or s, r.name)
            for r in CALL_MACHINE.requests
            if set(r.allowed) != set(CALL_MACHINE.live)
            for s in r.allowed
            if {s, r.leads_to or s} <= states
        ]
        assert expected
        assert expected == [(e.source, e.dest, e.event) for e in graph.edges if e.request]

    def test_both_kinds_of_both_outcomes(self) -> None:
        """Every marker of every marked event is on some edge of the part."""
        drawn = {m for e in extract(only="transfer").edges for m in e.markers}
        labels = {m.label for e in CALL_MACHINE.events for m in e.markers}
        assert labels == labels & drawn

    def test_mermaid_has_exactly_those_edges(self, read: SimpleNamespace) -> None:
        """The transfer mermaid draws each transfer edge once and nothing else."""
        edges = read.mermaid_edges(render(format="mermaid", only="transfer"))
        actual = Counter((s, d, ev, g) for (s, d, ev, g, _) in edges.elements())
        assert Counter(_transfer_transitions()) == actual

    def test_no_teardown(self) -> None:
        """No teardown edge (hang-up from every live state) is in the transfer part."""
        assert [e for e in extract(only="transfer").edges if e.teardown] == []
