"""Lines of a form already read: the fast branch of reading, for the lines Graph repeats.

Graph's notifications of one kind differ from call to call only in the call id (the
reference's examples are ``{"value":[{... "resourceUrl":"/communications/calls/{id}",
"resourceData":{"@odata.type":"#microsoft.graph.call","state":"transferring"}}]}``). A
line whose bytes, the call id aside, are those of a line already read, and whose id is
plain printable ASCII, decodes to that line's notification with the other id: its notice
is the one already read, with the new call id, and no JSON is parsed at all.

The value of a field the reader never reads (:data:`OPAQUE
<callstate.verdict._notice.OPAQUE>`: a new call's ``callChainId``, a failed transfer's
``replacesContext``) differs from call to call too: a line that has one has its form
without it, beside the forms of lines that have none, and the value is only in the
fingerprint.

A form is learnt on its second sighting, and only once a probe proves it: in the line
with a sentinel for its id (and one for its opaque value), the notification's
``resourceUrl`` must end in the id's sentinel, and each sentinel must sit once in the
canonical JSON the fingerprint is taken of. Holes are plain, so a sentinel stands where
its hole's bytes stood, in the line and in that JSON alike. Every other line, and every id
or value that is not plain, goes to the full reader; so both branches give one notice, and
the rules downstream exist once.
"""

from __future__ import annotations

import zlib
from typing import Any, Final

import orjson

from callstate.errors import ParseError
from callstate.graph._calls_url import CALLS_PATH, SEEN_MAX, parse_resource_url, plain_call_id
from callstate.verdict._notice import LEGACY, OPAQUE, Notice

__all__ = [
    "AROUND",
    "CALLS",
    "FORMS_LIMIT",
    "FORM_BYTES",
    "HEADS_LIMIT",
    "Form",
    "Forms",
    "Looked",
    "formed_notice",
]

#: What the call id of a line follows.
CALLS: Final = CALLS_PATH.encode()
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
#: ``(CRC-32 before it, the bytes after, size)``; with an opaque value, ``(CRC-32 before
#: the first hole, the bytes after each, size, whether the value comes first)``. Slot 12
#: is, as in a notice, its question (:data:`~callstate.verdict._notice.Question`).
Form = tuple[Any, ...]

#: The bytes a plain id is made of: printable ASCII, with no quote and no escape.
_PLAIN: Final = bytes(range(0x20, 0x7F)).replace(b'"', b"").replace(b"\\", b"")
_SENTINEL: Final = b"callstate-form-probe"
_VALUE_SENTINEL: Final = b"callstate-value-probe"
#: What stands in a line's key for its URL's end: the id left out, the quote that ends it kept.
AROUND: Final = CALLS + b'"'
#: What an opaque field's value follows in compact JSON, in the order they are looked for.
_MARKERS: Final = tuple(b'"%s":"' % name.encode() for name in OPAQUE)
#: Each plain byte as ``a``, any other as NUL: a plain value translates to letters only.
_MASK: Final = bytes(ord("a") if c and bytes((c,)) in _PLAIN else 0 for c in range(256))
#: A line cut at its id: ``(before the id's CALLS, the id, after the quote that ends it)``.
_Cut = tuple[bytes, bytes, bytes]
#: A line read by its form: ``(the form, the call id, the fingerprint's source)``.
Looked = tuple[Form, str, Any]


class Forms:
    """One reader's forms: a line's bytes without its call id -> the :data:`Form` it reads
    as, or ``None`` once it is known not to have one."""

    __slots__ = ("_heads", "_once", "holed", "known")

    def __init__(self) -> None:
        self.known: dict[bytes, Form | None] = {}
        #: The forms of lines with an opaque value, by the line without it and its id.
        self.holed: dict[bytes, Form | None] = {}
        self._once: set[bytes] = set()
        #: For each URL head, its plain ids already read as a call's URL -> the call's id.
        self._heads: dict[str, dict[bytes, str]] = {}

    def look(self, line: bytes) -> Looked | bytes | None:
        """What ``line`` is if it is of a known form: ``(form, call id, the fingerprint's
        source)``, see :func:`formed_notice`. Else its key, to :meth:`offer` once it is
        read, or ``None`` when it has no form to learn; either way, read it in full."""
        # _cut and complete's common case inline, as the validate loop has them: a bot's
        # Tracker.ingest runs this once a webhook.
        if len(line) > FORM_BYTES:
            return None
        before, _, rest = line.partition(CALLS)
        ident, quote, after = rest.partition(b'"')
        if not quote:
            return None
        key = before + AROUND + after  # the line without its id
        form = self.known.get(key, key)
        if type(form) is tuple:
            call_id = form[3].get(ident)
            if call_id is not None:
                return (form, call_id, (form[10], ident))
        return self.complete(key, form, ident, before, after)

    def complete(
        self, key: bytes, form: Form | bytes | None, ident: bytes, before: bytes, after: bytes
    ) -> Looked | bytes | None:
        """:meth:`look` once ``key`` (of the line cut at ``ident``) gave ``form`` (``key``
        itself when it is not known): the validate loop cuts and looks up a line itself."""
        value = None
        if type(form) is not tuple:
            # A sub-resource's line never has a form (only a call's own notification has):
            # none to learn. A call's own line with an opaque value has its form among the
            # holed ones, if anywhere; a line known to have no form had no such value either.
            if form is None or ident.find(b"/") >= 0:  # find: ``in`` raises a TypeError first
                return None
            holed = _opaque(after)
            if holed is None:
                return form
            lead, value, trail = holed
            if not _plain(value):
                return None
            key = before + AROUND + lead + trail
            form = self.holed.get(key, key)
            if type(form) is not tuple:
                return form
        ids = form[3]
        call_id = ids.get(ident)
        if call_id is None:
            call_id = _call_id(form[0], ident)
            if call_id is None:
                return None
            if len(ids) >= SEEN_MAX:
                ids.clear()
            ids[ident] = call_id
        if value is None:
            return (form, call_id, (form[10], ident))
        crc, pieces, size, first = form[10]
        return (form, call_id, ((crc, pieces, size), (value, ident) if first else (ident, value)))

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
        if len(self.known) + len(self.holed) >= FORMS_LIMIT:
            self.known.clear()
            self.holed.clear()
            self._heads.clear()
        cut = _cut(line)
        holed = None if cut is None else _opaque(cut[2])
        form = None if cut is None else _form(cut, holed, body, notice)
        heads = self._heads
        if form is not None and (form[0] in heads or len(heads) < HEADS_LIMIT):
            # its head's ids, shared by the forms of one head
            form = (form[0], *form[1:3], heads.setdefault(form[0], {}), *form[4:])
        else:
            form = None
        (self.known if holed is None else self.holed)[key] = form


