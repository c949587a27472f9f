"""parse_resource_url: every accepted form, and a located error for anything else."""

from __future__ import annotations

import time

import pytest

from callstate.errors import ParseError
from callstate.graph import ResourceRef, parse_resource_url


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


def test_fast_enough_for_the_hot_path() -> None:
    """Under the 300k notifications/s budget (3.3 us per URL), even for URLs never seen before."""
    best = float("inf")
    for attempt in range(5):
        urls = [f"/communications/calls/{attempt}-{i:06d}-4224-8b19" for i in range(1000)]
        urls += [f"{u}/operations/op{i}" for i, u in enumerate(urls[:500])]
        start = time.perf_counter()
        for url in urls:
            parse_resource_url(url)
        best = min(best, (time.perf_counter() - start) / len(urls))
    assert best < 3.3e-6
