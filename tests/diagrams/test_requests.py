"""The bot's requests on every diagram: their own style, their HTTP form, their time window."""

from __future__ import annotations

from collections import Counter
from types import SimpleNamespace

import attrs

from callstate.diagrams import extract, render
from callstate.diagrams._legend import REQUEST
from callstate.diagrams._model import duration, http_form
from callstate.machine import CALL_MACHINE, MachineDefinition
from callstate.machine.definition import Request

Row = tuple[str, str, str, str]


def _window(definition: MachineDefinition, request: Request) -> str:
    """The windows of the timeouts that judge ``request`` or restart at it (the oracle)."""
    return ", ".join(
        f"≤ {duration(t.seconds)}"
        for t in definition.timeouts
        if request.name in (*t.judged, *t.reset_by)
    )


def _everywhere(definition: MachineDefinition, request: Request) -> bool:
    return set(request.allowed) == set(definition.live)


def _expected_mermaid(definition: MachineDefinition) -> Counter[Row]:
    """``(source, dest, HTTP form, window)``: one line per allowed state, once if everywhere."""
    rows: Counter[Row] = Counter()
    for r in definition.requests:
        http, window = http_form(r), _window(definition, r)
        if r.opens is not None:
            rows[("[*]", r.opens, http, window)] += 1
        if _everywhere(definition, r):
            dest = r.leads_to or "any_live_state"
            rows[("any_live_state", dest, http, window)] += 1
            continue
        for state in r.allowed:
            rows[(state, r.leads_to or state, http, window)] += 1
    return rows


def _with_seconds(name: str, seconds: float) -> MachineDefinition:
    timeouts = tuple(
        attrs.evolve(t, seconds=seconds) if t.name == name else t for t in CALL_MACHINE.timeouts
    )
    return CALL_MACHINE.replace(timeouts=timeouts)


class TestMermaid:
    def test_every_request_drawn(self, read: SimpleNamespace) -> None:
        """Each request is drawn from each state it is allowed in, to where it leads."""
        expected = _expected_mermaid(CALL_MACHINE)
        assert len(expected) >= len(CALL_MACHINE.requests)
        assert expected == read.mermaid_requests(render(format="mermaid"))

    def test_create_starts_outside_the_machine(self, read: SimpleNamespace) -> None:
        """The request that opens a call is an edge from ``[*]`` to the state it opens at."""
        opens = [r for r in CALL_MACHINE.requests if r.opens is not None]
        drawn = read.mermaid_requests(render(format="mermaid"))
        expected = {(r.opens, http_form(r)) for r in opens}
        assert expected == {(d, h) for (s, d, h, _w) in drawn if s == "[*]"}

    def test_everywhere_requests_are_one_line_each(self, read: SimpleNamespace) -> None:
        """A request allowed in every live state is one line, not one per state."""
        drawn = read.mermaid_requests(render(format="mermaid"))
        everywhere = [r for r in CALL_MACHINE.requests if _everywhere(CALL_MACHINE, r)]
        assert everywhere
        expected = Counter({http_form(r): 1 for r in everywhere})
        assert expected == Counter(
            h for (s, _d, h, _w) in drawn.elements() if s == "any_live_state"
        )


