"""Targets, their verdicts, and the two renderings of a run: the text table and Markdown.

Each figure module declares its :class:`Target` s and the :class:`Row` s it shows; the
same rows make the terminal table and the README's Performance table, so the two can
never disagree.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from typing import Any


@dataclasses.dataclass(frozen=True)
class Target:
    """A limit a figure must meet: ``key op limit`` (``op`` is ``<=`` or ``>=``)."""

    key: str
    op: str
    limit: float
    #: A tighter, optional goal, reported beside the verdict.
    stretch: float | None = None

    def holds(self, value: float, limit: float | None = None) -> bool:
        """Whether ``value`` meets the limit (or ``limit``, e.g. the stretch)."""
        bound = self.limit if limit is None else limit
        return value <= bound if self.op == "<=" else value >= bound

    def verdict(self, fig: dict[str, Any], status: str | None = None) -> dict[str, Any]:
        """``{"target", "value", "pass", "status"}``; ``pass`` is null when not measured."""
        out: dict[str, Any] = {"target": f"{self.op} {self.limit:g}"}
        value = fig.get(self.key)
        if status is None and isinstance(value, int | float) and type(value) is not bool:
            out.update(value=value, status="pass" if self.holds(value) else "fail")
            out["pass"] = self.holds(value)
            if self.stretch is not None:
                out["stretch"] = f"{self.op} {self.stretch:g}"
                out["stretch_pass"] = self.holds(value, self.stretch)
        else:
            out.update(value=None, status=status or "not measured")
            out["pass"] = None
        return out


@dataclasses.dataclass(frozen=True)
class Row:
    """One line of a figure's section: a label and the JSON key it shows."""

    label: str
    key: str
    note: str = ""
    #: Shown in the README's table, not only in the terminal's.
    headline: bool = False


def fmt(value: object) -> str:
    """A figure for people: three significant digits, thousands separated."""
    if type(value) not in (int, float):
        return "n/a" if value is None else str(value)
    v = float(value)  # type: ignore[arg-type]
    if abs(v) >= 10_000:
        return f"{v:,.0f}"
    if abs(v) >= 100:
        return f"{v:.0f}"
    return f"{v:.3g}" if abs(v) < 10 else f"{v:.1f}"


def shown(fig: dict[str, Any], key: str) -> str:
    """The value of ``key`` with its spread when it has one: ``1.23 (1.20 to 1.31, n=15)``."""
    value = fmt(fig.get(key))
    if f"{key}_min" in fig:
        low, high, n = fig[f"{key}_min"], fig[f"{key}_max"], fig[f"{key}_n"]
        value += f" ({fmt(low)} to {fmt(high)}, n={n})"
    return value


def _mark(verdicts: dict[str, Any], key: str) -> str:
    v = verdicts.get(key)
    if v is None:
        return ""
    word = {"pass": "PASS", "fail": "FAIL"}.get(v["status"], v["status"].upper())
    stretch = ""
    if "stretch" in v:
        stretch = f", stretch {v['stretch']} {'met' if v['stretch_pass'] else 'not met'}"
    return f"{v['target']} {word}{stretch}"


def section(
    title: str, rows: Iterable[Row], fig: dict[str, Any], verdicts: dict[str, Any]
) -> Iterator[str]:
    """A figure's block of the terminal table."""
    yield title
    present = [row for row in rows if row.key in fig or row.key in verdicts]
    width = max((len(row.label) for row in present), default=0)
    values = [shown(fig, row.key) for row in present]
    value_width = max((len(v) for v in values), default=0)
    for row, value in zip(present, values, strict=True):
        mark = _mark(verdicts, row.key)
        note = "  ".join(x for x in (mark, row.note) if x)
        yield f"  {row.label:<{width}}  {value:>{value_width}}  {note}".rstrip()
    yield ""


def markdown(
    blocks: Iterable[tuple[str, Iterable[Row]]], fig: dict[str, Any], verdicts: dict[str, Any]
) -> Iterator[str]:
    """The README's Performance table: headline rows of every figure that ran."""
    yield "| figure | measured: median (min to max, n) | target | met |"
    yield "|---|---|---|---|"
    for _title, rows in blocks:
        for row in rows:
            if not row.headline or (row.key not in fig and row.key not in verdicts):
                continue
            v = verdicts.get(row.key)
            target, met = "reference", ""
            if v is not None:
                target = v["target"] + (f" (stretch {v['stretch']})" if "stretch" in v else "")
                met = {"pass": "yes", "fail": "no"}.get(v["status"], v["status"])
                if v.get("stretch_pass"):
                    met += ", stretch too"
            note = "" if row.note == "(reference)" else row.note
            label = f"{row.label} {note}".rstrip()
            yield f"| {label} | {shown(fig, row.key)} | {target} | {met} |"
