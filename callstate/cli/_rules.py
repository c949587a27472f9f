"""``callstate rules``: every rule id the validator can report, from the catalogue."""

from __future__ import annotations

import argparse
import sys
from typing import Any

import orjson

from callstate.rules import catalogue

__all__ = ["register"]


def register(sub: Any) -> None:
    """Add the ``rules`` command."""
    p = sub.add_parser(
        "rules",
        help="list every rule id the validator can report",
        description="List every rule id callstate can report, with its severity, what it "
        "judges and a one-line explanation. Exit 0.",
    )
    p.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Print the catalogue as a table or as a JSON array."""
    rules = catalogue()
    if args.format == "json":
        sys.stdout.buffer.write(orjson.dumps(rules.to_json(), option=orjson.OPT_INDENT_2) + b"\n")
        return 0
    if args.format == "markdown":
        print(rules.markdown())
        return 0
    width = max(len(r.id) for r in rules)
    for rule in rules:
        print(f"{rule.id:<{width}}  {rule.severity:<9}  {rule.subject:<12}  {rule.summary}")
    return 0
