"""Per-activity limits: the tenant's policy, what an activity holds, one writer at a time."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select, text
from sqlmodel import col

from domain.evidence import EvidencePolicy, EvidenceStatus, EvidenceUsage
from infra.activities import SeenActivity
from infra.db.session import UnitOfWork
from infra.evidence.tables import Evidence
from infra.tenancy import effective_settings_of


async def tenant_policy(uow: UnitOfWork, tenant_id: uuid.UUID) -> EvidencePolicy:
    settings = await effective_settings_of(uow, tenant_id)
    return EvidencePolicy(
        max_file_bytes=settings.evidence_max_file_bytes,
        max_files_per_activity=settings.evidence_max_files_per_activity,
    )


async def usage(uow: UnitOfWork, activity: SeenActivity, *, with_live_slots: bool) -> EvidenceUsage:
    """Attached files, plus pending slots whose upload URL still works when asked."""
    counted = col(Evidence.status) == EvidenceStatus.ATTACHED.value
    if with_live_slots:
        counted = counted | (
            (col(Evidence.status) == EvidenceStatus.PENDING.value)
            & (col(Evidence.upload_expires_at) > func.now())
        )
    stmt = select(func.count(), func.coalesce(func.sum(Evidence.size_bytes), 0)).where(
        col(Evidence.tenant_id) == activity.tenant_id,
        col(Evidence.activity_id) == activity.id,
        counted,
    )
    count, total = (await uow.session.execute(stmt)).one()
    return EvidenceUsage(file_count=int(count), total_bytes=int(total))


async def lock_activity_evidence(uow: UnitOfWork, activity: SeenActivity) -> None:
    """Serialize slot requests and confirmations per activity, so limits hold under races."""
    await uow.session.execute(
        text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"),
        {"k": f"evidence:{activity.tenant_id}:{activity.id}"},
    )
