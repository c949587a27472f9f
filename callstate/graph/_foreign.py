"""Graph objects of other libraries, as Graph JSON: msgraph-sdk (kiota) models.

Tried only when that library is already imported, so callstate never imports it, and
only for objects that are no JSON value callstate knows.
"""

from __future__ import annotations

import sys

__all__ = ["foreign_json"]


def foreign_json(value: object) -> object | None:
    """The Graph JSON of a kiota model object (through kiota's own JSON writer), else ``None``."""
    if "kiota_abstractions" not in sys.modules:
        return None
    from callstate.contrib.kiota import to_json

    return to_json(value)
