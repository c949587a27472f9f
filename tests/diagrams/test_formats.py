"""Every format draws every edge of the definition exactly once, deterministically."""

from __future__ import annotations

import html
import shutil
import xml.etree.ElementTree as ET
from collections import Counter
from types import SimpleNamespace

import attrs
import pytest

from callstate.diagrams import FORMATS, extract, render
from callstate.diagrams._legend import ENDS, QUIET, RETURNS
from callstate.errors import UsageError
from callstate.facts import MEETING_MODE_FAILURE, TRANSFER_FAILURE
from callstate.machine import CALL_MACHINE, MachineDefinition, Transition

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot is not installed")

Key = tuple[str, str, str, str | None, str | None]


def _marker(definition: MachineDefinition, t: Transition) -> str | None:
    """Every result of the edge's kind, each once, joined by "or" (None when unguarded)."""
    event = definition.event(t.event)
    if t.guard is None:
        return None
    labels = dict.fromkeys(m.label for m in event.markers_of(definition.guard(t.guard).kind))
    return " or ".join(labels) or None


def _own(definition: MachineDefinition, t: Transition) -> str:
    """The results of the edge's kind that no other kind of its event shares."""
    shared = _shared(definition, t.source, t.dest)
    kind = definition.guard(t.guard or "").kind
    own = dict.fromkeys(m.label for m in definition.event(t.event).markers_of(kind))
    return " or ".join(m for m in own if m not in shared)


def _shared(definition: MachineDefinition, source: str, dest: str) -> list[str]:
    """The results every guarded edge from ``source`` to ``dest`` carries."""
    edges = [t for t in definition.transitions if (t.source, t.dest) == (source, dest) and t.guard]
    sets = [set((_marker(definition, t) or "").split(" or ")) for t in edges]
    first = (_marker(definition, edges[0]) or "").split(" or ") if edges else []
    return [m for m in first if all(m in s for s in sets)]


def _expected(definition: MachineDefinition, transitions: tuple[Transition, ...]) -> Counter[Key]:
    return Counter(
        (t.source, t.dest, t.event, t.guard, _marker(definition, t)) for t in transitions
    )


class TestMermaid:
    def test_parses_as_state_diagram_lines(self, read: SimpleNamespace) -> None:
        """Every line after the header is a stateDiagram-v2 statement."""
        statements = read.mermaid_statements(render(format="mermaid"))
        assert len(statements) > len(CALL_MACHINE.transitions)

    def test_each_edge_once_with_guard_and_marker(self, read: SimpleNamespace) -> None:
        """The mermaid edges are exactly the definition's, each once, with its result code."""
        actual = read.mermaid_edges(render(format="mermaid"))
        assert _expected(CALL_MACHINE, CALL_MACHINE.transitions) == actual

    def test_start_and_ends_marked(self, read: SimpleNamespace) -> None:
        """The initial state has ``[*] -->`` and every final state ``--> [*]``."""
        lines = {line.strip() for line in render(format="mermaid").splitlines()}
        assert f"[*] --> {CALL_MACHINE.initial}" in lines
        assert all(f"{state} --> [*]" in lines for state in CALL_MACHINE.final)


