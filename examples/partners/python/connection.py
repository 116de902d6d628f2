"""How an agency connects to the mesh's NATS: its account's user and password, TLS with the
mesh's CA and the client certificate it was given. The same environment variables as the mesh's
own services and partner-sim."""

import os
import ssl

import nats

# The agency's account sees the mesh's JetStream API under this prefix (only its own feed's
# consumer is exported to it).
MESH_JS_PREFIX = "$JS.MESH.API"


def feed_stream(agency: str) -> str:
    """The stream holding an agency's feed: FEED_MEDICAL_INSURANCE for medical-insurance."""
    return "FEED_" + agency.upper().replace("-", "_")


async def connect(name: str, on_event=None):
    """Connects with NATS_URL, NATS_USER, NATS_PASSWORD and, for TLS, NATS_CA_FILE (with
    NATS_CERT_FILE and NATS_KEY_FILE when the server verifies clients). Reconnects for ever:
    while the server is away, fetches fail and are retried; nothing acknowledged is lost."""
    url = os.environ.get("NATS_URL", "nats://127.0.0.1:4222")
    options = dict(
        servers=[url],
        name=name,
        max_reconnect_attempts=-1,
        reconnect_time_wait=0.5,
        connect_timeout=5,
    )
    if os.environ.get("NATS_USER"):
        options["user"] = os.environ["NATS_USER"]
        options["password"] = os.environ["NATS_PASSWORD"]
    ca = os.environ.get("NATS_CA_FILE")
    if ca:
        context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=ca)
        cert, key = os.environ.get("NATS_CERT_FILE"), os.environ.get("NATS_KEY_FILE")
        if cert and key:
            context.load_cert_chain(cert, key)
        options["tls"] = context
        if os.environ.get("NATS_TLS_HOSTNAME"):
            # The name in the server's certificate, when the URL names it otherwise.
            options["tls_hostname"] = os.environ["NATS_TLS_HOSTNAME"]

    async def disconnected():
        if on_event:
            on_event("disconnected")

    async def reconnected():
        if on_event:
            on_event("reconnected")

    async def error(e):
        if on_event:
            on_event(f"error: {e}")

    return await nats.connect(
        **options,
        disconnected_cb=disconnected,
        reconnected_cb=reconnected,
        error_cb=error,
    )
