"""Domain events written in the same transaction as the change they describe."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import msgspec
from psycopg.types.json import Jsonb

from domain.shared import new_id
from infra.db.bulk import insert_values
from infra.db.session import UnitOfWork
from infra.platform.tables import OutboxEvent


def emit(
    uow: UnitOfWork,
    *,
    tenant_id: uuid.UUID,
    topic: str,
    aggregate_type: str,
    aggregate_id: object,
    payload: dict[str, Any],
    organization_id: uuid.UUID | None,
) -> None:
    """Queue an event; nothing is published for a change that rolls back. `organization_id`
    places it in the tree for clients confined to an organization's subtree (None: a
    tenant-level event, which only clients of the whole tenant read)."""
    uow.session.add(
        OutboxEvent(
            **event_row(
                tenant_id=tenant_id,
                topic=topic,
                aggregate_type=aggregate_type,
                aggregate_id=aggregate_id,
                payload=payload,
                organization_id=organization_id,
            )
        )
    )


async def emit_all(uow: UnitOfWork, events: Sequence[dict[str, Any]]) -> None:
    """Queue many events (`event_row`'s, each naming its organization or None) with
    INSERT … VALUES, for a handler that writes hundreds at once (points accrual)."""
    now = datetime.now(UTC)
    rows = [
        (
            e["tenant_id"],
            e["id"],
            e["topic"],
            e["aggregate_type"],
            e["aggregate_id"],
            Jsonb(e["payload"], msgspec.json.encode),
            e["organization_id"],
            now,
        )
        for e in events
    ]
    await insert_values(uow, "outbox_event", _COLUMNS, rows)


_COLUMNS = (
    "tenant_id",
    "id",
    "topic",
    "aggregate_type",
    "aggregate_id",
    "payload",
    "organization_id",
    "created_at",
)


def event_row(
    *,
    tenant_id: uuid.UUID,
    topic: str,
    aggregate_type: str,
    aggregate_id: object,
    payload: dict[str, Any],
    organization_id: uuid.UUID | None,
) -> dict[str, Any]:
    """The outbox_event columns of an event: `emit`'s and the hot path's writes."""
    return {
        "tenant_id": tenant_id,
        "id": new_id(),
        "topic": topic,
        "aggregate_type": aggregate_type,
        "aggregate_id": str(aggregate_id),
        "payload": payload,
        "organization_id": organization_id,
    }
