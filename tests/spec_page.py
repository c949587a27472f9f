"""Read the spec page's examples, and write them as the golden data files in ``tests/data/spec``.

The suite never needs the page: it reads the data files (``tests/conftest.py``). This module is
how those files were made, and how ``tests/graph/test_golden.py`` checks they still match the page
when it is present. Regenerate with ``python3 -m tests.spec_page [PAGE]``.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
#: Where the golden data lives, relative to the repository.
DATA = REPO / "tests" / "data" / "spec"
#: The index of the data files: examples, their requests and their notification files.
MANIFEST = "examples.json"
#: The data directory's own description, not extracted from the page.
README = "README.md"

_EXAMPLE = re.compile(r"^### (Example (\d+): .+)$", re.MULTILINE)
_FENCE = re.compile(r"^```(json|http)\n(.*?)^```", re.MULTILINE | re.DOTALL)
_HEADING = re.compile(r"^#{3,4} (.+)$", re.MULTILINE)
_NOTIFICATION = "Notification - "


@dataclass
class PageExample:
    """One ``### Example N`` section of the page, its blocks' text exactly as written."""

    number: int
    title: str
    method: str = ""
    url: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""
    notifications: dict[str, str] = field(default_factory=dict)


def spec_file() -> Path:
    """``$CALLSTATE_SPEC``, else ``../shared/reference/call-transfer.md`` beside the repo."""
    override = os.environ.get("CALLSTATE_SPEC")
    return Path(override) if override else REPO.parent / "shared/reference/call-transfer.md"


def _block_type(text: str, start: int) -> str:
    """The ``blockType`` of the docs annotation comment nearest before ``start``."""
    opening = text.rindex("<!--", 0, start)
    annotation = json.loads(text[opening + 4 : text.index("-->", opening)])
    return str(annotation["blockType"])


def _request(example: PageExample, block: str) -> None:
    """Fill in the request of ``example`` from an http block that has a body."""
    head, _, body = block.partition("\n\n")
    request_line, *header_lines = head.splitlines()
    example.method, example.url = request_line.split()
    example.headers = dict(line.split(": ", 1) for line in header_lines)
    example.body = body


def read_page(text: str) -> list[PageExample]:
    """Every example of the page: its one request with a body, and its titled notifications.

    Raises ``ValueError`` when a JSON or request block is outside an example, a notification has
    no ``Notification - ...`` heading, a body is not annotated ``"blockType": "request"``, or an
    example does not have exactly one request.
    """
    starts = list(_EXAMPLE.finditer(text))
    examples = [PageExample(int(m[2]), m[1]) for m in starts]
    bounds = [m.start() for m in starts] + [len(text)]
    for fence in _FENCE.finditer(text):
        lang, block = fence.groups()
        if lang == "http" and not block.partition("\n\n")[2].strip():
            continue  # a URL list, a webhook's request line or a response status: no body
        index = sum(1 for b in bounds[:-1] if b < fence.start()) - 1
        if index < 0:
            raise ValueError(f"a {lang} block with a body before the first example")
        example = examples[index]
        if lang == "http":
            if example.body:
                raise ValueError(f"{example.title}: two requests")
            if _block_type(text, fence.start()) != "request":
                raise ValueError(f"{example.title}: an http body not annotated as a request")
            _request(example, block)
            continue
        heading = _HEADING.findall(text, bounds[index], fence.start())[-1]
        if not heading.startswith(_NOTIFICATION):
            raise ValueError(f"{example.title}: a JSON block under {heading!r}")
        example.notifications[heading.removeprefix(_NOTIFICATION).strip()] = block
    missing = [e.title for e in examples if not e.body]
    if missing:
        raise ValueError(f"no request in {', '.join(missing)}")
    return examples


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def data_files(examples: Sequence[PageExample]) -> dict[str, str]:
    """The golden data for ``examples``: relative path -> file text (the README aside)."""
    files: dict[str, str] = {}
    index = []
    for example in examples:
        folder = f"example-{example.number}"
        files[f"{folder}/request.json"] = example.body
        notifications = {}
        for title, body in example.notifications.items():
            notifications[title] = f"{folder}/{_slug(title)}.json"
            files[notifications[title]] = body
        request = {
            "method": example.method,
            "url": example.url,
            "headers": example.headers,
            "body": f"{folder}/request.json",
        }
        index.append(
            {
                "number": example.number,
                "title": example.title,
                "request": request,
                "notifications": notifications,
            }
        )
    files[MANIFEST] = json.dumps(index, indent=2) + "\n"
    return files


def committed_files(data: Path = DATA) -> dict[str, str]:
    """The data files as committed: relative path -> file text (the README aside)."""
    return {
        p.relative_to(data).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(data.rglob("*"))
        if p.is_file() and p.name != README
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Rewrite the data files from the page at ``argv[0]`` (default: :func:`spec_file`)."""
    args = list(sys.argv[1:] if argv is None else argv)
    page = Path(args[0]) if args else spec_file()
    if not page.is_file():
        print(f"spec page not found at {page} (pass its path, or set CALLSTATE_SPEC)")
        return 2
    files = data_files(read_page(page.read_text(encoding="utf-8")))
    for name in committed_files().keys() - files.keys():
        (DATA / name).unlink()
    for name, text in files.items():
        (DATA / name).parent.mkdir(parents=True, exist_ok=True)
        (DATA / name).write_text(text, encoding="utf-8")
    print(f"wrote {len(files)} files to {DATA.relative_to(REPO)} from {page}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