class TestDot:
    def test_requests_dashed_in_their_colour(self, read: SimpleNamespace) -> None:
        """Every request edge is dashed and drawn in the request colour, and only they are."""
        edges = read.dot_edges(render(format="dot"))
        requests = [
            (lines, attrs)
            for _s, _d, lines, attrs in edges
            if lines and read.REQUEST_LABEL.fullmatch(" ".join(lines))
        ]
        coloured = [a for _s, _d, _l, a in edges if f'color="{REQUEST}"' in a]
        expected: object = (len(requests), True)
        assert expected == (len(coloured), all('style="dashed"' in a for _l, a in requests))

    def test_every_request_member_drawn_once(self, read: SimpleNamespace) -> None:
        """Every request edge of the graph is a member of exactly one drawn edge."""
        drawn = read.dot_drawn(render(format="dot"))
        members = Counter(
            (s, d, label)
            for _s, _d, _l, ms in drawn
            for s, d, label in ms
            if read.REQUEST_LABEL.fullmatch(label)
        )
        expected = Counter((e.source, e.dest, e.label) for e in extract().edges if e.request)
        assert expected == members

    def test_everywhere_requests_from_any_live_state(self, read: SimpleNamespace) -> None:
        """delete and keepAlive are drawn once each, from "any live state"."""
        drawn = read.dot_drawn(render(format="dot"))
        everywhere = {http_form(r) for r in CALL_MACHINE.requests if _everywhere(CALL_MACHINE, r)}
        from_live = Counter(lines[0] for s, _d, lines, _m in drawn if s == "__live")
        assert {h: 1 for h in everywhere} == {h: n for h, n in from_live.items() if h in everywhere}

    def test_legend_explains_each_window(self) -> None:
        """The legend has a row per timeout drawn, with the result Graph ends the call with."""
        dot = render(format="dot")
        legend = dot[dot.index("graph [label=<") : dot.index("];")]
        expected = [True] * (2 * len(CALL_MACHINE.timeouts))
        actual = [
            x in legend
            for t in CALL_MACHINE.timeouts
            for x in (f"<B>≤ {duration(t.seconds)}</B>", t.ends_with.label)
        ]
        assert expected == actual


class TestTable:
    def test_request_rows(self) -> None:
        """The request table has a row per request and state, one for everywhere requests."""
        text = render(format="table")
        start = text.index("| From | Request |")
        rows = [line for line in text[start:].splitlines()[2:] if line.startswith("|")]
        rows = rows[: next((i for i, r in enumerate(rows) if r.startswith("| `5")), len(rows))]
        expected = sum(
            (r.opens is not None) + (1 if _everywhere(CALL_MACHINE, r) else len(r.allowed))
            for r in CALL_MACHINE.requests
        )
        names = {row.split("|")[2].strip(" `") for row in rows[:expected]}
        assert {r.name for r in CALL_MACHINE.requests} == names


class TestDerivation:
    def test_a_new_window_shows_its_number(self, read: SimpleNamespace) -> None:
        """A definition with another answer window draws that number, and not the old one."""
        old = next(t for t in CALL_MACHINE.timeouts if t.name == "answer")
        variant = _with_seconds("answer", old.seconds + 5)
        drawn = read.mermaid_requests(render(variant, format="mermaid"))
        windows = {w for (_s, _d, _h, w) in drawn}
        new, was = f"≤ {duration(old.seconds + 5)}", f"≤ {duration(old.seconds)}"
        expected: object = (True, False)
        assert expected == (new in windows, was in windows)
        assert _expected_mermaid(variant) == drawn
        assert new in render(variant, format="table")
        assert f"<B>{new}</B>" in render(variant, format="dot")

    def test_a_dropped_request_disappears(self, read: SimpleNamespace) -> None:
        """Dropping a request drops every edge of it from every format."""
        kept = tuple(r for r in CALL_MACHINE.requests if r.name != "transfer_call")
        smaller = CALL_MACHINE.replace(requests=kept)
        dropped = http_form(CALL_MACHINE.request("transfer_call"))
        texts = [render(smaller, format=f) for f in ("mermaid", "dot", "table")]
        expected: object = ([False] * 3, _expected_mermaid(smaller))
        actual = ([dropped in t for t in texts], read.mermaid_requests(texts[0]))
        assert expected == actual

    def test_request_moved_to_another_state_moves_its_edge(self, read: SimpleNamespace) -> None:
        """Allowing transfer in hold too draws a second transfer edge, from hold."""
        requests = tuple(
            attrs.evolve(r, allowed=(*r.allowed, "hold")) if r.name == "transfer_call" else r
            for r in CALL_MACHINE.requests
        )
        variant = CALL_MACHINE.replace(requests=requests, check=False)
        drawn = read.mermaid_requests(render(variant, format="mermaid"))
        http = http_form(CALL_MACHINE.request("transfer_call"))
        sources = sorted(s for (s, _d, h, _w) in drawn if h == http)
        assert sorted([*CALL_MACHINE.request("transfer_call").allowed, "hold"]) == sources
