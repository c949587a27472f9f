"""Lines of a form already read: read without decoding, and read exactly as in full.

The oracle is ``Tracker.ingest`` of the decoded dicts, which never looks at bytes: for
any call id put into a learnt form (plain or not), and for lines built to fool a
byte-level reader, the CLI loop and ``ingest(bytes)`` must agree with it.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import orjson
import pytest
from hypothesis import example, given, settings, strategies as st

from callstate.machine import CALL_MACHINE, compiled
from callstate.simulate import event_notification
from callstate.verdict import Finding, Tracker
from callstate.verdict._forms import FORMS_LIMIT, HEADS_LIMIT, Forms, formed_notice
from callstate.verdict._notice import OPAQUE, Reader, fingerprint
from tests.verdict.test_one_path import differences

#: The reference's "transferring" notification, as Graph sends it, with its id as ``%s``.
TRANSFERRING = (
    b'{"value":[{"@odata.type":"#microsoft.graph.commsNotification","changeType":"updated",'
    b'"resourceUrl":"/communications/calls/%s","resourceData":'
    b'{"@odata.type":"#microsoft.graph.call","state":"transferring"}}]}'
)


#: A new call's notification with its ``callChainId``: the id, then the chain, as ``%s``.
CREATED = (
    b'{"value":[{"@odata.type":"#microsoft.graph.commsNotification","changeType":"created",'
    b'"resourceUrl":"/communications/calls/%s","resourceData":{"@odata.type":'
    b'"#microsoft.graph.call","state":"incoming","direction":"incoming","callChainId":"%s"}}]}'
)
#: A failed consultative transfer's notification, its ``replacesContext`` the second ``%s``.
FAILED = (
    b'{"value":[{"@odata.type":"#microsoft.graph.commsNotification","changeType":"updated",'
    b'"resourceUrl":"/communications/calls/%s","resourceData":{"@odata.type":'
    b'"#microsoft.graph.call","state":"established","resultInfo":{"@odata.type":'
    b'"#microsoft.graph.resultInfo","code":500,"subcode":7700,"message":"failed"},'
    b'"replacesContext":"%s"}}]}'
)


#: What a hole of a form (an id, an opaque value) is drawn as: any bytes but a line break.
_HOLE = (st.binary(max_size=40) | st.text(max_size=40).map(str.encode)).filter(
    lambda b: b"\n" not in b  # a line of a trace holds no line break
)
#: Holes a byte-level reader could misread: escapes, a quote, non-ASCII, a control byte.
_ODD_HOLES = (b"a\\u0062c", b"a\\", b'a\\"b', b"caf\xc3\xa9", b"\xff", b"a\x01", b"", b"x" * 300)


def _odd(name: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Each of :data:`_ODD_HOLES` as an explicit example of the argument ``name``."""

    def examples(test: Callable[..., None]) -> Callable[..., None]:
        for hole in _ODD_HOLES:
            test = example(**{name: hole})(test)
        return test

    return examples


def _line(event: str, call_id: str, kind: str | None = None) -> bytes:
    return orjson.dumps(event_notification(call_id, event, kind))


def _opening(call_id: str) -> list[bytes]:
    """A call up to established, the lines most traces repeat for every call."""
    return [_line(e, call_id) for e in ("offer", "establish", "connect")]


def _learnt(forms: Forms, line: bytes, second: bytes | None = None) -> None:
    """Offer ``line`` to ``forms``, then ``second`` (or ``line`` again), as the tracker does
    on two sightings of one form."""
    reader = Reader(compiled(CALL_MACHINE))
    for sighting in (line, line if second is None else second):
        body = orjson.loads(sighting)
        key = forms.look(sighting)
        assert type(key) is bytes
        forms.offer(key, sighting, body, reader.read(body["value"][0]))


