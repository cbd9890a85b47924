"""From the outbox to webhook deliveries: the integration context's relay handler.

The relay hands each committed event over in the event's tenant scope, in a transaction
that also records it as processed; this handler writes there one pending delivery per
subscription that wants it (at most one per subscription and event, whatever the relay
repeats). Sending happens later, in the dispatcher: a slow receiver never holds up the
relay, and a crash between the two leaves the delivery pending, not lost.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import text

from domain.integration import EVENT_TYPES, webhook_data
from domain.shared import display_time, new_id
from infra.db.session import Database, UnitOfWork
from infra.platform.relay import BatchHandler, BatchSubscription, Relay, RelayedEvent

HANDLER = "integration.webhook_deliveries"

_SUBSCRIBERS = (
    "SELECT tenant_id, id FROM zhibu_webhook_subscribers(%(paths)s::text[], %(topic)s, %(at)s)"
)
_INSERT = text(
    "INSERT INTO webhook_delivery (tenant_id, id, subscription_tenant_id, subscription_id,"
    " event_id, event_type, occurred_at, body)"
    " VALUES (:tenant_id, :id, :subscription_tenant_id, :subscription_id, :event_id,"
    " :event_type, :occurred_at, :body)"
    " ON CONFLICT (tenant_id, subscription_id, event_id) DO NOTHING"
)


def ancestors(tenant_path: str) -> list[str]:
    """`zb.440000.440300` → its own path and every ancestor's: whose clients see it."""
    parts = tenant_path.split(".")
    return [".".join(parts[:n]) for n in range(1, len(parts) + 1)]


def webhook_body(event: RelayedEvent) -> str | None:
    """The JSON a receiver gets (Standard Webhooks: type, timestamp, data), exactly as
    signed; None when the event is not one webhooks carry."""
    data = webhook_data(event.topic, event.payload)
    if data is None:
        return None
    return json.dumps(
        {
            "type": event.topic,
            "timestamp": display_time(event.created_at),
            "tenant_id": str(event.tenant_id),
            "data": data,
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


def fan_out(db: Database) -> BatchHandler:
    """The handler. Subscribers are looked up on a connection of their own: on Citus a
    definer function may not read shards that this transaction (the relay's, which has
    recorded the event as processed) wrote as another role."""

    async def subscribers(paths: list[str], topic: str, at: datetime) -> list[Any]:
        return await db.fetch_unscoped(_SUBSCRIBERS, {"paths": paths, "topic": topic, "at": at})

    async def handle(uow: UnitOfWork, events: list[RelayedEvent]) -> None:
        paths = ancestors(events[0].tenant_path)
        latest: dict[str, datetime] = {}
        for event in events:
            latest[event.topic] = max(latest.get(event.topic, event.created_at), event.created_at)
        # nobody subscribed by the latest event of a type: nobody was by the earlier ones
        wanted = {topic for topic, at in latest.items() if await subscribers(paths, topic, at)}
        for event in events:
            if event.topic not in wanted:
                continue
            body = webhook_body(event)
            found = await subscribers(paths, event.topic, event.created_at)
            if body is not None and found:
                await _record(uow, event, body, found)

    return handle


async def _record(uow: UnitOfWork, event: RelayedEvent, body: str, found: list[Any]) -> None:
    await uow.session.execute(
        _INSERT,
        [
            {
                "tenant_id": event.tenant_id,
                "id": new_id(),
                "subscription_tenant_id": tenant_id,
                "subscription_id": subscription_id,
                "event_id": event.id,
                "event_type": event.topic,
                "occurred_at": event.created_at,
                "body": body,
            }
            for tenant_id, subscription_id in found
        ],
    )


def register_relay_handlers(relay: Relay, *, db: Database) -> None:
    """Every event a webhook may carry becomes deliveries, at least once."""
    relay.register(
        HANDLER,  # a delivery is unique per subscription and event: applying twice adds none
        BatchSubscription(fan_out(db), frozenset(EVENT_TYPES), idempotent=True),
    )
