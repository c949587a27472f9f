"""What validating a transfer request finds: located problems and a verdict."""

from __future__ import annotations

from typing import Literal

import attrs

__all__ = [
    "PATH_POINTER",
    "PERMISSION_POINTER",
    "Problem",
    "TargetKind",
    "TransferKind",
    "TransferVerdict",
]

#: Pseudo-pointer of problems with the request's path, which is not part of the JSON body.
PATH_POINTER = "(path)"
#: Pseudo-pointer of problems with the caller's permission, which is not part of the request.
PERMISSION_POINTER = "(permission)"

#: ``consultative`` when the target carries ``replacesCallId``, else ``blind``.
TransferKind = Literal["blind", "consultative"]
#: The kind of party the call is transferred to; a ``phone`` identity is a PSTN target.
TargetKind = Literal["user", "pstn", "application", "applicationInstance", "guest", "device"]


@attrs.frozen
class Problem:
    """One broken rule, located by a JSON pointer into the body (or a pseudo-pointer).

    ``pointer`` is ``""`` for the body as a whole, :data:`PATH_POINTER` for the
    request's path and :data:`PERMISSION_POINTER` for the caller's permission.
    """

    pointer: str
    rule: str
    message: str

    def __str__(self) -> str:
        """``<pointer>  <rule>  <message>``, the root shown as ``/`` so no line starts blank."""
        return f"{self.pointer or '/'}  {self.rule}  {self.message}"


@attrs.frozen
class TransferVerdict:
    """Everything validation found about one transfer request.

    ``kind``, ``target`` and ``call_id`` are filled in as far as the request allows,
    even when it has problems, so a caller can still tell what was attempted.
    """

    problems: tuple[Problem, ...] = ()
    warnings: tuple[Problem, ...] = ()
    kind: TransferKind | None = None
    target: TargetKind | None = None
    call_id: str | None = None

    @property
    def ok(self) -> bool:
        """True when the request breaks no rule; warnings do not count."""
        return not self.problems
