"""Transfer requests checked against the ``call: transfer`` spec, every problem located.

The body is checked as raw JSON (so wrong types are found at their JSON pointer),
together with the path it is POSTed to and the kind of caller. See :data:`RULES`
for every rule id a :class:`Problem` can carry.
"""

from callstate.transfer._body import CALLERS, PARTIES, RULES, Caller
from callstate.transfer._path import check_path
from callstate.transfer._permission import TRANSFER_PERMISSION, check_permission
from callstate.transfer._validate import validate_transfer_request
from callstate.transfer._verdict import (
    PATH_POINTER,
    PERMISSION_POINTER,
    Problem,
    TargetKind,
    TransferKind,
    TransferVerdict,
)

__all__ = [
    "CALLERS",
    "PARTIES",
    "PATH_POINTER",
    "PERMISSION_POINTER",
    "RULES",
    "TRANSFER_PERMISSION",
    "Caller",
    "Problem",
    "TargetKind",
    "TransferKind",
    "TransferVerdict",
    "check_path",
    "check_permission",
    "validate_transfer_request",
]
