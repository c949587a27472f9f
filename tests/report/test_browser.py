"""The report page in a real browser: headless Chromium renders the summary and a call."""

from __future__ import annotations

from pathlib import Path

import pytest

from callstate.cli import main
from callstate.story import read_stories
from tests.report.conftest import chromium, needs_chromium, parse_html, png_colours

REPO = Path(__file__).resolve().parents[2]
VIOLATIONS = REPO / "examples/violations.jsonl"

pytestmark = needs_chromium


@pytest.fixture
def page(tmp_path: Path) -> Path:
    """The report of the example trace with violations, written by the CLI."""
    out = tmp_path / "report.html"
    assert 1 == main(["report", str(VIOLATIONS), "-o", str(out)])
    return out


def test_rendered_dom(page: Path, tmp_path: Path) -> None:
    """Chromium's DOM has a summary row per rule and the first broken call's section."""
    done = chromium(page, tmp_path, "--dump-dom")
    assert 0 == done.returncode, done.stderr.decode("utf-8", "replace")[-2000:]
    tree = parse_html(done.stdout.decode("utf-8"))
    stories = read_stories(VIOLATIONS)
    rows = [r.attrs["data-rule"] for r in tree.iter("tr") if "data-rule" in r.attrs]
    first = next(s for s in stories.calls if s.violations)
    sections = [s.attrs.get("data-call-id") for s in tree.iter("section") if "call" in s.classes()]
    assert (sorted(stories.report.counts), first.call_id) == (sorted(rows), sections[0])


def test_screenshot_is_not_blank(page: Path, tmp_path: Path) -> None:
    """A screenshot of the page has many colours: text, tables and a coloured verdict."""
    shot = tmp_path / "report.png"
    done = chromium(page, tmp_path, f"--screenshot={shot}", "--window-size=1200,900")
    assert (0, True) == (done.returncode, shot.is_file()), done.stderr.decode()[-2000:]
    assert png_colours(shot.read_bytes(), limit=200) >= 200
