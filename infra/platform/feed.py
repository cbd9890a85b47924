"""Reading the outbox as a feed (事件流): the caller's subtree, in commit-safe order.

A position is `(xid, seq)`, the relay's order. A page holds only events of transactions
older than every running one (`zhibu_outbox_bound`), so an event whose transaction began
before an event already read, but committed after, still comes after the position that
event gave. A page shorter than asked has read everything below the bound, so the next
position moves up to it: a reader filtering on types rescans nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text

from infra.db.routing import tenant_filter
from infra.db.session import UnitOfWork

Position = tuple[int, int]
START: Position = (0, 0)


@dataclass(frozen=True, slots=True)
class FeedEvent:
    tenant_id: uuid.UUID
    id: uuid.UUID
    position: Position
    topic: str
    aggregate_type: str
    aggregate_id: str
    payload: dict[str, Any]
    created_at: datetime


@dataclass(frozen=True, slots=True)
class FeedPage:
    events: list[FeedEvent]
    next: Position  # where the next page starts


_BOUND = text("SELECT zhibu_outbox_bound(CAST(CAST(:after AS text) AS xid8))::text")
# The position's xid goes out as text (psycopg has no xid8 type) under another name: a bare
# `xid` in ORDER BY would name that output column and sort as text ("999" after "1000").
_PAGE = (
    "SELECT tenant_id, id, xid::text AS xid_text, seq, topic, aggregate_type, aggregate_id,"
    " payload, created_at FROM outbox_event"
    " WHERE {tenants}"
    " AND (xid, seq) > (CAST(CAST(:xid AS text) AS xid8), :seq)"
    " AND xid < CAST(:bound AS xid8)"
    " AND topic = ANY(:topics){within}"
    " ORDER BY xid, seq LIMIT :limit"
)
_WITHIN = " AND tenant_id = :within_tenant_id AND organization_id IN ({organizations})"


@dataclass(frozen=True, slots=True)
class Within:
    """One organization's subtree: the events placed there, tenant-level ones left out.
    `organizations` is SQL selecting the subtree's ids (the tenancy context's), binding
    `params`."""

    tenant_id: uuid.UUID
    organizations: str
    params: dict[str, Any]


async def bound_position(uow: UnitOfWork) -> Position:
    """Where a reader starting now begins: after every event of a transaction already
    ended, before any of a transaction still running (a webhook subscription's start)."""
    bound = (await uow.session.execute(_BOUND, {"after": 0})).scalar_one()
    return (int(bound), 0)


async def events_after(
    uow: UnitOfWork,
    *,
    after: Position,
    topics: Sequence[str],
    limit: int,
    within: Within | None = None,
) -> FeedPage:
    """The visible events of `topics` after `after` (row-level security keeps them to the
    caller's subtree; `within` to one organization's), at most `limit`."""
    bound = (await uow.session.execute(_BOUND, {"after": after[0]})).scalar_one()
    tenants, params = tenant_filter(uow.session)
    narrowed = "" if within is None else _WITHIN.format(organizations=within.organizations)
    if within is not None:
        params = {**params, **within.params, "within_tenant_id": within.tenant_id}
    rows = (
        await uow.session.execute(
            text(_PAGE.format(tenants=tenants, within=narrowed)),
            {
                **params,
                "xid": after[0],
                "seq": after[1],
                "bound": bound,
                "topics": list(topics),
                "limit": limit,
            },
        )
    ).all()
    events = [FeedEvent(r[0], r[1], (int(r[2]), r[3]), r[4], r[5], r[6], r[7], r[8]) for r in rows]
    if len(events) == limit:
        return FeedPage(events, events[-1].position)
    return FeedPage(events, max(after, (int(bound), 0)))
