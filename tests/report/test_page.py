"""``render_report``: one self-contained page, the summary by rule, each broken call drawn."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from callstate.errors import UsageError
from callstate.machine import CALL_MACHINE
from callstate.story import Stories, read_stories, render_report
from tests.report.conftest import needs_dot, parse_html

REPO = Path(__file__).resolve().parents[2]
VIOLATIONS = REPO / "examples/violations.jsonl"


@pytest.fixture(scope="module")
def stories() -> Stories:
    """The stories of the example trace with violations."""
    return read_stories(VIOLATIONS)


@pytest.fixture(scope="module")
def page(stories: Stories) -> str:
    """Its report page."""
    return render_report(stories, name="examples/violations.jsonl")


class TestContent:
    def test_summary_row_per_rule(self, stories: Stories, page: str) -> None:
        """The summary table has one row per rule counted, with its count."""
        table = next(
            t for t in parse_html(page).iter("table") if t.attrs.get("id") == "summary-table"
        )
        rows = {r.attrs["data-rule"]: r for r in table.iter("tr") if "data-rule" in r.attrs}
        counts = {
            rule: int(next(c for c in row.iter("td") if "count" in c.classes()).all_text())
            for rule, row in rows.items()
        }
        assert stories.report.counts == counts

    def test_one_section_per_broken_call(self, stories: Stories, page: str) -> None:
        """Each call with a violation has a section with its outcome and timeline, in order."""
        sections = [s for s in parse_html(page).iter("section") if "call" in s.classes()]
        broken = [s for s in stories.calls if s.violations]
        assert [(s.call_id, s.outcome, len(s.steps)) for s in broken] == [
            (
                sec.attrs["data-call-id"],
                next(p for p in sec.iter("p") if "outcome" in p.classes()).all_text(),
                len(next(t for t in sec.iter("table")).iter("tr")) - 1,
            )
            for sec in sections
        ]

    @needs_dot
    def test_each_broken_call_drawn_inline(self, stories: Stories, page: str) -> None:
        """Each broken call's section holds its path as an inline SVG, ids unique on the page."""
        tree = parse_html(page)
        sections = [s for s in tree.iter("section") if "call" in s.classes()]
        ids = [e.attrs["id"] for e in tree.iter() if "id" in e.attrs]
        assert ([1] * len(sections), len(ids)) == (
            [len(s.iter("svg")) for s in sections],
            len(set(ids)),
        )

    def test_other_calls_listed(self, tmp_path: Path) -> None:
        """A trace without violations says so, and lists its calls with their outcomes."""
        stories = read_stories(REPO / "examples/blind-user-success.jsonl")
        tree = parse_html(render_report(stories, name="ok"))
        other = next(s for s in tree.iter("section") if s.attrs.get("id") == "other-calls")
        verdict = next(p for p in tree.iter("p") if p.attrs.get("id") == "verdict")
        assert (stories.calls[0].outcome, "ok") in [
            (row.iter("td")[2].all_text(), verdict.attrs["class"]) for row in other.iter("tr")[1:]
        ]


class TestSelfContained:
    def test_nothing_to_fetch(self, page: str) -> None:
        """No script, no external style, image or link: only in-page anchors."""
        tree = parse_html(page)
        fetching = [
            (e.tag, k, v)
            for e in tree.iter()
            for k, v in e.attrs.items()
            if k in ("src", "srcset", "action", "data") or (k == "href" and not v.startswith("#"))
        ]
        assert ([], [], "url(" in page) == (fetching, tree.iter("script"), False)

    def test_policy_forbids_fetches(self, page: str) -> None:
        """A Content-Security-Policy forbids every fetch but inline style and data images."""
        metas = [m for m in parse_html(page).iter("meta") if m.attrs.get("http-equiv")]
        assert [("Content-Security-Policy", "default-src 'none'")] == [
            (m.attrs["http-equiv"], m.attrs["content"].split(";")[0]) for m in metas
        ]


class TestDegrades:
    def test_without_graphviz_mermaid_text_and_a_note(
        self,
        stories: Stories,
        monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path,
    ) -> None:
        """Without dot, each path is Mermaid text and the page says Graphviz is missing."""
        monkeypatch.setenv("PATH", str(tmp_path))
        tree = parse_html(render_report(stories, name="t"))
        pres = [p for p in tree.iter("pre") if "mermaid-text" in p.classes()]
        notes = [p for p in tree.iter("p") if p.attrs.get("id") == "no-graphviz"]
        broken = [s for s in stories.calls if s.violations]
        assert (len(broken), 1, []) == (
            len(
                [
                    p
                    for p in pres
                    if p.all_text().splitlines()[0] == "stateDiagram-v2"
                    and len(p.all_text().splitlines()) > len(CALL_MACHINE.transitions)
                ]
            ),
            len(notes),
            tree.iter("svg"),
        )

    def test_at_most_max_drawn(
        self, stories: Stories, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        """Past ``max_drawn`` calls, the page says the path is not drawn."""
        monkeypatch.setenv("PATH", str(tmp_path))
        tree = parse_html(render_report(stories, name="t", max_drawn=2))
        drawn = [p for p in tree.iter("pre") if "mermaid-text" in p.classes()]
        skipped = [p for p in tree.iter("p") if p.all_text().startswith("Not drawn: ")]
        broken = [s for s in stories.calls if s.violations]
        assert (2, len(broken) - 2) == (len(drawn), len(skipped))

    def test_bad_max_drawn(self, stories: Stories) -> None:
        """A negative ``max_drawn`` is a usage error naming it."""
        with pytest.raises(UsageError, match=r"^max_drawn: "):
            render_report(stories, name="t", max_drawn=-1)


def _line(call: str, state: str, **data: str) -> bytes:
    body = {
        "value": [
            {
                "changeType": "deleted" if state == "terminated" else "updated",
                "resourceUrl": f"/communications/calls/{call}",
                "resourceData": {"state": state, **data},
            }
        ]
    }
    return orjson.dumps(body) + b"\n"


def test_hostile_text_escaped(tmp_path: Path) -> None:
    """A termination reason with markup and control characters is shown as text, never as
    markup, in the step and in the violation it is quoted in."""
    reason = 'x<b>b<i>i\n"\x1b'
    trace = tmp_path / "t.jsonl"
    late = _line("c1", "hold", terminationReason=reason)
    trace.write_bytes(_line("c1", "established") + _line("c1", "terminated") + late)
    page = render_report(read_stories(trace), name="t<b>")
    tree = parse_html(page)
    section = next(s for s in tree.iter("section") if "call" in s.classes())
    shown = 'x<b>b<i>i\\n"\\x1b'
    assert ([], "c1", True, False) == (
        tree.iter("b") + tree.iter("i"),
        section.attrs["data-call-id"],
        f"hold {shown} after the call ended" in section.all_text(),
        "\x1b" in page,
    )


def test_hostile_call_id_is_no_call(tmp_path: Path) -> None:
    """A call id with markup and control characters is no id: the page has no call, and the
    malformed line quotes the URL as text."""
    call = 'x<b>b<i>i\n"\x1b'
    trace = tmp_path / "t.jsonl"
    trace.write_bytes(_line(call, "established") * 2)
    page = render_report(read_stories(trace), name="t")
    tree = parse_html(page)
    calls = [s for s in tree.iter("section") if "call" in s.classes()]
    assert ([], [], True, False) == (
        calls,
        tree.iter("b") + tree.iter("i"),
        "unrecognised resource URL '/communications/calls/x<b>b<i>i\\n" in tree.all_text(),
        "\x1b" in page,
    )
