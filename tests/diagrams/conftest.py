"""Readers of the rendered formats, so the diagram tests check structure rather than bytes.

With ``--import-mode=importlib`` test modules cannot import a sibling module, so the
readers reach the tests as the ``read`` fixture.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from types import SimpleNamespace

import pytest

ID = r"[A-Za-z_][A-Za-z0-9_]*"
MERMAID_STATEMENTS = (
    re.compile(r"%%.*"),
    re.compile(rf"\[\*\] --> (?P<dest>{ID})(?: : (?P<label>[^;:#]+))?"),
    re.compile(rf"(?P<source>{ID}) --> \[\*\]"),
    re.compile(rf"\[\*\] --> (?P<dest>{ID}) : (?P<label>[^;:#]+)"),
    re.compile(rf"(?P<source>{ID}|\[\*\]) --> (?P<dest>{ID}) : (?P<label>[^;:#]+)"),
    re.compile(rf"classDef {ID} [^;]+"),
    re.compile(rf"class {ID}(?:,{ID})* {ID}"),
    re.compile(rf"note (?:right|left) of {ID} : [^;:#]+"),
    re.compile(rf'state "[^";:#]*" as {ID}'),
)
LABEL = re.compile(
    r"(?:(?P<numbers>[0-9, ]+) - )?(?P<event>\w+)(?: \[(?P<guard>\w+)\])?"
    r"(?: / (?P<marker>\S+(?: or \S+)*))?(?: \((?P<note>[^)]*)\))?"
)
#: A request's label: its HTTP form, then the window of each timeout that judges it.
REQUEST_LABEL = re.compile(
    r"(?:(?P<numbers>[0-9, ]+) - )?(?P<http>(?:POST|DELETE) \w+)"
    r"(?P<window>(?:,? ≤ [0-9.]+ (?:s|min))*)"
)
DOT_EDGE = re.compile(r'^\s*"(?P<source>[^"]+)" -> "(?P<dest>[^"]+)"(?: \[(?P<attrs>.*)\])?;$')


def mermaid_statements(text: str) -> list[re.Match[str]]:
    """Every statement after the header; AssertionError naming the first line that is none."""
    lines = text.splitlines()
    assert lines[0] == "stateDiagram-v2", f"first line is {lines[0]!r}"
    matches = []
    for number, line in enumerate(lines[1:], start=2):
        stripped = line.strip()
        found = next(
            (p.fullmatch(stripped) for p in MERMAID_STATEMENTS if p.fullmatch(stripped)), None
        )
        assert found is not None, f"line {number} is no stateDiagram-v2 statement: {line!r}"
        matches.append(found)
    return matches


def mermaid_edges(text: str) -> Counter[tuple[str, str, str, str | None, str | None]]:
    """``(source, dest, event, guard, marker)`` of every labelled state-to-state notification."""
    out: Counter[tuple[str, str, str, str | None, str | None]] = Counter()
    for match in mermaid_statements(text):
        groups = match.groupdict()
        if groups.get("label") and REQUEST_LABEL.fullmatch(groups["label"]):
            continue
        if groups.get("source") and groups.get("dest") and groups.get("label"):
            label = LABEL.fullmatch(groups["label"])
            assert label is not None, f"unreadable label {groups['label']!r}"
            out[
                (groups["source"], groups["dest"], label["event"], label["guard"], label["marker"])
            ] += 1
    return out


def mermaid_requests(text: str) -> Counter[tuple[str, str, str, str]]:
    """``(source, dest, HTTP form, window)`` of every request line (source ``[*]`` opens)."""
    out: Counter[tuple[str, str, str, str]] = Counter()
    for match in mermaid_statements(text):
        groups = match.groupdict()
        label = REQUEST_LABEL.fullmatch(groups.get("label") or "")
        if label is not None and groups.get("dest"):
            source = groups.get("source") or "[*]"
            out[(source, groups["dest"], label["http"], label["window"].strip())] += 1
    return out


def dot_edges(text: str) -> list[tuple[str, str, list[str], str]]:
    """``(source, dest, label lines, attrs)`` of every edge statement, in order."""
    out = []
    for line in text.splitlines():
        match = DOT_EDGE.match(line)
        if match is None:
            continue
        attrs = match["attrs"] or ""
        cell = re.search(r"<TD>(.*?)</TD>", attrs)
        lines = (
            []
            if cell is None
            else [
                html.unescape(re.sub(r"<[^>]+>", "", part)) for part in cell.group(1).split("<BR/>")
            ]
        )
        out.append((match["source"], match["dest"], lines, attrs))
    return out


def dot_drawn(text: str) -> list[tuple[str, str, list[str], list[tuple[str, str, str]]]]:
    """``(source, dest, label lines, members)`` of every drawn edge but the start arrow.

    A request that opens a call is drawn from ``__start`` too; it has a tooltip.

    ``members`` are the ``(source, dest, label)`` of the transitions the edge draws, read
    from its tooltip: ``src -> dst: label`` a line, or ``label -> dst, from a, b`` for the
    edge drawn from "any live state".
    """
    out = []
    for source, dest, lines, attrs in dot_edges(text):
        if source == "__start" and "tooltip=" not in attrs:
            continue
        tip = re.search(r'tooltip="((?:[^"\\]|\\.)*)"', attrs)
        assert tip is not None, f"edge {source} -> {dest} has no tooltip"
        members = []
        for part in tip.group(1).split("\\n"):
            live = re.fullmatch(r"(.*) -> (\w+), from (.*)", part)
            if source == "__live" and live is not None:
                members += [
                    (s, s if live[2] == "itself" else live[2], live[1]) for s in live[3].split(", ")
                ]
            else:
                ends, _, label = part.partition(": ")
                a, _, b = ends.partition(" -> ")
                members.append((a, b, label))
        out.append((source, dest, lines, members))
    return out


def table_rows(text: str) -> list[dict[str, str]]:
    """The transition table's rows, keyed by column, with backticks removed."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| From |"))
    header = [c.strip() for c in lines[start].strip("|").split("|")]
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        cells = [c.strip().strip("`") for c in line.strip("|").split("|")]
        rows.append(dict(zip(header, cells, strict=True)))
    return rows


@pytest.fixture
def read() -> SimpleNamespace:
    """The readers: ``read.mermaid_edges(text)``, ``read.dot_edges(text)`` and so on."""
    return SimpleNamespace(
        mermaid_statements=mermaid_statements,
        mermaid_edges=mermaid_edges,
        mermaid_requests=mermaid_requests,
        dot_edges=dot_edges,
        dot_drawn=dot_drawn,
        table_rows=table_rows,
        LABEL=LABEL,
        REQUEST_LABEL=REQUEST_LABEL,
    )
