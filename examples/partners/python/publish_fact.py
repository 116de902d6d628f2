"""Publishes one fact into the mesh as the agency that owns its subject, with the CloudEvents
headers the mesh checks, and waits for JetStream's acknowledgement (no acknowledgement: not
delivered, send it again with the same id — JetStream drops the duplicate).

    AGENCY=civil-registry NATS_USER=civil-registry NATS_PASSWORD=... NATS_URL=... \
    python publish_fact.py partner.civil-registry.death.recorded.v1 death.json [event-id]

The body must match the subject's schema (schemas/partner/ in the mesh's repository); a fact that
does not is dead-lettered by the consuming service with the reason, never applied."""

import asyncio
import datetime
import json
import os
import secrets
import sys
import time
import uuid

from connection import connect


def uuid7() -> str:
    """A UUID version 7 (time-ordered), as the contract asks of ce-id (RFC 9562)."""
    value = (time.time_ns() // 1_000_000) << 80 | secrets.randbits(80)
    value = (value & ~(0xF << 76)) | (0x7 << 76)  # version 7
    value = (value & ~(0x3 << 62)) | (0x2 << 62)  # variant 10
    return str(uuid.UUID(int=value))


async def main() -> int:
    subject, body_file = sys.argv[1], sys.argv[2]
    event_id = sys.argv[3] if len(sys.argv) > 3 else uuid7()
    agency = os.environ["AGENCY"]
    if not subject.startswith(f"partner.{agency}."):
        print(f"{subject} is not a fact of {agency}", file=sys.stderr)
        return 2
    with open(body_file, encoding="utf-8") as f:
        body = json.load(f)
    headers = {
        "Nats-Msg-Id": event_id,
        "ce-specversion": "1.0",
        "ce-id": event_id,
        "ce-source": f"partner.{agency}",
        "ce-type": subject,
        # When the fact happened or was recorded: CE_TIME (RFC 3339) for a record sent late, else now.
        "ce-time": os.environ.get("CE_TIME")
        or datetime.datetime.now(datetime.timezone.utc).isoformat(),
        "ce-dataschema": f"urn:minzheng:schema:{subject}",
        "Content-Type": "application/json",
    }
    nc = await connect(f"publish-{agency}")
    js = nc.jetstream()
    ack = await js.publish(
        subject, json.dumps(body, ensure_ascii=False).encode(), timeout=5, headers=headers
    )
    print(json.dumps({"ce_id": event_id, "stream": ack.stream, "sequence": ack.seq}))
    await nc.drain()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
