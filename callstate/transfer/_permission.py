"""Who may call ``call: transfer``: an application permission, never a delegated one."""

from __future__ import annotations

from typing import Final

from callstate.errors import UsageError
from callstate.transfer._verdict import PERMISSION_POINTER, Problem

__all__ = ["TRANSFER_PERMISSION", "check_permission"]

#: The application permission the spec's permission table requires for ``call: transfer``.
TRANSFER_PERMISSION: Final = "Calls.Initiate.All"


def check_permission(permission_type: str, permission: str) -> Problem | None:
    """The problem with calling ``transfer`` under this permission, or ``None`` if it is allowed.

    ``permission_type`` is ``"application"`` or ``"delegated"`` (any case; the spec's
    table names such as ``"Delegated (work or school account)"`` work too). Delegated
    permissions are not supported at all, whatever the permission; an application
    must hold exactly :data:`TRANSFER_PERMISSION` (role names are case-sensitive).
    Any other ``permission_type`` raises :class:`~callstate.errors.UsageError`.
    """
    kind = permission_type.strip().casefold()
    if kind.startswith("delegated"):
        return Problem(
            PERMISSION_POINTER,
            "delegated-permission",
            f"delegated permissions are not supported for call: transfer; "
            f"use the application permission {TRANSFER_PERMISSION}",
        )
    if kind != "application":
        raise UsageError(
            "permission_type", f"expected 'application' or 'delegated', got {permission_type!r}"
        )
    if permission != TRANSFER_PERMISSION:
        return Problem(
            PERMISSION_POINTER,
            "missing-permission",
            f"call: transfer requires the application permission {TRANSFER_PERMISSION}, "
            f"not {permission!r}",
        )
    return None
