"""Reads an agency's feed: pulls from the durable consumer the mesh created for the agency,
handles each message, and acknowledges it only after handling it. An unacknowledged message comes
again after the feed's acknowledgement wait, so a crash or a lost connection loses nothing; the
same event may then arrive twice, so the consumer skips what it already handled, by its
Nats-Msg-Id (here in memory; an agency keeps it with what it stores).

    AGENCY=medical-insurance NATS_USER=medical-insurance NATS_PASSWORD=... \
    NATS_URL=tls://nats-partners.example:4222 NATS_CA_FILE=ca.crt \
    NATS_CERT_FILE=client.crt NATS_KEY_FILE=client.key \
    python feed_consumer.py [--max N]

Each handled message is printed as one JSON line: subject, sequence (the position in the feed, to
replay from), CloudEvents headers and the data."""

import argparse
import asyncio
import json
import os
import sys

from nats.errors import ConnectionClosedError, TimeoutError as NatsTimeout
from nats.js.errors import APIError

from connection import MESH_JS_PREFIX, connect, feed_stream


def handle(message) -> None:
    """What the agency does with an event; here, print it. Raise to leave it unacknowledged."""
    line = {
        "subject": message.subject,
        "sequence": message.metadata.sequence.stream,
        "headers": dict(message.headers or {}),
        "data": json.loads(message.data),
    }
    print(json.dumps(line, ensure_ascii=False), flush=True)


async def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--max", type=int, default=0, help="stop after this many (0: never)")
    args = parser.parse_args()
    agency = os.environ["AGENCY"]
    log = lambda event: print(f"{agency}: {event}", file=sys.stderr, flush=True)
    nc = await connect(f"feed-{agency}", log)
    js = nc.jetstream(prefix=MESH_JS_PREFIX)
    subscription = await js.pull_subscribe_bind(durable=agency, stream=feed_stream(agency))
    handled = 0
    seen = set()  # Nats-Msg-Id of what was handled: a redelivery is acknowledged, not handled again
    while args.max == 0 or handled < args.max:
        try:
            messages = await subscription.fetch(batch=10, timeout=2)
        except NatsTimeout:
            continue  # nothing new, or the server is away: ask again
        except (ConnectionClosedError, APIError) as e:
            log(f"fetch failed: {e}")
            await asyncio.sleep(1)
            continue
        for message in messages:
            event = (message.headers or {}).get("Nats-Msg-Id")
            if event not in seen:
                handle(message)
                seen.add(event)
                handled += 1
            try:
                await message.ack_sync()  # after handling: a crash before this means a redelivery
            except Exception as e:  # the connection dropped: the message will come again
                log(f"acknowledgement not confirmed ({e!r}); it comes again and is skipped")
    await nc.drain()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
