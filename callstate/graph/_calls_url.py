"""The one grammar of Graph calls URLs: notification resources and request paths alike.

Re-exported by :mod:`callstate.graph.wire`; import it from there.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, Literal, NamedTuple, TypeAlias, TypeGuard

import attrs

from callstate.errors import ParseError
from callstate.graph._words import quote, read_string

__all__ = [
    "CALLS_PATH",
    "GRAPH_HOSTS",
    "ID_WORDS",
    "MAX_ID",
    "REQUEST_ACTIONS",
    "SEEN",
    "SEEN_MAX",
    "SEEN_URL",
    "URL_KEYS",
    "CallPath",
    "CallPathError",
    "RequestPath",
    "ResourceKind",
    "ResourceRef",
    "is_id",
    "parse_call_path",
    "parse_request_path",
    "parse_resource_url",
    "plain_call_id",
    "plain_request_path",
    "read_resource",
]

#: Graph ids are GUIDs; a longer call or operation id is not one Graph sends.
MAX_ID: Final = 256
#: What :func:`is_id` holds an id to, for messages.
ID_WORDS: Final = f"1 to {MAX_ID} characters, none of them white space or a control character"


def is_id(value: object) -> TypeGuard[str]:
    """Whether ``value`` can be an id Graph sends (a call's, an operation's, a participant's):
    a string of :data:`ID_WORDS`. Ids are kept as sent, but one that could forge a line or
    hide in a log is no id of Graph's."""
    return (
        type(value) is str and 0 < len(value) <= MAX_ID and value.isprintable() and " " not in value
    )


#: Where a notification names its resource: ``resourceUrl``, or the older ``resource``.
URL_KEYS: Final = ("resourceUrl", "resource")
#: Microsoft Graph's public and national-cloud hosts.
GRAPH_HOSTS: Final = frozenset(
    {
        "graph.microsoft.com",
        "graph.microsoft.us",
        "dod-graph.microsoft.us",
        "microsoftgraph.chinacloudapi.cn",
    }
)
_VERSIONS: Final = ("v1.0", "beta")
_VERSIONS_PATHS: Final = tuple(f"/{version}" for version in _VERSIONS)


@attrs.frozen
class CallPath:
    """A Graph calls URL or path, read: the call it names and the segments after it.

    ``call_id`` is ``None`` for the collection itself (``POST /communications/calls``);
    ``rest`` holds the segments after the id as sent; ``legacy`` marks ``/app/calls``.
    """

    call_id: str | None
    rest: tuple[str, ...] = ()
    legacy: bool = False


_EXPECTED_PATH: Final = "expected /communications/calls/{id}..."
#: The actions a bot POSTs to a call, ``/communications/calls/{id}/{action}``.
REQUEST_ACTIONS: Final = ("answer", "reject", "redirect", "transfer", "keepAlive")
#: What a call's id follows in a calls URL, in the spelling Graph sends.
CALLS_PATH: Final = "/communications/calls/"
#: What a calls URL in the exact spelling Graph sends has before :data:`CALLS_PATH`: lower
#: case, and a version on a full URL. What follows the id in that spelling is segments of 1
#: to ``MAX_ID`` characters with no ``?``, ``#``, white space or control character; the
#: general grammar below reads such a URL to the same :class:`CallPath`.
_PLAIN_HEADS: Final = frozenset(
    {"", *_VERSIONS_PATHS, *(f"https://graph.microsoft.com{v}" for v in _VERSIONS_PATHS)}
)


def _plain(text: str) -> tuple[str, str] | None:
    """``(id, the segments after it)`` of a calls URL in the spelling Graph sends, or ``None``.
    String methods, not a pattern: a pattern's character class costs a look-up per
    character, and this runs for each new call and each request."""
    head, found, rest = text.partition(CALLS_PATH)
    if not found or head not in _PLAIN_HEADS or "?" in rest or "#" in rest:
        return None
    # is_id's test of characters, written out: a call to it here measured +0.3% of the
    # validate loop. The agreement property holds the two to one answer; _walk says which.
    if " " in rest or not rest.isprintable():
        return None
    ident, slash, tail = rest.partition("/")
    if not 0 < len(ident) <= MAX_ID:
        return None
    if slash:
        segments = tail.split("/")
        if "" in segments or len(max(segments, key=len)) > MAX_ID:  # C loops, no generator
            return None
    return ident, slash + tail


def parse_call_path(url: object, pointer: str) -> CallPath:
    """Read any Graph calls URL or path: notification resources and request paths alike.

    A full URL must be ``https`` on a Graph host (no port, user or query) with a
    ``v1.0`` or ``beta`` version, in any letter case; a bare path may carry the
    version or not. Fixed segments match in any case; ids and the segments after them
    are kept as sent and must each be :func:`is_id`.
    """
    return CallPath(*_read(url, pointer))


#: A calls URL read: ``(call id, the segments after it, legacy)``, as :class:`CallPath` says.
_Read: TypeAlias = tuple["str | None", tuple[str, ...], bool]


def _read(url: object, pointer: str) -> _Read:
    text = read_string(url, pointer)
    plain = _plain(text)
    if plain is not None:  # the spelling Graph sends: no walk below
        ident, rest = plain
        return ident, tuple(rest[1:].split("/")) if rest else (), False
    return _walk(text, pointer)


def _walk(text: str, pointer: str) -> _Read:
    """The general grammar, for every spelling :func:`_plain` does not read."""
    path = text
    if "://" in text:
        scheme, _, rest = text.partition("://")
        host, slash, path = rest.partition("/")
        if scheme.lower() != "https":
            raise CallPathError(text, pointer, "not an https URL")
        if host.lower() not in GRAPH_HOSTS:
            bare = host.rpartition("@")[2]
            bare = (bare.rpartition(":")[0] if ":" in bare else bare).lower()
            why = "a user or port on the host" if bare in GRAPH_HOSTS else "not a Graph host"
            raise CallPathError(text, pointer, why)
        path = slash + path
        if path[1:].partition("/")[0].lower() not in _VERSIONS:
            raise CallPathError(text, pointer, "no API version (v1.0 or beta)")
    if "?" in path or "#" in path:
        raise CallPathError(text, pointer, "a query or fragment")
    parts = path.split("/")
    if parts[0] != "":
        raise CallPathError(text, pointer, "not a path")
    at = 2 if len(parts) > 2 and parts[1].lower() in _VERSIONS else 1
    head = parts[at].lower() if len(parts) > at + 1 and parts[at + 1].lower() == "calls" else ""
    if head != "communications" and head != "app":
        raise CallPathError(text, pointer, "not a calls path")
    ids = parts[at + 2 :]
    if not ids:
        return None, (), head == "app"
    if "" in ids:
        raise CallPathError(text, pointer, "an empty segment")
    if max(map(len, ids)) > MAX_ID:
        what = "an id" if len(ids[0]) > MAX_ID else "a segment"
        raise CallPathError(text, pointer, f"{what} over {MAX_ID} characters")
    if not all(map(is_id, ids)):
        what = "an id" if not is_id(ids[0]) else "a segment"
        raise CallPathError(text, pointer, f"{what} with white space or a control character")
    return ids[0], tuple(ids[1:]), head == "app"


_ACTIONS: Final = {action.lower(): action for action in REQUEST_ACTIONS}


class RequestPath(NamedTuple):
    """What a bot's request path names: the call (``None`` for the collection), the action
    (``None`` for the call itself) in Graph's spelling, and whether it is the ``/app`` form."""

    call_id: str | None
    action: str | None
    legacy: bool


def parse_request_path(url: object, pointer: str) -> RequestPath:
    """Read the path (or URL) a bot sends a request on a call to.

    ``/communications/calls`` (create), ``/communications/calls/{id}`` (delete) or
    ``/communications/calls/{id}/{action}`` with one of :data:`REQUEST_ACTIONS` in
    any letter case, under ``/app/calls`` too; the grammar of :func:`parse_call_path`.
    Anything else is a :class:`~callstate.errors.ParseError` at ``pointer``.
    """
    plain = plain_request_path(url) if type(url) is str else None
    if plain is not None:
        return RequestPath(*plain, False)
    call_id, rest, legacy = _read(url, pointer)
    if not rest:
        return RequestPath(call_id, None, legacy)
    action = _ACTIONS.get(rest[0].lower()) if len(rest) == 1 else None
    if action is None:
        raise CallPathError(str(url), pointer, f"not a call or /{{id}}/{'|'.join(REQUEST_ACTIONS)}")
    return RequestPath(call_id, action, legacy)


def plain_call_id(url: str) -> str | None:
    """The call :func:`parse_resource_url` reads ``url`` as, when it is a call's own URL in
    the exact spelling Graph sends; ``None``: only the general grammar can say. No object,
    for the first line of each new call.
    """
    plain = _plain(url)
    return None if plain is None or plain[1] else plain[0]


def plain_request_path(url: str) -> tuple[str, str | None] | None:
    """The call id and action :func:`parse_request_path` reads ``url`` as, when it is in the
    exact spelling Graph sends (never the ``/app`` form); ``None``: only the general grammar
    can say. No object, for the request records a trace holds by the thousand.
    """
    plain = _plain(url)
    if plain is None:
        return None
    ident, rest = plain
    if not rest:
        return ident, None
    return (ident, rest[1:]) if rest[1:] in REQUEST_ACTIONS else None


class CallPathError(ParseError):
    """A calls URL the grammar cannot read: ``url`` as sent, and ``why`` in a few words."""

    def __init__(self, url: str, pointer: str, why: str) -> None:
        self.url = url
        self.why = why
        super().__init__(
            f"unrecognised resource URL {quote(url)} ({why}); {_EXPECTED_PATH}", pointer=pointer
        )


ResourceKind: TypeAlias = Literal["call", "operation", "participants"]


@attrs.frozen
class ResourceRef:
    """What a notification's resource URL names: a call, an operation, or the roster.

    ``sub_id`` is the operation id or participant id (None for the whole roster);
    ``legacy`` marks the deprecated ``/app/calls/...`` form.
    """

    call_id: str
    kind: ResourceKind
    sub_id: str | None = None
    legacy: bool = False


#: Recently read URLs (a call's notifications repeat its URL); short URLs only, so the
#: cache holds at most ``SEEN_MAX`` entries of at most ``SEEN_URL`` characters.
SEEN: dict[str, ResourceRef] = {}
SEEN_MAX: Final = 4096
SEEN_URL: Final = 400


def parse_resource_url(url: object, *, pointer: str = "/resourceUrl") -> ResourceRef:
    """Read a notification's resource URL: a call, ``/operations/{id}`` or ``/participants``."""
    if type(url) is str:
        ref = SEEN.get(url)
        if ref is not None:
            return ref
    ref = _resource(_read(url, pointer), url, pointer)
    if len(url) <= SEEN_URL:  # type: ignore[arg-type]  # a str, or parse_call_path raised
        if len(SEEN) >= SEEN_MAX:
            SEEN.clear()
        SEEN[url] = ref  # type: ignore[index]
    return ref


def _resource(path: _Read, url: object, pointer: str) -> ResourceRef:
    call_id, rest, legacy = path
    if call_id is not None:
        if not rest:
            return ResourceRef(call_id, "call", None, legacy)
        segment = rest[0].lower()
        if segment == "operations" and len(rest) == 2:
            return ResourceRef(call_id, "operation", rest[1], legacy)
        if segment == "participants" and len(rest) <= 2:
            return ResourceRef(call_id, "participants", rest[1] if len(rest) == 2 else None, legacy)
    raise CallPathError(
        str(url),
        pointer,
        "expected a call, /operations/{opId}, /participants or /participants/{id}",
    )


def read_resource(notification: Mapping[str, object], pointer: str = "") -> ResourceRef:
    """What a notification names: its ``resourceUrl``, or the legacy ``resource``.

    When both are given they must name the same resource (one may be the ``/app``
    form of the other).
    """
    current, older = URL_KEYS
    url = notification.get(current)
    legacy = notification.get(older)
    if legacy is None:
        if url is None:
            raise ParseError(
                f"missing; expected {current} (or the legacy {older})",
                pointer=f"{pointer}/{current}",
            )
        return parse_resource_url(url, pointer=f"{pointer}/{current}")
    old = parse_resource_url(legacy, pointer=f"{pointer}/{older}")
    if url is None:
        return old
    ref = parse_resource_url(url, pointer=f"{pointer}/{current}")
    if (old.call_id, old.kind, old.sub_id) != (ref.call_id, ref.kind, ref.sub_id):
        raise ParseError(
            f"{older} {quote(str(legacy))} names another resource than {current} {quote(str(url))}",
            pointer=f"{pointer}/{older}",
            call_id=ref.call_id,
        )
    return ref
