"""``--follow-redirects``: Graph's region-affinity 302, followed only when asked.

The Teams docs let a bot answer a notification with ``302 Found`` and a ``Location``
in the deployment that should handle the call; Graph then sends it there.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from callstate.replay import replay
from tests.replay.conftest import Bot, RunCli


class TestNotFollowed:
    def test_302_is_reported_with_its_location(
        self, bot: Bot, other_bot: Bot, envelopes: list[bytes]
    ) -> None:
        """By default a 302 is the answer: not 2xx, its Location kept, the other bot untouched."""
        bot.redirects["/api/calls"] = (302, other_bot.url)
        report = replay(io.BytesIO(envelopes[0]), bot.url)
        delivery = report.deliveries[0]
        expected: object = (302, other_bot.url, (), False, [])
        assert expected == (
            delivery.status,
            delivery.location,
            delivery.redirects,
            report.ok,
            other_bot.received,
        )
        wanted = f"Found (redirect to {other_bot.url} not followed: use --follow-redirects)"
        assert wanted == delivery.reason

    def test_cli_exits_1_and_says_how_to_follow(
        self, bot: Bot, other_bot: Bot, envelopes: list[bytes], tmp_path: Path, run_cli: RunCli
    ) -> None:
        """Without the flag the command exits 1 and the line names the flag."""
        bot.redirects["/api/calls"] = (302, other_bot.url)
        trace = tmp_path / "t.jsonl"
        trace.write_bytes(envelopes[0] + b"\n")
        code, out, _err = run_cli([str(trace), "--to", bot.url])
        expected: object = (1, True)
        assert expected == (code, "use --follow-redirects" in out.splitlines()[0])


class TestFollowed:
    def test_302_to_another_deployment_delivers_there(
        self, bot: Bot, other_bot: Bot, envelopes: list[bytes]
    ) -> None:
        """With the flag each envelope is POSTed again, byte for byte, to the Location."""
        bot.redirects["/api/calls"] = (302, other_bot.url)
        report = replay(io.BytesIO(b"\n".join(envelopes[:3])), bot.url, follow_redirects=True)
        expected: object = (
            [(202, (other_bot.url,))] * 3,
            envelopes[:3],
            envelopes[:3],
            True,
        )
        assert expected == (
            [(d.status, d.redirects) for d in report.deliveries],
            [r.body for r in bot.received],
            [r.body for r in other_bot.received],
            report.ok,
        )
        assert {("POST", "application/json")} == {
            (r.method, r.headers["content-type"]) for r in other_bot.received
        }

    def test_credentials_stay_with_the_first_origin(
        self, bot: Bot, other_bot: Bot, envelopes: list[bytes]
    ) -> None:
        """Authorization goes to the webhook, not to another origin; other headers go on."""
        bot.redirects["/api/calls"] = (307, other_bot.url)
        headers = {"Authorization": "Bearer secret", "X-Run": "7"}
        replay(io.BytesIO(envelopes[0]), bot.url, headers=headers, follow_redirects=True)
        expected: object = (
            ("Bearer secret", "7"),
            (None, "7"),
        )
        first, other = bot.received[0].headers, other_bot.received[0].headers
        assert expected == (
            (first.get("authorization"), first.get("x-run")),
            (other.get("authorization"), other.get("x-run")),
        )

    def test_relative_location_on_the_same_origin_keeps_credentials(
        self, bot: Bot, envelopes: list[bytes]
    ) -> None:
        """A relative Location resolves against the webhook; the same origin keeps every header."""
        bot.redirects["/api/calls"] = (308, "/region2/calls")
        replay(
            io.BytesIO(envelopes[0]),
            bot.url,
            headers={"Authorization": "Bearer secret"},
            follow_redirects=True,
        )
        expected: object = [("/api/calls", "Bearer secret"), ("/region2/calls", "Bearer secret")]
        assert expected == [(r.path, r.headers.get("authorization")) for r in bot.received]

    def test_redirect_loop_stops_after_five(self, bot: Bot, envelopes: list[bytes]) -> None:
        """A Location that points back at itself is followed 5 times, then reported."""
        bot.redirects["/api/calls"] = (302, "/api/calls")
        report = replay(io.BytesIO(envelopes[0]), bot.url, follow_redirects=True)
        delivery = report.deliveries[0]
        expected: object = (302, 5, 6, False)
        assert expected == (delivery.status, len(delivery.redirects), len(bot.received), report.ok)
        assert delivery.reason.endswith("not followed: more than 5 redirects)")

    @pytest.mark.parametrize(
        ("status", "location", "why"),
        [
            (302, "ftp://127.0.0.1/x", "not followed: expected an http:// or https:// URL"),
            (302, "http://[::1/x", "not followed: Invalid IPv6 URL"),
            (302, "http://127.0.0.1:99999/x", "not followed: Port out of range"),
            (303, "/elsewhere", None),
        ],
        ids=["ftp", "broken-ipv6", "bad-port", "see-other"],
    )
    def test_unusable_redirects_are_reported(
        self, bot: Bot, envelopes: list[bytes], status: int, location: str, why: str | None
    ) -> None:
        """A Location that is no http(s) URL, or a 303, is reported as the answer."""
        bot.redirects["/api/calls"] = (status, location)
        report = replay(io.BytesIO(envelopes[0]), bot.url, follow_redirects=True)
        delivery = report.deliveries[0]
        expected: object = (status, 1, False, True)
        assert expected == (
            delivery.status,
            len(bot.received),
            report.ok,
            why is None or why in delivery.reason,
        )

    def test_cli_flag_follows(
        self, bot: Bot, other_bot: Bot, envelopes: list[bytes], tmp_path: Path, run_cli: RunCli
    ) -> None:
        """``--follow-redirects`` on the command line: exit 0, the line says where it went."""
        bot.redirects["/api/calls"] = (302, other_bot.url)
        trace = tmp_path / "t.jsonl"
        trace.write_bytes(envelopes[0] + b"\n")
        code, out, _err = run_cli([str(trace), "--to", bot.url, "--follow-redirects"])
        expected: object = (0, f"Accepted (after 1 redirect, to {other_bot.url})")
        assert expected == (code, out.splitlines()[0].split(None, 3)[3])
