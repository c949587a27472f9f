"""``validate_transfer_request``: body, caller and path checked together into one verdict."""

from __future__ import annotations

from collections.abc import Mapping

import orjson

from callstate.errors import UsageError
from callstate.graph._foreign import foreign_json
from callstate.transfer._body import CALLERS, Caller, check_body
from callstate.transfer._path import PathVerdict, check_path
from callstate.transfer._verdict import Problem, TransferVerdict

__all__ = ["judge", "validate_transfer_request"]

_BOM = "\ufeff"
# Python values that are already parsed JSON; anything else is a programming error.
_JSON_VALUES = (Mapping, list, tuple, int, float, type(None))


def _caller(caller: str | None) -> Caller | None:
    if caller is None:
        return None
    for known in CALLERS:
        if caller == known:
            return known
    raise UsageError("caller", f"expected None, {' or '.join(map(repr, CALLERS))}, got {caller!r}")


def _parse(body: str | bytes | bytearray | memoryview) -> tuple[object, Problem | None]:
    if isinstance(body, str):
        text = body
    else:
        try:
            text = bytes(body).decode("utf-8")
        except UnicodeDecodeError as exc:
            return None, Problem(
                "", "malformed", f"the body is not UTF-8 text: {exc.reason} at byte {exc.start}"
            )
    try:
        return orjson.loads(text.removeprefix(_BOM)), None
    except orjson.JSONDecodeError as exc:
        return None, Problem("", "malformed", f"the body is not JSON: {exc}")


def validate_transfer_request(
    body: object, *, path: str | None = None, caller: str | None = None
) -> TransferVerdict:
    """Check a ``call: transfer`` request against the spec's rules, reporting every problem.

    ``body`` is the JSON text (``str`` or ``bytes``), the parsed JSON (a mapping, or any
    other JSON value, which is reported as not an object), or a
    ``callstate.graph.TransferRequest``. ``path`` is the path or URL the request is POSTed
    to; ``None`` skips the path rules. ``caller`` is ``"application"`` or
    ``"applicationInstance"``; ``None`` means unknown and skips the PSTN-caller rule.
    Problems come in document order, then the path's; a body that is not JSON at all
    gives one ``malformed`` problem at pointer ``""``.
    """
    known_caller = _caller(caller)
    if path is not None and not isinstance(path, str):
        raise UsageError("path", f"expected a str or None, got {type(path).__name__}")
    return judge(body, known_caller, None if path is None else check_path(path))


def judge(body: object, caller: Caller | None, path: PathVerdict | None) -> TransferVerdict:
    """:func:`validate_transfer_request` of a checked caller and a path already judged."""
    problems: list[Problem] = []
    warnings: tuple[Problem, ...] = ()
    kind = target = None
    if isinstance(body, str | bytes | bytearray | memoryview):
        parsed, malformed = _parse(body)
    else:
        parsed, malformed = _dumped(body), None
    if malformed is not None:
        problems.append(malformed)
    else:
        verdict = check_body(parsed, caller=caller)
        problems += verdict.problems
        kind, target, warnings = verdict.kind, verdict.target, verdict.warnings
    call_id = None
    if path is not None:
        problems += path.problems
        warnings += path.warnings
        call_id = path.call_id
    return TransferVerdict(tuple(problems), warnings, kind, target, call_id)


def _dumped(body: object) -> object:
    """Parsed JSON as is; a typed request as its Graph JSON; anything else is a usage error."""
    if type(body) is dict or isinstance(body, _JSON_VALUES):  # dict: no ABC look-up
        return body
    from callstate.graph import TransferRequest, dump  # the codec: only for typed requests

    if isinstance(body, TransferRequest):
        return dump(body)
    found = foreign_json(body)
    if found is not None:
        return found
    raise UsageError(
        "body", f"expected JSON text, a mapping or a TransferRequest, got {type(body).__name__}"
    )
