"""From the outbox to webhook deliveries: the integration context's relay handler.

The relay hands a tenant's committed events of a round over at once, in the events' tenant
scope; this handler writes there one pending delivery per subscription that wants an
event (at most one per subscription and event, whatever the relay repeats: so the relay
need not record the events as processed). Sending happens later, in the dispatcher: a slow
receiver never holds up the relay, and a crash between the two leaves the delivery
pending, not lost.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import text

from domain.integration import EVENT_TYPES, webhook_data
from domain.shared import display_time, new_id
from domain.tenancy import org_ids_on_path
from infra.db.session import Database, UnitOfWork
from infra.integration.webhook_record import CHUNK, values
from infra.platform.outbox import event_organizations
from infra.platform.relay import BatchHandler, BatchSubscription, Relay, RelayedEvent
from infra.tenancy import organization_refs

HANDLER = "integration.webhook_deliveries"

_SUBSCRIBERS = (
    "SELECT tenant_id, id, organization_id"
    " FROM zhibu_webhook_subscribers(%(paths)s::text[], %(topic)s, %(at)s)"
)
_INSERT = (
    "INSERT INTO webhook_delivery (tenant_id, id, subscription_tenant_id, subscription_id,"
    " event_id, event_type, occurred_at, body) VALUES {rows}"
    " ON CONFLICT (tenant_id, subscription_id, event_id) DO NOTHING"
)
_COLUMNS = (
    ("tenant_id", "uuid"),
    ("id", "uuid"),
    ("subscription_tenant_id", "uuid"),
    ("subscription_id", "uuid"),
    ("event_id", "uuid"),
    ("event_type", "text"),
    ("occurred_at", "timestamptz"),
    ("body", "text"),
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


async def _places(uow: UnitOfWork, events: list[RelayedEvent]) -> dict[uuid.UUID, frozenset[Any]]:
    """Per event, the organizations whose subtree holds it (none for a tenant-level event):
    asked only when a subscriber is confined to an organization."""
    placed = await event_organizations(uow, events[0].tenant_id, [e.id for e in events])
    refs = await organization_refs(uow, list({o for o in placed.values() if o is not None}))
    above = {o: frozenset(org_ids_on_path(ref.path)) for o, ref in refs.items()}
    return {e.id: above.get(placed.get(e.id), frozenset()) for e in events}


def fan_out(db: Database) -> BatchHandler:
    """The handler, for one tenant's events of a relay round. Subscribers are looked up on
    a connection of their own (on Citus a definer function may not read shards that this
    transaction, the relay's, wrote as another role): once per type at its latest event
    (nobody subscribed then, nobody was before: the usual answer, and the events' bodies
    are never built), then once more at its earliest, and per event only when a
    subscription began in between. A subscription of a client confined to an organization
    gets only the events placed in that organization's subtree; where each event sits is
    read once per round, and only when such a subscription is among those found."""

    async def subscribers(paths: list[str], topic: str, at: datetime) -> set[tuple[Any, ...]]:
        found = await db.fetch_unscoped(_SUBSCRIBERS, {"paths": paths, "topic": topic, "at": at})
        return {tuple(r) for r in found}

    async def handle(uow: UnitOfWork, events: list[RelayedEvent]) -> None:
        places: dict[uuid.UUID, frozenset[Any]] | None = None
        by_topic: dict[tuple[str, str], list[RelayedEvent]] = {}
        for event in events:
            by_topic.setdefault((event.tenant_path, event.topic), []).append(event)
        rows: list[tuple[Any, ...]] = []
        for (path, topic), group in by_topic.items():
            paths = ancestors(path)
            earliest = min(e.created_at for e in group)
            latest = max(e.created_at for e in group)
            last = await subscribers(paths, topic, latest)
            if not last:
                continue
            first = last if earliest == latest else await subscribers(paths, topic, earliest)
            for event in group:
                body = webhook_body(event)
                if body is None:
                    continue
                found = (
                    first if first == last else await subscribers(paths, topic, event.created_at)
                )
                if places is None and any(org is not None for _, _, org in found):
                    places = await _places(uow, events)
                rows.extend(
                    (
                        event.tenant_id,
                        new_id(),
                        tenant_id,
                        subscription_id,
                        event.id,
                        topic,
                        event.created_at,
                        body,
                    )
                    for tenant_id, subscription_id, org in found
                    if org is None or (places is not None and org in places[event.id])
                )
        for start in range(0, len(rows), CHUNK):
            clause, params = values(_COLUMNS, rows[start : start + CHUNK])
            await uow.session.execute(text(_INSERT.format(rows=clause)), params)

    return handle


def register_relay_handlers(relay: Relay, *, db: Database) -> None:
    """Every event a webhook may carry becomes deliveries, at least once."""
    relay.register(HANDLER, BatchSubscription(fan_out(db), frozenset(EVENT_TYPES), idempotent=True))
