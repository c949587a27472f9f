"""Adapters for the frameworks and clients a Graph calling bot is built on.

Each module is its own optional part, behind its own extra
(``pip install 'callstate[NAME]'``), and imports nothing until it is imported
itself (as openapi-core's contrib modules do):

- :mod:`callstate.contrib.asgi`: ASGI middleware (FastAPI, Starlette); no extra needed;
- :mod:`callstate.contrib.aiohttp`: aiohttp middleware (``callstate[aiohttp]``);
- :mod:`callstate.contrib.httpx`: the bot's own Graph requests, from its httpx client
  (``callstate[httpx]``); msgraph-sdk sends through httpx;
- :mod:`callstate.contrib.kiota`: msgraph-sdk (kiota) model objects as Graph JSON
  (``callstate[msgraph]``);
- :mod:`callstate.contrib.otel`: OpenTelemetry counter and span events (``callstate[otel]``);
- :mod:`callstate.contrib.redis`: per-call state shared in Redis (``callstate[redis]``).
"""