def _counting_loads(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """The lines the validate loop decodes, from now on."""
    import callstate.verdict._stream as stream_module

    decoded: list[bytes] = []

    def loads(data: bytes) -> Any:
        decoded.append(data)
        return orjson.loads(data)

    counting = SimpleNamespace(loads=loads, JSONDecodeError=orjson.JSONDecodeError)
    monkeypatch.setattr(stream_module, "orjson", counting)
    return decoded


class TestReadAlike:
    """A line read by its form gives the notice the full reader gives."""

    @pytest.mark.parametrize(
        "event", ["establish", "connect", "hold", "transfer", "accept_transfer", "terminate"]
    )
    def test_notice_and_fingerprint(self, event: str) -> None:
        """Every slot of the notice is the full reader's, and so is the fingerprint."""
        forms = Forms()
        _learnt(forms, _line(event, "a1"))
        line = _line(event, "b2-second")
        full = Reader(compiled(CALL_MACHINE)).read(orjson.loads(line)["value"][0])
        looked = forms.look(line)
        assert type(looked) is tuple
        notice = formed_notice(looked)
        assert full[:10] + full[11:] == notice[:10] + notice[11:]
        assert fingerprint(full[10]) == fingerprint(notice[10])

    def test_reference_form(self) -> None:
        """The reference page's own notification is a form, learnt on its second sighting."""
        forms = Forms()
        first = TRANSFERRING % b"341a0500-d4bf-4224-8b19-1581168d328b"
        key = forms.look(first)
        assert type(key) is bytes
        _learnt(forms, first)
        looked = forms.look(TRANSFERRING % b"0000")
        assert type(looked) is tuple
        assert ("0000", "transferring") == formed_notice(looked)[::5][:2]

    def test_the_validate_loop_decodes_a_known_form_no_more(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Two calls' opening lines are decoded (the second sighting learns each form); the
        next calls' are not."""
        decoded = _counting_loads(monkeypatch)
        lines = [line for c in ("c1", "c2", "c3", "c4") for line in _opening(c)]
        Tracker().read_stream(io.BytesIO(b"\n".join(lines) + b"\n"), [])
        assert 6 == len(decoded)


class TestIdsAlike:
    """Any id put into a learnt form is read as the full reader reads it."""

    @settings(max_examples=200, deadline=None)
    @given(ident=_HOLE)
    @_odd("ident")
    @example(ident=b"a/operations/b")
    @example(ident=b"a?x=1")
    @example(ident=b"callstate-form-probe")
    def test_any_id(self, ident: bytes) -> None:
        """The CLI loop and ``ingest(bytes)`` agree with the decoded dicts, whatever the id."""
        lines = [TRANSFERRING % b"first", TRANSFERRING % b"second", TRANSFERRING % ident]
        lines = [*_opening("first"), *_opening("second"), *lines]
        assert [] == differences(CALL_MACHINE, lines)


class TestNotFooled:
    """Lines built so that the id's bytes are not the resourceUrl's id are read in full."""

    @pytest.mark.parametrize(
        ("template", "why"),
        [
            (
                b'{"value":[{"changeType":"updated","resourceUrl":"/communications/calls/%s",'
                b'"resourceUrl":"/communications/calls/kept","resourceData":{"state":"hold"}}]}',
                "a duplicate key: the last one counts",
            ),
            (
                b'{"value":[{"changeType":"updated","note":"/communications/calls/%s",'
                b'"resourceUrl":"/communications/calls/kept","resourceData":{"state":"hold"}}]}',
                "the id's bytes in another field",
            ),
            (
                b'{"value":[{"changeType":"updated","resourceUrl":"\\/communications/calls/%s",'
                b'"resourceData":{"state":"hold"}}]}',
                "an escaped slash before the path",
            ),
            (
                b'{"value":[{"changeType":"updated","resourceUrl":"/communications/calls/%s",'
                b'"resource":"/communications/calls/other","resourceData":{"state":"hold"}}]}',
                "a legacy resource that names another call",
            ),
            (
                b'{"at":"2026-01-01T00:00:00Z","body":{"value":[{"changeType":"updated",'
                b'"resourceUrl":"/communications/calls/%s","resourceData":{"state":"hold"}}]}}',
                "a timed line: its time is not the form's",
            ),
            (
                b'{"at":"2026-01-01T00:00:00Z","value":[{"changeType":"updated",'
                b'"resourceUrl":"/communications/calls/%s","resourceData":{"state":"hold"}}]}',
                "a timed line without a body",
            ),
        ],
    )
    def test_read_in_full(self, template: bytes, why: str) -> None:
        """Each of these is judged as the decoded dicts are judged."""
        lines = [*_opening("c1"), *_opening("c2"), *_opening("kept")]
        # "kept" twice first: its id is also the resourceUrl's, so the second sighting
        # learns a form unless the probe shows the id's bytes to be elsewhere.
        lines += [template % b"kept", template % b"kept", template % b"c1", template % b"c2"]
        assert [] == differences(CALL_MACHINE, lines), why


class TestOpaque:
    """A line with an opaque value has a form whatever the value, read as in full."""

    @settings(max_examples=100, deadline=None)
    @given(
        event=st.sampled_from(compiled(CALL_MACHINE).signals),
        values=st.fixed_dictionaries({name: st.text(max_size=20) for name in OPAQUE}),
    )
    def test_the_reader_never_reads_them(
        self, event: tuple[str, str | None], values: dict[str, str]
    ) -> None:
        """Any values of the opaque fields leave the notice as it was, its fingerprint
        aside: what lets a form leave them out."""
        reader = Reader(compiled(CALL_MACHINE))
        note = event_notification("c1", *event)["value"][0]
        with_values = {**note, "resourceData": {**note["resourceData"], **values}}
        assert reader.read(note)[:10] + reader.read(note)[11:] == (
            reader.read(with_values)[:10] + reader.read(with_values)[11:]
        )

    @pytest.mark.parametrize("template", [CREATED, FAILED], ids=["callChainId", "replacesContext"])
    def test_notice_and_fingerprint(self, template: bytes) -> None:
        """Every slot of the notice is the full reader's, and so is the fingerprint."""
        forms = Forms()
        _learnt(forms, template % (b"a1", b"v1"), template % (b"b1", b"v2"))
        line = template % (b"c3", b"6f9b0e2a-0d1c-4c7e-9d55-07f1c2a4b3e1")
        full = Reader(compiled(CALL_MACHINE)).read(orjson.loads(line)["value"][0])
        looked = forms.look(line)
        assert type(looked) is tuple
        notice = formed_notice(looked)
        assert full[:10] + full[11:] == notice[:10] + notice[11:]
        assert fingerprint(full[10]) == fingerprint(notice[10])

    @settings(max_examples=200, deadline=None)
    @given(value=_HOLE)
    @_odd("value")
    @example(value=b"callstate-value-probe")
    def test_any_value(self, value: bytes) -> None:
        """The CLI loop and ``ingest(bytes)`` agree with the decoded dicts, whatever the
        value, a retry of the line (the same value) and another value after it too."""
        lines = [CREATED % (b"n1", b"v1"), CREATED % (b"n2", b"v2"), CREATED % (b"n3", value)]
        lines += [CREATED % (b"n3", value), CREATED % (b"n3", b"other")]
        lines += [FAILED % (b"n1", b"r1"), FAILED % (b"n2", b"r2"), FAILED % (b"n3", value)]
        lines += [FAILED % (b"n3", value), FAILED % (b"n3", b"other")]
        assert [] == differences(CALL_MACHINE, lines)

    def test_the_validate_loop_decodes_a_new_call_no_more(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Two new calls' first lines are decoded; the next calls' are not, though each
        carries its own callChainId."""
        decoded = _counting_loads(monkeypatch)
        lines = [CREATED % (b"c%d" % i, b"chain-%d" % i) for i in range(5)]
        Tracker().read_stream(io.BytesIO(b"\n".join(lines) + b"\n"), [])
        assert 2 == len(decoded)

    @pytest.mark.parametrize(
        ("template", "why", "formed"),
        [
            (
                b'{"value":[{"changeType":"created","resourceUrl":"/communications/calls/%s",'
                b'"resourceData":{"state":"incoming","callChainId":"%s","callChainId":"x"}}]}',
                "a duplicate key: the last one counts",
                False,
            ),
            (
                b'{"value":[{"changeType":"created","resourceUrl":"/communications/calls/%s",'
                b'"resourceData":{"state":"incoming","note":"\\"callChainId\\":\\"",'
                b'"callChainId":"%s"}}]}',
                "an escaped look-alike before the field",
                True,
            ),
            (
                b'{"value":[{"changeType":"created","resourceData":{"state":"incoming",'
                b'"callChainId":"%s"},"resourceUrl":"/communications/calls/%s"}]}',
                "the value before the id: the form's own, as a line repeated",
                True,
            ),
            (
                b'{"value":[{"changeType":"created","resourceUrl":"/communications/calls/%s",'
                b'"resourceData":{"state":"incoming","callChainId":"%s","replacesContext":"k"}}]}',
                "both fields: the first is a hole, the other is the form's",
                True,
            ),
            (
                b'{"value":[{"changeType":"created","resourceUrl":"/communications/calls/%s",'
                b'"resourceData":{"state":"incoming","callChainId":"%s"}},'
                b'{"changeType":"created","resourceUrl":"/communications/calls/z",'
                b'"resourceData":{"state":"incoming"}}]}',
                "two notifications: not a form",
                False,
            ),
        ],
    )
    def test_read_in_full(self, template: bytes, why: str, formed: bool) -> None:
        """Each of these is judged as the decoded dicts are judged, and any form it has
        reads it as the full reader does, fingerprint and all."""
        lines = [template % (b"c%d" % i, b"v%d" % i) for i in range(4)]
        lines += [template % (b"c4", b"v1"), template % (b"c4", b"v1")]
        assert [] == differences(CALL_MACHINE, lines), why
        tracker = Tracker()
        tracker.read_stream(io.BytesIO(b"\n".join(lines) + b"\n"), [])
        reader = Reader(compiled(CALL_MACHINE))
        read = [tracker._forms.look(line + b"\n") for line in lines]  # as the loop read them
        assert formed == any(type(looked) is tuple for looked in read), why
        for line, looked in zip(lines, read, strict=True):
            if type(looked) is tuple:
                full = reader.read(orjson.loads(line)["value"][0])
                notice = formed_notice(looked)
                assert (full[:10], fingerprint(full[10])) == (
                    notice[:10],
                    fingerprint(notice[10]),
                ), why


class TestBounded:
    """Forms, keys seen once and ids stay bounded whatever arrives."""

    def test_many_forms(self) -> None:
        """Past the limit the tables start again instead of growing: more forms are learnt
        (each on its second sighting, the next line) than the table holds."""
        tracker = Tracker()
        found: list[Finding] = []
        lines = []
        for i in range(FORMS_LIMIT + 100):
            for call in (f"a{i}", f"b{i}"):
                body = event_notification(call, "offer")
                body["value"][0]["resourceData"]["note"] = str(i)
                lines.append(orjson.dumps(body) + b"\n")
        tracker.read_stream(io.BytesIO(b"".join(lines)), found)
        forms = tracker._forms
        assert [] == found
        assert 100 == len(forms.known) + len(forms.holed)
        assert all(len(table) <= FORMS_LIMIT for table in (forms._once, *forms._heads.values()))

    def test_many_heads(self) -> None:
        """Forms are learnt for a few URL heads only, so ids stay bounded too."""
        tracker = Tracker()
        found: list[Finding] = []
        lines = []
        for n in range(HEADS_LIMIT * 2):
            host = "".join(c.upper() if n >> i & 1 else c for i, c in enumerate("graph"))
            for call in ("a", "b", "c"):
                body = event_notification(f"{call}{n}", "offer")
                url = f"https://{host}.microsoft.com/v1.0/communications/calls/{call}{n}"
                body["value"][0]["resourceUrl"] = url
                lines.append(orjson.dumps(body))
        tracker.read_stream(io.BytesIO(b"\n".join(lines)), found)
        assert [] == found
        assert HEADS_LIMIT == len(tracker._forms._heads)
