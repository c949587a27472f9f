"""The diagrams committed under ``diagrams/``: regenerate them all, or say which drifted."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import attrs

from callstate.diagrams._graphviz import graphviz_version_of, run_dot
from callstate.errors import CallstateError

__all__ = [
    "COMMITTED",
    "Drift",
    "check_committed_files",
    "dot_available",
    "expected_files",
    "svg_content",
]

#: ``(file name, part or None, format)`` of every committed diagram.
COMMITTED: tuple[tuple[str, str | None, str], ...] = (
    ("call-states.mmd", None, "mermaid"),
    ("call-states.dot", None, "dot"),
    ("call-states.svg", None, "svg"),
    ("call-states.md", None, "table"),
    ("transfer.mmd", "transfer", "mermaid"),
    ("transfer.dot", "transfer", "dot"),
    ("transfer.svg", "transfer", "svg"),
)


@attrs.frozen
class Drift:
    """A committed diagram that is missing or differs from what the definition gives now."""

    name: str
    reason: str

    def __str__(self) -> str:
        return f"{self.name}: {self.reason}"


def svg_content(svg: str) -> list[str]:
    """What an SVG says, without where it says it: every title and text, in document order.

    Two Graphviz versions lay the same graph out differently; this is what they agree on.
    """
    try:
        root = ET.fromstring(svg)
    except ET.ParseError as exc:
        raise CallstateError(f"not well-formed SVG: {exc}") from exc
    return [
        f"{element.tag.rsplit('}', 1)[-1]}: {element.text.strip()}"
        for element in root.iter()
        if element.tag.rsplit("}", 1)[-1] in {"title", "text"} and element.text
    ]


def check_committed_files(directory: Path, expected: dict[str, bytes]) -> tuple[Drift, ...]:
    """Compare ``expected`` with ``directory``; SVGs from another Graphviz by content."""
    drifts: list[Drift] = []
    for name, want in expected.items():
        path = directory / name
        try:
            have = path.read_bytes()
        except OSError as exc:
            drifts.append(Drift(name, f"cannot read {path}: {exc.strerror or exc}"))
            continue
        if have == want:
            continue
        if name.endswith(".svg") and _other_graphviz(have, want):
            if svg_content(have.decode("utf-8", "replace")) == svg_content(want.decode("utf-8")):
                continue
            drifts.append(Drift(name, "its titles and labels differ from the definition"))
            continue
        drifts.append(Drift(name, _first_difference(have, want)))
    return tuple(drifts)


def _other_graphviz(have: bytes, want: bytes) -> bool:
    ours = graphviz_version_of(want.decode("utf-8", "replace"))
    theirs = graphviz_version_of(have.decode("utf-8", "replace"))
    return ours != theirs


def _first_difference(have: bytes, want: bytes) -> str:
    old = have.decode("utf-8", "replace").splitlines()
    new = want.decode("utf-8", "replace").splitlines()
    for number, (a, b) in enumerate(zip(old, new, strict=False), start=1):
        if a != b:
            return f"differs from the definition at line {number}: committed {a!r}, now {b!r}"
    return f"differs from the definition: {len(old)} lines committed, {len(new)} now"


def dot_available() -> bool:
    """Whether svg and png can be drawn here."""
    return shutil.which("dot") is not None


Render = Callable[[str | None, str], str]


def expected_files(render: Render, *, svg: bool) -> dict[str, bytes]:
    """Every committed file's bytes as ``render(part, format)`` gives them now.

    SVGs are left out when ``svg`` is false (no Graphviz here).
    """
    out: dict[str, bytes] = {}
    for name, part, fmt in COMMITTED:
        if fmt == "svg":
            if svg:
                out[name] = run_dot(render(part, "dot"), "svg")
            continue
        out[name] = render(part, fmt).encode("utf-8")
    return out
