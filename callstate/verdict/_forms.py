"""Lines of a form already read: the fast branch of reading, for the lines Graph repeats.

Graph's notifications of one kind differ from call to call only in the call id (the
reference's examples are ``{"value":[{... "resourceUrl":"/communications/calls/{id}",
"resourceData":{"@odata.type":"#microsoft.graph.call","state":"transferring"}}]}``). A
line whose bytes, the call id aside, are those of a line already read, and whose id is
plain printable ASCII, decodes to that line's notification with the other id: its notice
is the one already read, with the new call id, and no JSON is parsed at all.

A form is learnt on its second sighting, and only once a probe proves it: the line with
a sentinel for its id must decode to the same body with only the ``resourceUrl``
changed, and the id must sit in the canonical JSON the fingerprint is taken of as it
sits in the line. Every other line, and every id that is not plain, goes to the full
reader; so both branches give one notice, and the rules downstream exist once.
"""

from __future__ import annotations

import zlib
from typing import Any, Final

import orjson

from callstate.errors import ParseError
from callstate.graph._calls_url import SEEN_MAX, parse_resource_url
from callstate.verdict._notice import LEGACY, Notice

__all__ = ["CALLS", "FORMS_LIMIT", "FORM_BYTES", "HEADS_LIMIT", "Form", "Forms"]

#: What the call id of a line follows.
CALLS: Final = b"/communications/calls/"
#: Only lines this short are keyed by their form.
FORM_BYTES: Final = 2048
#: At most this many forms are known (and as many keys seen once): the table starts again.
FORMS_LIMIT: Final = 1024
#: At most this many URL heads (``/communications/calls/``, ``/v1.0/communications/calls/``
#: ...) have forms, each with at most ``SEEN_MAX`` ids: a form of another head is not learnt.
HEADS_LIMIT: Final = 8

#: A learnt form: the notice it reads as, with the URL's text before the id in slot 0,
#: its head's known ids in slot 3 and, in slot 10, the parts of the canonical JSON around
#: the id (see :func:`fingerprint <callstate.verdict._notice.fingerprint>`):
#: ``(CRC-32 before it, the bytes after, size)``.
Form = tuple[Any, ...]

#: The bytes a plain id is made of: printable ASCII, with no quote and no escape.
_PLAIN: Final = bytes(range(0x20, 0x7F)).replace(b'"', b"").replace(b"\\", b"")
_SENTINEL: Final = b"callstate-form-probe"
#: What is left of the URL in a line's key: the id's place.
_AROUND: Final = CALLS + b'"'


class Forms:
    """One reader's forms: a line's bytes without its call id -> the :data:`Form` it reads
    as, or ``None`` once it is known not to have one."""

    __slots__ = ("_heads", "_once", "known")

    def __init__(self) -> None:
        self.known: dict[bytes, Form | None] = {}
        self._once: set[bytes] = set()
        #: For each URL head, its plain ids already read as a call's URL -> the call's id.
        self._heads: dict[str, dict[bytes, str]] = {}

    def look(self, line: bytes) -> Notice | bytes | None:
        """The notice of ``line`` if it is of a known form. Else its key, to :meth:`offer`
        once it is read, or ``None`` when it has no form to learn; either way, read it in
        full."""
        if len(line) > FORM_BYTES:
            return None
        # partition, not find: its one argument is passed fast, and it finds and cuts at once
        before, calls, rest = line.partition(CALLS)
        if not calls:
            return None
        ident, quote, after = rest.partition(b'"')
        if not quote:
            return None
        key = before + _AROUND + after  # the line without its id
        form = self.known.get(key, key)
        if type(form) is not tuple:
            return form  # the key of a form not yet known, or None: known to have none
        head, signal, problem, ids, unknown, raw, deleted, code, subcode, reason, fp, traits = form
        call_id = ids.get(ident)
        if call_id is None:
            call_id = _call_id(head, ident)
            if call_id is None:
                return None
            if len(ids) >= SEEN_MAX:
                ids.clear()
            ids[ident] = call_id
        return (call_id, signal, problem, None, unknown, raw, deleted, code, subcode, reason,
                (fp, ident), traits)  # fmt: skip

    def offer(self, key: bytes, line: bytes, body: dict[str, Any], notice: Notice) -> None:
        """Learn the form of ``line`` (``key``, as :meth:`look` said), decoded as ``body``
        (an envelope of one notification, read as ``notice``), on its second sighting."""
        once = self._once
        if key not in once:
            if len(once) >= FORMS_LIMIT:
                once.clear()
            once.add(key)
            return
        once.discard(key)
        known = self.known
        if len(known) >= FORMS_LIMIT:
            known.clear()
            self._heads.clear()
        at = key.find(CALLS) + len(CALLS)
        form = _form(line, at, at + len(line) - len(key), body, notice)
        heads = self._heads
        if form is not None and (form[0] in heads or len(heads) < HEADS_LIMIT):
            # its head's ids, shared by the forms of one head
            form = (form[0], *form[1:3], heads.setdefault(form[0], {}), *form[4:])
        else:
            form = None
        known[key] = form


def _call_id(head: str, ident: bytes) -> str | None:
    """The call ``head + ident`` names, by the one grammar, if ``ident`` is plain."""
    if ident.translate(None, _PLAIN):
        return None
    try:
        ref = parse_resource_url(head + ident.decode())
    except ParseError:
        return None
    return ref.call_id if ref.kind == "call" else None


def _form(line: bytes, start: int, end: int, body: dict[str, Any], notice: Notice) -> Form | None:
    """The form of ``line``, its id at ``[start:end]``, proven by a probe; ``None`` if none."""
    if notice[3] is not None or notice[11] & LEGACY:
        return None  # only a call's own notification
    n = body["value"][0]
    ident = line[start:end]
    url = n.get("resourceUrl")
    text = ident.decode("ascii", "replace")
    if (
        "resource" in n
        or not ident
        or ident.translate(None, _PLAIN)
        or _SENTINEL in line
        or type(url) is not str
        or not url.endswith(text)
    ):
        return None
    head = url[: len(url) - len(text)]
    probed = {**n, "resourceUrl": head + _SENTINEL.decode()}
    try:
        if orjson.loads(line[:start] + _SENTINEL + line[end:]) != {**body, "value": [probed]}:
            return None
        canonical = orjson.dumps(probed, option=orjson.OPT_SORT_KEYS)
        own = orjson.dumps(n, option=orjson.OPT_SORT_KEYS)
    except (orjson.JSONDecodeError, orjson.JSONEncodeError):
        return None
    split = canonical.find(_SENTINEL)
    before, after = canonical[:split], canonical[split + len(_SENTINEL) :]
    if canonical.count(_SENTINEL) != 1 or before + ident + after != own:
        return None
    parts = (zlib.crc32(before), after, len(before) + len(after))
    return (head, *notice[1:10], parts, notice[11])