def _cut(line: bytes) -> _Cut | None:
    """``line`` cut at its call id: the first ``/communications/calls/`` on, to the quote
    that ends it; ``None`` if it has none, or is too long to have a form."""
    if len(line) > FORM_BYTES:
        return None
    # partition, not find: its one argument is passed fast, and it finds and cuts at once
    before, _, rest = line.partition(CALLS)
    ident, quote, after = rest.partition(b'"')  # no CALLS: rest, and so quote, is empty
    return (before, ident, after) if quote else None


def _opaque(after: bytes) -> tuple[bytes, bytes, bytes] | None:
    """What follows a line's id cut at its opaque value, the first of the first marker
    found: ``(up to the value, the value, from the quote that ends it)``; ``None`` if none."""
    for marker in _MARKERS:
        lead, found, rest = after.partition(marker)
        if found:
            value, quote, trail = rest.partition(b'"')
            if quote:
                return lead + found, value, quote + trail
    return None


def _plain(value: bytes) -> bool:
    """Whether ``value`` is plain: printable ASCII, no quote and no escape, so that it
    stands for itself in JSON (and not empty)."""
    return value.translate(_MASK).isalpha()


def _call_id(head: str, ident: bytes) -> str | None:
    """The call ``head + ident`` names, by the one grammar, if ``ident`` is plain."""
    if not _plain(ident):
        return None
    url = head + ident.decode()
    call_id = plain_call_id(url)  # Graph's own spelling: one match, no object
    if call_id is not None:
        return call_id
    try:
        ref = parse_resource_url(url)
    except ParseError:
        return None
    return ref.call_id if ref.kind == "call" else None


def _form(
    cut: _Cut, holed: tuple[bytes, bytes, bytes] | None, body: dict[str, Any], notice: Notice
) -> Form | None:
    """The form of the line ``cut`` at its id and ``holed`` at its opaque value (if any),
    proven by a probe; ``None`` if it has none."""
    if notice[3] is not None or notice[11] & LEGACY:
        return None  # only a call's own notification
    n = body["value"][0]
    before, ident, after = cut
    url = n.get("resourceUrl")
    text = ident.decode("ascii", "replace")
    if "resource" in n or type(url) is not str or not url.endswith(text):
        return None
    head = url[: len(url) - len(text)]
    holes = [(_SENTINEL, ident)]
    if holed is None:
        probe = before + CALLS + _SENTINEL + b'"' + after
    else:
        lead, value, trail = holed
        if not _plain(value):
            return None
        holes.append((_VALUE_SENTINEL, value))
        probe = before + CALLS + _SENTINEL + b'"' + lead + _VALUE_SENTINEL + trail
    try:
        probed = orjson.loads(probe)["value"][0]
        canonical = orjson.dumps(probed, option=orjson.OPT_SORT_KEYS)
    except (orjson.JSONDecodeError, orjson.JSONEncodeError):
        return None
    if probed.get("resourceUrl") != head + _SENTINEL.decode():
        return None  # the id's bytes are not the URL's (a duplicate key, another field...)
    parts = _parts(canonical, holes)
    return None if parts is None else (head, *notice[1:10], parts, *notice[11:])


def _parts(canonical: bytes, holes: list[tuple[bytes, bytes]]) -> Any:
    """The probed notification's canonical JSON cut at each hole's sentinel (see
    :data:`Form`); ``None`` unless each is there once. Then the holes put back give the
    notification's own canonical JSON: each is plain, so it stands in it as in the line."""
    if any(canonical.count(sentinel) != 1 for sentinel, _ in holes):
        return None
    placed = sorted(holes, key=lambda hole: canonical.find(hole[0]))
    start, pieces = 0, []
    for sentinel, _ in placed:
        at = canonical.find(sentinel)
        pieces.append(canonical[start:at])
        start = at + len(sentinel)
    pieces.append(canonical[start:])
    size = sum(map(len, pieces))
    if len(holes) == 1:
        return (zlib.crc32(pieces[0]), pieces[1], size)
    return (zlib.crc32(pieces[0]), tuple(pieces[1:]), size, placed[0][0] == _VALUE_SENTINEL)


def formed_notice(looked: Looked) -> Notice:
    """The notice of a line :meth:`Forms.look` read by its form: the full reader's."""
    form, call_id, source = looked
    return (call_id, form[1], form[2], None, *form[4:10], source, *form[11:])