class TestDot:
    def test_each_transition_drawn_once(self, read: SimpleNamespace) -> None:
        """Every transition is in exactly one drawn edge, with its guard and result."""
        drawn = read.dot_drawn(render(format="dot"))
        members = Counter()
        for _, _, _, edge_members in drawn:
            for source, dest, label in edge_members:
                if read.REQUEST_LABEL.fullmatch(label):
                    continue
                parsed = read.LABEL.fullmatch(label)
                assert parsed is not None, f"unreadable tooltip label {label!r}"
                members[(source, dest, parsed["event"], parsed["guard"], parsed["marker"])] += 1
        assert _expected(CALL_MACHINE, CALL_MACHINE.transitions) == members

    def test_drawn_edges_join_their_members(self, read: SimpleNamespace) -> None:
        """A drawn edge goes where its transitions go (teardowns from any live state)."""
        drawn = read.dot_drawn(render(format="dot"))
        ends = [
            (source, dest) == (ms, md)
            or (source == "__live" and dest in (md, "__live"))
            or (source == "__start" and ms == "[*]" and dest == md)
            for source, dest, _, members in drawn
            for ms, md, _ in members
        ]
        dests = {d for _, d, _, _ in drawn} - set(CALL_MACHINE.states) - {"__live"}
        assert (True, set()) == (all(ends), dests)

    def test_outcomes_of_both_kinds_on_one_edge(self, read: SimpleNamespace) -> None:
        """The blind and consultative outcomes of one event share an edge, a line each."""
        drawn = read.dot_drawn(render(format="dot"))
        expected: dict[tuple[str, str], list[str]] = {}
        for t in CALL_MACHINE.transitions:
            if t.guard is not None:
                lines = expected.setdefault((t.source, t.dest), [t.event])
                lines.append(f"[{t.guard}] {_own(CALL_MACHINE, t)}")
        for (source, dest), lines in expected.items():
            if shared := _shared(CALL_MACHINE, source, dest):
                guards = ", ".join(line[1:].split("]")[0] for line in lines[1:])
                lines.append(f"[{guards}] {' or '.join(shared)}")
        actual = {
            (s, d): lines
            for s, d, lines, members in drawn
            if (s, d) in expected and not read.REQUEST_LABEL.fullmatch(members[0][2])
        }
        assert expected == actual

    def test_shared_result_shown_once_per_edge(self, read: SimpleNamespace) -> None:
        """A result both kinds share (facts.MEETING_MODE_FAILURE) is one line of its edge."""
        label = MEETING_MODE_FAILURE.label
        drawn = read.dot_drawn(render(format="dot"))
        counts = [" ".join(lines).count(label) for _, _, lines, _ in drawn]
        failure = [t for t in CALL_MACHINE.transitions if t.event == "fail_transfer"]
        sources = {t.source for t in failure}
        expected: object = ([1] * len(sources), True)
        assert expected == ([c for c in counts if c], all(c <= 1 for c in counts))

    def test_one_self_loop_a_state(self, read: SimpleNamespace) -> None:
        """A state's internal events are one dashed loop, one label, so none can overlap."""
        drawn = read.dot_drawn(render(format="dot"))
        loops = {s: lines[0] for s, d, lines, _ in drawn if s == d and s in CALL_MACHINE.states}
        expected: dict[str, list[str]] = {}
        for t in CALL_MACHINE.transitions:
            if t.internal:
                expected.setdefault(t.source, []).append(t.event)
        assert {state: ", ".join(events) for state, events in expected.items()} == loops

    def test_teardown_once_from_any_live_state(self, read: SimpleNamespace) -> None:
        """Each teardown event is one grey edge from "any live state", naming its sources."""
        graph = extract()
        drawn = read.dot_drawn(render(format="dot"))
        from_live = Counter(
            lines[0]
            for s, _, lines, members in drawn
            if s == "__live" and not read.REQUEST_LABEL.fullmatch(members[0][2])
        )
        teardown_events = {e.event for e in graph.edges if e.teardown}
        assert {event: 1 for event in teardown_events} == dict(from_live)

    def test_terminating_goes_on_to_terminated(self, read: SimpleNamespace) -> None:
        """The state a teardown leads to is drawn with its own way on, not a dead end."""
        graph = extract()
        ends = {e.dest for e in graph.edges if e.teardown} - set(CALL_MACHINE.final)
        drawn = read.dot_drawn(render(format="dot"))
        assert ends == {s for s, _, _, _ in drawn if s in ends}

    def test_final_states_look_final(self) -> None:
        """Final states are double circles, and only they."""
        lines = render(format="dot").splitlines()
        doubles = {line.split('"')[1] for line in lines if "doublecircle" in line}
        assert set(CALL_MACHINE.final) == doubles

    def test_legend_names_every_code(self) -> None:
        """The legend lists every marker label the definition has."""
        dot = render(format="dot")
        labels = [m.label for e in CALL_MACHINE.events for m in e.markers]
        assert labels
        assert [label for label in labels if f"<B>{label}</B></TD>" not in dot] == []

    def test_legend_explains_every_style(self) -> None:
        """The legend has a swatch for orange, green, grey and dashed, with the events' docs."""
        dot = render(format="dot")
        legend = dot[dot.index("graph [label=<") : dot.index("];")]
        marked = [e for e in CALL_MACHINE.events if e.markers]
        expected = [True] * (4 + len(marked))
        actual = [
            f'BGCOLOR="{RETURNS}"' in legend,
            f'BGCOLOR="{ENDS}"' in legend,
            f'BGCOLOR="{QUIET}"' in legend,
            'STYLE="dashed"' in legend,
            *(html.escape(f"{e.name}: {e.doc}") in legend for e in marked),
        ]
        assert expected == actual


