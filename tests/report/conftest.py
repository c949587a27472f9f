"""Helpers for the report tests: an HTML reader, headless Chromium, and a PNG pixel reader."""

from __future__ import annotations

import shutil
import struct
import subprocess
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
#: For tests that load the page in a real browser; .ci/run installs Debian's chromium.
needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="needs Debian's chromium at /usr/bin/chromium (apt-get install -y chromium)",
)
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot is not installed")


class Element:
    """One element of a parsed page: tag, attributes, children and text."""

    def __init__(self, tag: str, attrs: dict[str, str], parent: Element | None) -> None:
        self.tag = tag
        self.attrs = attrs
        self.parent = parent
        self.children: list[Element] = []
        self.text: list[str] = []

    def iter(self, tag: str | None = None) -> list[Element]:
        """This element and every descendant (with ``tag``, when given), in document order."""
        found = [self] if tag is None or self.tag == tag else []
        for child in self.children:
            found += child.iter(tag)
        return found

    def all_text(self) -> str:
        """Every text inside, joined."""
        return "".join(self.text) + "".join(c.all_text() for c in self.children)

    def classes(self) -> set[str]:
        """The element's class names."""
        return set(self.attrs.get("class", "").split())


_VOID = {"meta", "br", "hr", "img", "input", "link", "area", "base", "col", "source", "wbr"}


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {}, None)
        self.current = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs}, self.current)
        self.current.children.append(element)
        if tag not in _VOID:
            self.current = element

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.current.children.append(Element(tag, {k: v or "" for k, v in attrs}, self.current))

    def handle_endtag(self, tag: str) -> None:
        node: Element | None = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data: str) -> None:
        self.current.text.append(data)


def parse_html(text: str) -> Element:
    """The document tree of ``text`` (lenient, as browsers are about end tags)."""
    builder = _Builder()
    builder.feed(text)
    builder.close()
    return builder.root


def chromium(page: Path, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    """Headless Chromium on ``page``, with no network at all and a throwaway profile."""
    return subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--no-first-run",
            "--no-default-browser-check",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            f"--user-data-dir={tmp_path / 'profile'}",
            *args,
            page.resolve().as_uri(),
        ],
        capture_output=True,
        timeout=120,
        check=False,
        cwd=tmp_path,
    )


def png_colours(data: bytes, *, limit: int = 10_000) -> int:
    """How many distinct colours an 8-bit RGB or RGBA PNG has (counted up to ``limit``)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat = 8, []
    width = height = channels = 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        chunk = data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, colour_type = struct.unpack(">IIBB", chunk[:10])
            assert (depth, colour_type in (2, 6)) == (8, True), "expected 8-bit RGB or RGBA"
            channels = 3 if colour_type == 2 else 4
        elif kind == b"IDAT":
            idat.append(chunk)
        elif kind == b"IEND":
            break
    raw = zlib.decompress(b"".join(idat))
    stride = width * channels
    previous = bytearray(stride)
    colours: set[bytes] = set()
    for row in range(height):
        start = row * (stride + 1)
        line = _unfilter(
            raw[start], bytearray(raw[start + 1 : start + 1 + stride]), previous, channels
        )
        if row % 4 == 0:  # every fourth row is plenty to tell a page from a blank one
            colours.update(bytes(line[i : i + 3]) for i in range(0, stride, channels * 2))
            if len(colours) >= limit:
                return len(colours)
        previous = line
    return len(colours)


def _unfilter(kind: int, line: bytearray, up: bytearray, bpp: int) -> bytearray:
    if kind == 0:
        return line
    if kind == 2:
        return bytearray((a + b) & 0xFF for a, b in zip(line, up, strict=True))
    for i in range(len(line)):
        left = line[i - bpp] if i >= bpp else 0
        if kind == 1:
            line[i] = (line[i] + left) & 0xFF
        elif kind == 3:
            line[i] = (line[i] + ((left + up[i]) >> 1)) & 0xFF
        else:
            corner = up[i - bpp] if i >= bpp else 0
            p = left + up[i] - corner
            pa, pb, pc = abs(p - left), abs(p - up[i]), abs(p - corner)
            pred = left if pa <= pb and pa <= pc else (up[i] if pb <= pc else corner)
            line[i] = (line[i] + pred) & 0xFF
    return line
