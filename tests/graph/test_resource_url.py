"""parse_resource_url: every accepted form, and a located error for anything else."""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Callable

import pytest
from hypothesis import example, given, strategies as st

from callstate.errors import ParseError
from callstate.graph import ResourceRef, _calls_url as wire, parse_resource_url
from tests.conftest import CountWork


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/communications/calls/c1", ResourceRef("c1", "call")),
        ("/communications/calls/c1/operations/op9", ResourceRef("c1", "operation", "op9")),
        ("/communications/calls/c1/participants", ResourceRef("c1", "participants")),
        ("/communications/calls/c1/participants/p2", ResourceRef("c1", "participants", "p2")),
        ("/app/calls/c1", ResourceRef("c1", "call", legacy=True)),
        ("/app/calls/c1/operations/op9", ResourceRef("c1", "operation", "op9", legacy=True)),
        ("/app/calls/c1/participants", ResourceRef("c1", "participants", legacy=True)),
        ("https://graph.microsoft.com/v1.0/communications/calls/c1", ResourceRef("c1", "call")),
        (
            "https://graph.microsoft.com/beta/communications/calls/c1/participants/p2",
            ResourceRef("c1", "participants", "p2"),
        ),
        ("https://graph.microsoft.com/beta/app/calls/c1", ResourceRef("c1", "call", legacy=True)),
    ],
)
def test_accepted_forms(url: str, expected: ResourceRef) -> None:
    """Each documented form names its call, kind and sub-resource."""
    assert expected == parse_resource_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "",
        "/communications/calls/",
        "/communications/calls//operations/x",
        "/communications/calls/c1/",
        "/communications/calls/c1/operations",
        "/communications/calls/c1/operations/",
        "/communications/calls/c1/operations/o/x",
        "/communications/calls/c1/participants/p/x",
        "/communications/calls/c1/audioRoutingGroups/g",
        "/communications/onlineMeetings/m1",
        "/calls/c1",
        "https://graph.microsoft.com/v2.0/communications/calls/c1",
        "https://graph.microsoft.com",
        "https://example.com/v1.0/communications/calls/c1",
        "communications/calls/c1",
    ],
)
def test_rejected_forms(url: str) -> None:
    """Anything else is a ParseError at /resourceUrl that quotes the URL."""
    with pytest.raises(ParseError) as caught:
        parse_resource_url(url)
    expected = "/resourceUrl"
    assert expected == caught.value.pointer
    assert repr(url) in caught.value.message


def test_pointer_of_legacy_key() -> None:
    """The caller names the key the URL came from."""
    with pytest.raises(ParseError) as caught:
        parse_resource_url("/nope", pointer="/value/2/resource")
    expected = "/value/2/resource"
    assert expected == caught.value.pointer


def test_not_a_string() -> None:
    """A non-string is a ParseError too, not a TypeError."""
    with pytest.raises(ParseError, match="expected a string, got null"):
        parse_resource_url(None)


def test_cost_is_fixed_for_the_hot_path(count_work: CountWork) -> None:
    """A URL never seen before costs the same work whatever its id length or the URLs before.

    The validator reads one URL per notification: no work per character, none per URL seen.
    Counted, not timed (load makes timings flaky); 119 to 155 steps when this was written.
    """
    fresh = itertools.count()

    def cost(id_length: int, sub: str = "") -> int:
        costs = []
        for _ in range(3):  # the median: a first traced run or a cache clearing is one outlier
            url = f"/communications/calls/{next(fresh):0{id_length}d}{sub}"
            costs.append(count_work(lambda url=url: parse_resource_url(url)))
        return statistics.median_low(costs)

    shapes = ("", "/operations/op1", "/participants")
    first = [cost(8, shape) for shape in shapes]
    for i in range(2000):
        parse_resource_url(f"/communications/calls/seen-{i}")
    assert first == [cost(200, shape) for shape in shapes]
    assert max(first) <= 1000