class TestTable:
    def test_one_row_per_transition(self, read: SimpleNamespace) -> None:
        """The Markdown table has one row per transition, in definition order."""
        rows = read.table_rows(render(format="table"))
        expected = [
            (t.source, t.event, t.guard or "", _marker(CALL_MACHINE, t) or "", t.dest)
            for t in CALL_MACHINE.transitions
        ]
        assert expected == [(r["From"], r["Event"], r["Guard"], r["Result"], r["To"]) for r in rows]

    def test_shared_result_is_one_legend_row(self) -> None:
        """The meeting-mode failure both kinds share is one row naming both kinds."""
        text = render(format="table")
        rows = [line for line in text.splitlines() if f"`{MEETING_MODE_FAILURE.label}`" in line]
        kinds = [k for k, results in TRANSFER_FAILURE.items() if MEETING_MODE_FAILURE in results]
        assert 1 == len(rows)
        assert " or ".join(kinds) in rows[0]


@needs_dot
class TestSvg:
    def test_well_formed_and_names_every_state(self) -> None:
        """The SVG parses as XML and has one node titled by each state (and any live state)."""
        root = ET.fromstring(render(format="svg"))
        ns = "{http://www.w3.org/2000/svg}"
        titles = [
            g.findtext(f"{ns}title") or "" for g in root.iter(f"{ns}g") if g.get("class") == "node"
        ]
        assert sorted([*CALL_MACHINE.states, "__live"]) == sorted(
            t for t in titles if t != "__start"
        )

    def test_one_svg_edge_per_drawn_edge(self, read: SimpleNamespace) -> None:
        """The SVG has one edge per drawn edge of the dot source, plus the start arrow."""
        root = ET.fromstring(render(format="svg"))
        ns = "{http://www.w3.org/2000/svg}"
        edges = [g for g in root.iter(f"{ns}g") if g.get("class") == "edge"]
        assert len(read.dot_drawn(render(format="dot"))) + 1 == len(edges)

    def test_png_is_png(self) -> None:
        """png renders to PNG bytes."""
        assert render(format="png")[:8] == b"\x89PNG\r\n\x1a\n"


class TestDeterminism:
    @pytest.mark.parametrize("only", [None, "transfer"])
    @pytest.mark.parametrize("fmt", [f for f in FORMATS if f not in ("svg", "png")])
    def test_same_bytes_twice(self, fmt: str, only: str | None) -> None:
        """Rendering the same definition twice gives the same bytes."""
        assert render(format=fmt, only=only) == render(format=fmt, only=only)

    @needs_dot
    @pytest.mark.parametrize("fmt", ["svg", "png"])
    def test_graphviz_same_bytes_twice(self, fmt: str) -> None:
        """svg and png are deterministic too."""
        assert render(format=fmt) == render(format=fmt)

    def test_equal_definitions_equal_graphs(self) -> None:
        """A rebuilt copy of the definition gives an equal graph."""
        copy = CALL_MACHINE.replace(transitions=tuple(CALL_MACHINE.transitions))
        assert extract(CALL_MACHINE) == extract(copy)


class TestDerivation:
    def test_removed_edge_disappears(self, read: SimpleNamespace) -> None:
        """Dropping a transition from the definition drops it from every text format."""
        dropped = CALL_MACHINE.transitions[-1]
        smaller = CALL_MACHINE.replace(transitions=CALL_MACHINE.transitions[:-1], check=False)
        edges = read.mermaid_edges(render(smaller, format="mermaid"))
        assert _expected(smaller, smaller.transitions) == edges
        key = (dropped.source, dropped.dest, dropped.event, dropped.guard, None)
        assert edges[key] == _expected(CALL_MACHINE, CALL_MACHINE.transitions)[key] - 1
        assert len(smaller.transitions) == len(read.table_rows(render(smaller, format="table")))

    def test_marker_label_comes_from_definition(self, read: SimpleNamespace) -> None:
        """Changing a marker's code changes the label drawn on the edges it guards."""
        event = next(e for e in CALL_MACHINE.events if e.markers)
        old = event.markers[0]
        new = attrs.evolve(old, code=599, subcode=7999, termination_reason=None)
        changed = attrs.evolve(event, markers=(new, *event.markers[1:]))
        events = tuple(changed if e.name == event.name else e for e in CALL_MACHINE.events)
        edges = read.mermaid_edges(render(CALL_MACHINE.replace(events=events), format="mermaid"))
        guard = next(g.name for g in CALL_MACHINE.guards if g.kind == old.kind)
        drawn = {marker for (_, _, ev, g, marker) in edges if (ev, g) == (event.name, guard)}
        rest = dict.fromkeys(m.label for m in event.markers[1:] if m.kind == old.kind)
        assert {" or ".join(["599/7999", *rest])} == drawn


class TestArguments:
    def test_unknown_format(self) -> None:
        """An unknown format is a UsageError naming the argument."""
        with pytest.raises(UsageError, match=r"^format: "):
            render(format="gif")

    def test_unknown_part(self) -> None:
        """An unknown part is a UsageError naming ``only``."""
        with pytest.raises(UsageError, match=r"^only: "):
            extract(only="hold")
