"""The audit trail (审计日志) of the caller's subtree, newest first."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select

from domain.shared import Guard, require_scopes
from infra.db.session import UnitOfWork
from infra.tenancy.tables import AuditEvent
from infra.tenancy.visibility import within_scopes


async def list_audit_events(
    uow: UnitOfWork,
    guard: Guard,
    *,
    limit: int,
    cursor: uuid.UUID | None,
    action: str | None,
    resource_type: str | None,
    actor_id: uuid.UUID | None,
    tenant_id: uuid.UUID | None,
    since: datetime | None,
    until: datetime | None,
) -> list[AuditEvent]:
    scopes = require_scopes(guard, "audit_event", "read")
    stmt = select(AuditEvent).where(within_scopes(scopes, tenant_id=AuditEvent.tenant_id))
    for column, value in (
        (AuditEvent.action, action),
        (AuditEvent.resource_type, resource_type),
        (AuditEvent.actor_id, actor_id),
        (AuditEvent.tenant_id, tenant_id),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    if since:
        stmt = stmt.where(AuditEvent.occurred_at >= since)  # type: ignore[operator]
    if until:
        stmt = stmt.where(AuditEvent.occurred_at < until)  # type: ignore[operator]
    if cursor:
        stmt = stmt.where(AuditEvent.id < cursor)  # type: ignore[operator]
    stmt = stmt.order_by(AuditEvent.id.desc()).limit(limit + 1)  # type: ignore[attr-defined]
    return list((await uow.session.execute(stmt)).scalars())
