"""The event feed (事件流) of the caller's subtree: the types its permissions read, personal
fields only with the sensitive permission, and every read of them audited.

Per tenant: a client confined to one organization's subtree has no feed (events name
their tenant, not always an organization).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from domain.integration import MESSAGES, readable_types, redact, reveals
from domain.shared import ErrorKind, Guard
from infra.db.session import UnitOfWork
from infra.platform.feed import FeedEvent, Position, events_after


@dataclass(frozen=True, slots=True)
class ShownEvent:
    event: FeedEvent
    payload: dict[str, Any]  # redacted for the reader


@dataclass(frozen=True, slots=True)
class FeedRead:
    events: list[ShownEvent]
    next: Position


def feed_types(guard: Guard, asked: Sequence[str] | None, *, confined: bool) -> tuple[str, ...]:
    """The types the caller reads; refused before any row is read."""
    if confined:
        raise MESSAGES.error("events_tenant_wide", ErrorKind.FORBIDDEN)
    guard.require("event", "read")
    return readable_types(asked, lambda permission: guard.can(*permission.split(":")))


async def read_feed(
    uow: UnitOfWork,
    guard: Guard,
    *,
    types: Sequence[str],
    after: Position,
    limit: int,
) -> FeedRead:
    sensitive = guard.can("member", "read_sensitive")
    page = await events_after(uow, after=after, topics=types, limit=limit)
    revealed: dict[Any, list[str]] = {}
    for e in page.events:
        if sensitive and reveals(e.topic, e.payload):
            revealed.setdefault(e.tenant_id, []).append(str(e.id))
    for tenant_id, ids in revealed.items():
        uow.audit(
            "event.read_sensitive", "event", ids[0], tenant_id=tenant_id, detail={"events": ids}
        )
    shown = [ShownEvent(e, redact(e.topic, e.payload, sensitive)) for e in page.events]
    return FeedRead(shown, page.next)
