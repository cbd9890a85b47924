"""A webhook subscription's stream: its cursor over the outbox and the events read past it.

Each enabled subscription keeps a commit-safe position in the outbox (`(xid, seq)`, the
event feed's, infra/platform/feed.py): the dispatcher reads its next events after it, of
its types and in its subtree (in its organization's for a client confined to one), at the
pace its endpoint takes them, so a check-in costs a slow endpoint nothing until it is sent.
A delivery row is written only when an event is sent (or found not sendable); the cursor
moves past an event only once its row is written, in the same transaction, so a crash
sends the events past the cursor again (same `webhook-id`), and an event read again that
already has its row is not sent twice. Where a confined client's organization stands in
the tree is read again each second (at the dispatcher's look at the subscriptions).
"""

from __future__ import annotations

import json
import time
import uuid
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import text

from domain.integration import webhook_data
from domain.shared import display_time, new_id
from infra.db.routing import tenant_filter
from infra.db.session import Database, Scope, UnitOfWork
from infra.integration.webhook_record import Due, Fresh
from infra.platform.feed import FeedEvent, Position, Within, events_after
from infra.tenancy import ORGANIZATION_SUBTREE_IDS, organization_refs

STREAMS = (
    "SELECT tenant_id, id, tenant_path, organization_id, event_types, created_at,"
    " cursor_xid, cursor_seq FROM zhibu_webhook_streams()"
)
_SENT = (
    "SELECT event_id FROM webhook_delivery"
    " WHERE {tenants} AND subscription_id = :s AND event_id = ANY(:ids)"
)
_SAVE = text(
    "UPDATE webhook_subscription SET cursor_xid = CAST(CAST(:x AS text) AS xid8),"
    " cursor_seq = :s WHERE tenant_id = :t AND id = :id"
    " AND (cursor_xid, cursor_seq) < (CAST(CAST(:x AS text) AS xid8), :s)"
)


def webhook_body(tenant_id: uuid.UUID, topic: str, payload: Any, at: datetime) -> str | None:
    """The JSON a receiver gets (Standard Webhooks: type, timestamp, data), exactly as
    signed; None when the event is not one webhooks carry."""
    data = webhook_data(topic, payload)
    if data is None:
        return None
    return json.dumps(
        {"type": topic, "timestamp": display_time(at), "tenant_id": str(tenant_id), "data": data},
        ensure_ascii=False,
        separators=(",", ":"),
    )


@dataclass(eq=False, slots=True)
class Stream:
    """One subscription's place in the outbox: `saved` in the database, `read_to` where the
    next page starts; `window` the events read since `safe`, in order, each [position,
    written]."""

    tenant_id: uuid.UUID
    id: uuid.UUID
    tenant_path: str
    organization_id: uuid.UUID | None
    types: tuple[str, ...]
    created_at: datetime
    saved: Position
    read_to: Position
    safe: Position
    window: deque[list[Any]] = field(default_factory=deque)
    idle_until: float = 0.0  # after a short page, the next read waits a poll
    saved_at: float = 0.0
    within: Within | None = None

    @classmethod
    def of(cls, row: Any) -> Stream:
        at = (int(row.cursor_xid), int(row.cursor_seq))
        return cls(
            row.tenant_id,
            row.id,
            row.tenant_path,
            row.organization_id,
            tuple(row.event_types),
            row.created_at,
            at,
            at,
            at,
            saved_at=time.monotonic(),
        )

    def cursor(self) -> Position:
        """The furthest position every event up to which has its delivery row."""
        while self.window and self.window[0][1]:
            self.safe = self.window.popleft()[0]
        if not self.window:
            self.safe = self.read_to
        return self.safe


async def read(db: Database, stream: Stream, *, limit: int, poll: float) -> list[Due]:
    """The stream's next page of events as deliveries to send; those that need none (an
    event before the subscription, one already sent before a restart) are passed over."""
    async with db.unit_of_work(Scope(stream.tenant_path)) as uow:
        if stream.organization_id is not None and stream.within is None:
            stream.within = await _within(uow, stream.tenant_id, stream.organization_id)
        page = await events_after(
            uow, after=stream.read_to, topics=stream.types, limit=limit, within=stream.within
        )
        sent = await _sent(uow, stream.id, page.events)
    stream.read_to = page.next
    if len(page.events) < limit:
        stream.idle_until = time.monotonic() + poll
    dues = []
    for event in page.events:
        entry = [event.position, False]
        stream.window.append(entry)
        body = webhook_body(event.tenant_id, event.topic, event.payload, event.created_at)
        if body is None or event.id in sent or event.created_at < stream.created_at:
            entry[1] = True
            continue
        dues.append(
            Due(
                event.tenant_id,
                new_id(),
                stream.tenant_id,
                stream.id,
                event.id,
                body,
                0,
                stream.tenant_path,
                Fresh(stream, entry, event.topic, event.created_at),
            )
        )
    return dues


async def _within(uow: UnitOfWork, tenant_id: uuid.UUID, organization_id: uuid.UUID) -> Within:
    """The subtree of a confined client's organization (none left if it is gone)."""
    ref = (await organization_refs(uow, [organization_id])).get(organization_id)
    path = ref.path if ref else "_"
    return Within(
        tenant_id,
        ORGANIZATION_SUBTREE_IDS,
        {"subtree_tenant_id": tenant_id, "subtree_org_path": path},
    )


async def _sent(uow: UnitOfWork, subscription_id: uuid.UUID, events: list[FeedEvent]) -> set[Any]:
    if not events:
        return set()
    tenants, params = tenant_filter(uow.session)
    rows = await uow.session.execute(
        text(_SENT.format(tenants=tenants)),
        {**params, "s": subscription_id, "ids": [e.id for e in events]},
    )
    return {r[0] for r in rows}


async def save(uow: UnitOfWork, streams: Iterable[Stream]) -> list[tuple[Stream, Position]]:
    """Move the streams' cursors in the database (never back: re-enabling a webhook moves
    its cursor to the present); what was written, to note once committed."""
    moved = []
    for stream in streams:
        at = stream.cursor()
        if at > stream.saved:
            params = {"x": at[0], "s": at[1], "t": stream.tenant_id, "id": stream.id}
            await uow.session.execute(_SAVE, params)
            moved.append((stream, at))
    return moved
