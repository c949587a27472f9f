"""The bot's own Graph requests, seen by callstate: msgraph-sdk over an observed httpx client."""

import httpx
from azure.core.credentials_async import AsyncTokenCredential
from kiota_authentication_azure.azure_identity_authentication_provider import (
    AzureIdentityAuthenticationProvider,
)
from msgraph import GraphRequestAdapter, GraphServiceClient
from msgraph_core import GraphClientFactory

from callstate import Tracker
from callstate.contrib.httpx import observe


def graph_client(
    credential: AsyncTokenCredential, tracker: Tracker, http: httpx.AsyncClient
) -> GraphServiceClient:
    """A GraphServiceClient whose transfer requests reach ``tracker`` (the middleware's)."""
    observe(http, tracker)
    http = GraphClientFactory.create_with_default_middleware(client=http)
    auth = AzureIdentityAuthenticationProvider(
        credential, scopes=["https://graph.microsoft.com/.default"]
    )
    return GraphServiceClient(request_adapter=GraphRequestAdapter(auth, client=http))


# In the bot, as usual:
#     async with httpx.AsyncClient() as http:
#         graph = graph_client(credential, tracker, http)
#         await graph.communications.calls.by_call_id(call_id).transfer.post(body)