class TestCache:
    """A call's notifications repeat its URL: a URL read before is not parsed again."""

    @pytest.fixture
    def parsed(self, monkeypatch: pytest.MonkeyPatch) -> list[object]:
        """Every URL the parser is asked to read (each cache miss), in order; cache empty."""
        monkeypatch.setattr(wire, "SEEN", {})
        seen: list[object] = []
        real = wire._read

        def counting(url: object, pointer: str) -> tuple[str | None, tuple[str, ...], bool]:
            seen.append(url)
            return real(url, pointer)

        monkeypatch.setattr(wire, "_read", counting)
        return seen

    def test_a_repeated_url_is_parsed_once(self, parsed: list[object]) -> None:
        """Five reads of one URL parse it once, and each gives the very same ResourceRef."""
        url = "/communications/calls/cache-hit-4224-8b19/operations/op1"
        refs = [parse_resource_url(url) for _ in range(5)]
        expected = ([url], ResourceRef("cache-hit-4224-8b19", "operation", "op1"), 1)
        assert expected == (parsed, refs[0], len({id(r) for r in refs}))

    def test_a_long_url_is_not_kept(self, parsed: list[object]) -> None:
        """A URL over the cache's length bound is parsed on every read, so no entry is huge."""
        call_id = "c" * wire.MAX_ID
        url = f"/communications/calls/{call_id}/operations/{'o' * wire.MAX_ID}"
        refs = [parse_resource_url(url) for _ in range(2)]
        expected = (True, [url, url], ResourceRef(call_id, "operation", "o" * wire.MAX_ID))
        assert expected == (len(url) > wire.SEEN_URL, parsed, refs[1])

    def test_the_cache_stays_bounded(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """However many distinct URLs are read, the cache holds at most its bound."""
        monkeypatch.setattr(wire, "SEEN", {})
        for i in range(wire.SEEN_MAX + 10):
            parse_resource_url(f"/communications/calls/bounded-{i:06d}")
        assert wire.SEEN_MAX >= len(wire.SEEN)


_SEGMENTS = st.text(alphabet="aZ09-._~%:@", min_size=1, max_size=8) | st.sampled_from(
    ["", "x" * 256, "x" * 257, "Calls", "participants", "operations", "?q", "#f", "a b", "\x00"]
)


_CALL = "/communications/calls/c1"


@st.composite
def _urls(draw: st.DrawFn) -> str:
    """Calls URLs near the exact spelling: other hosts, cases, versions and segments."""
    prefix = draw(
        st.sampled_from(
            [
                "",
                "/v1.0",
                "/beta",
                "/V1.0",
                "https://graph.microsoft.com/v1.0",
                "https://graph.microsoft.com/beta",
                "https://graph.microsoft.com",
                "https://GRAPH.microsoft.com/v1.0",
                "http://graph.microsoft.com/v1.0",
                "https://graph.microsoft.us/v1.0",
            ]
        )
    )
    head = draw(st.sampled_from(["/communications/calls", "/Communications/calls", "/app/calls"]))
    rest = draw(st.lists(_SEGMENTS, max_size=4))
    return prefix + head + "".join("/" + s for s in rest) + draw(st.sampled_from(["", "/", "?a"]))


def _read(read: Callable[[str, str], object], url: str) -> object:
    try:
        return read(url, "/u")
    except ParseError as exc:
        return (type(exc), exc.pointer, exc.message)


@given(url=_urls())
@example(url="/communications/calls/c1?a")
@example(url="/v1.0/communications/calls/c1/operations/o1#f")
@example(url="/communications/calls/" + "c" * 257)
@example(url="/communications/calls/c1/")
@example(url=f"{_CALL}/participants/" + "p" * 256)
@example(url=f"{_CALL}/participants/" + "p" * 257)
def test_exact_spelling_reads_as_the_general_grammar(url: str) -> None:
    """The fast read of Graph's own spelling gives what the general grammar gives."""
    assert _read(wire._walk, url) == _read(wire._read, url)


@given(url=_urls() | st.sampled_from(wire.REQUEST_ACTIONS).map(lambda a: f"/beta{_CALL}/{a}"))
@example(url=f"{_CALL}/participants")
@example(url=f"{_CALL}/Transfer")
def test_a_plain_request_path_reads_as_the_general_grammar(url: str) -> None:
    """What the fast read of a request path takes, the general grammar reads alike."""
    plain = wire.plain_request_path(url)
    if plain is not None:
        call_id, action = plain
        expected = (call_id, () if action is None else (action,), False, True)
        named = action is None or action in wire.REQUEST_ACTIONS
        assert expected == (*wire._walk(url, "/url"), named)


class TestPlainCallId:
    """plain_call_id: one match for a call's own URL in Graph's spelling, the grammar's id."""

    @pytest.mark.parametrize(
        "prefix",
        [
            "https://graph.microsoft.com/v1.0/communications/calls/",
            "https://graph.microsoft.com/beta/communications/calls/",
            "/communications/calls/",
            "/v1.0/communications/calls/",
            "/beta/communications/calls/",
        ],
    )
    def test_takes_graphs_spelling(self, prefix: str) -> None:
        """Every prefix Graph writes, before a call id, is read in one match."""
        assert "c1" == wire.plain_call_id(f"{prefix}c1")

    @given(
        prefix=st.sampled_from(
            [
                "https://graph.microsoft.com/v1.0/communications/calls/",
                "/communications/calls/",
                "/beta/communications/calls/",
                "https://GRAPH.microsoft.com/v1.0/communications/calls/",
                "https://graph.microsoft.us/v1.0/communications/calls/",
                "/V1.0/communications/calls/",
                "/app/calls/",
                "http://graph.microsoft.com/v1.0/communications/calls/",
                "/communications/calls",
            ]
        ),
        call_id=st.text(alphabet="ab/?#% \n\x85", max_size=12)
        | st.integers(wire.MAX_ID - 1, wire.MAX_ID + 1).map(lambda n: "c" * n),
        suffix=st.sampled_from(["", "/", "/operations/o1", "/participants"]),
    )
    def test_agrees_with_the_grammar(self, prefix: str, call_id: str, suffix: str) -> None:
        """What it reads is the call the general grammar reads (so the forms may trust it)."""
        url = f"{prefix}{call_id}{suffix}"
        plain = wire.plain_call_id(url)
        if plain is not None:
            ref = wire._resource(wire._walk(url, "/resourceUrl"), url, "/resourceUrl")
            assert (ref.call_id, "call") == (plain, ref.kind)
