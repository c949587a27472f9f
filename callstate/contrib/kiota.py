"""msgraph-sdk (kiota) model objects as the Graph JSON callstate reads.

msgraph-sdk-python's models (``TransferPostRequestBody``, ``Call``, ...) are kiota
``Parsable`` objects. :func:`to_json` writes one with kiota's own JSON writer
(``kiota_serialization_json``), the same bytes the SDK would send, and reads them
back as plain JSON, so callstate judges what would go on the wire. Needs
``pip install 'callstate[msgraph]'`` (msgraph-sdk already brings it).

The losses happen earlier, when kiota *parses* Graph JSON into a model: a state its
enum lacks (``ringing``, in v1.0) becomes ``None``, ``subCode`` (Graph's other
spelling) lands in ``additional_data`` instead of ``subcode``, and a code sent as
a string (``"500"``) becomes ``None``. callstate reads the raw JSON and keeps all
three, so hand it the webhook's bytes, not a model parsed from them.
"""

from __future__ import annotations

from callstate._extras import require

require("kiota_serialization_json", "msgraph", part="callstate.contrib.kiota")

import orjson
from kiota_abstractions.serialization import Parsable
from kiota_serialization_json.json_serialization_writer import JsonSerializationWriter

__all__ = ["is_model", "to_json"]


def is_model(value: object) -> bool:
    """Whether ``value`` is a kiota model object (any msgraph-sdk model)."""
    return isinstance(value, Parsable)


def to_json(value: object) -> object | None:
    """The Graph JSON of a kiota model object, as kiota's JSON writer writes it.

    ``None`` when ``value`` is not a kiota model, so a caller can try it on any
    object and fall back to its own error.
    """
    if not isinstance(value, Parsable):
        return None
    writer = JsonSerializationWriter()
    writer.write_object_value(None, value)
    data: object = orjson.loads(writer.get_serialized_content())
    return data
