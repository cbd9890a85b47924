"""The event feed (事件流) of the caller's subtree: the types its permissions read, personal
fields only with the sensitive permission, and every read of them audited.

A client confined to one organization's subtree reads the events placed in it (the
organization each was written with, as the tree stands now); tenant-level events, placed
in no organization, only clients of the whole tenant read.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from domain.integration import readable_types, redact, reveals
from domain.shared import Guard
from domain.tenancy import parse_domain
from infra.db.session import UnitOfWork
from infra.platform.feed import FeedEvent, Position, Within, events_after
from infra.tenancy import ORGANIZATION_SUBTREE_IDS


@dataclass(frozen=True, slots=True)
class ShownEvent:
    event: FeedEvent
    payload: dict[str, Any]  # redacted for the reader


@dataclass(frozen=True, slots=True)
class FeedRead:
    events: list[ShownEvent]
    next: Position


@dataclass(frozen=True, slots=True)
class Confinement:
    """An API client's organization: `domain` its Casbin domain, where its rights hold."""

    tenant_id: uuid.UUID
    domain: str


def feed_types(
    guard: Guard, asked: Sequence[str] | None, *, confined: Confinement | None
) -> tuple[str, ...]:
    """The types the caller reads (where a confined client's rights hold); refused before
    any row is read."""
    domain = confined.domain if confined else None
    guard.require("event", "read", domain)
    return readable_types(asked, lambda permission: guard.can(*permission.split(":"), domain))


def _within(confined: Confinement) -> Within:
    org_path = parse_domain(confined.domain)[1]
    assert org_path is not None  # a confined client's domain names its organization
    return Within(
        confined.tenant_id,
        ORGANIZATION_SUBTREE_IDS,
        {"subtree_tenant_id": confined.tenant_id, "subtree_org_path": org_path},
    )


async def read_feed(
    uow: UnitOfWork,
    guard: Guard,
    *,
    types: Sequence[str],
    after: Position,
    limit: int,
    confined: Confinement | None,
) -> FeedRead:
    sensitive = guard.can("member", "read_sensitive", confined.domain if confined else None)
    page = await events_after(
        uow,
        after=after,
        topics=types,
        limit=limit,
        within=_within(confined) if confined else None,
    )
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
