"""An activity's evidence, page by page."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlmodel import col

from domain.evidence import EvidenceStatus
from domain.shared import Guard
from infra.activities import Caller, SeenActivity
from infra.db.session import UnitOfWork
from infra.evidence.access import activity_access, refuse
from infra.evidence.tables import Evidence


async def list_evidence(
    uow: UnitOfWork,
    guard: Guard,
    activity_id: uuid.UUID,
    *,
    caller: Caller,
    limit: int,
    cursor: uuid.UUID | None,
    kind: str | None,
    include_pending: bool,
) -> tuple[SeenActivity, list[Evidence]]:
    """Attached files; with `include_pending`, pending slots too: all of them for staff,
    the caller's own for anyone else."""
    access = await activity_access(uow, guard, activity_id, caller=caller)
    if not access.rights.can_read:
        raise refuse(guard, "read", access)
    stmt = select(Evidence).where(
        col(Evidence.tenant_id) == access.activity.tenant_id,
        col(Evidence.activity_id) == activity_id,
    )
    if include_pending:
        pending = col(Evidence.status) == EvidenceStatus.PENDING.value
        if not access.rights.staff:
            pending = pending & (col(Evidence.uploaded_by) == caller.user_id)
        stmt = stmt.where((col(Evidence.status) == EvidenceStatus.ATTACHED.value) | pending)
    else:
        stmt = stmt.where(col(Evidence.status) == EvidenceStatus.ATTACHED.value)
    if kind:
        stmt = stmt.where(col(Evidence.kind) == kind)
    if cursor:
        stmt = stmt.where(col(Evidence.id) > cursor)
    stmt = stmt.order_by(col(Evidence.id)).limit(limit + 1)
    return access.activity, list((await uow.session.execute(stmt)).scalars())
