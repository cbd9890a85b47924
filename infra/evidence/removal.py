"""Removing evidence: deletion by a person, and the sweep of abandoned upload slots."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime

from sqlalchemy import select
from sqlmodel import col

from domain.evidence import ABANDONED_AFTER, ABANDONED_CODE, EvidenceStatus
from infra.activities import Caller
from infra.db.session import Actor, Database, Scope, UnitOfWork
from infra.evidence.access import readable, refuse
from infra.evidence.sealing import final_key
from infra.evidence.tables import Evidence
from infra.platform.outbox import emit
from infra.storage import ObjectStorage
from infra.tenancy import PLATFORM_PATH
from infra.tenancy.service import Guard

log = logging.getLogger(__name__)


async def delete(
    uow: UnitOfWork,
    guard: Guard,
    evidence_id: uuid.UUID,
    *,
    caller: Caller,
) -> Evidence:
    """Mark the row deleted (kept for the record: who removed what, when).

    The caller removes the bytes from storage after the commit (`remove_object`).
    """
    row, access = await readable(uow, guard, evidence_id, caller=caller, lock=True)
    if not access.rights.may_delete(row.status, mine=row.uploaded_by == caller.user_id):
        raise refuse(guard, "delete", access)
    previous = row.status
    row.status = EvidenceStatus.DELETED.value
    row.deleted_at = datetime.now(UTC)
    row.deleted_by = caller.user_id
    uow.session.add(row)
    uow.audit(
        "evidence.delete",
        "evidence",
        row.id,
        tenant_id=row.tenant_id,
        detail={
            "activity_id": str(row.activity_id),
            "filename": row.filename,
            "sha256": row.sha256,
            "previous_status": previous,
        },
    )
    if previous == EvidenceStatus.ATTACHED.value:
        emit(
            uow,
            tenant_id=row.tenant_id,
            topic="evidence.deleted",
            aggregate_type="activity",
            aggregate_id=row.activity_id,
            payload={"evidence_id": str(row.id), "activity_id": str(row.activity_id)},
        )
    return row


async def remove_object(storage: ObjectStorage, key: str) -> None:
    """Best effort after the row is committed as deleted; a failure leaves an orphan only."""
    try:
        await storage.delete(key)
    except Exception:
        log.exception("could not delete object %s of deleted evidence", key)


SYSTEM_ACTOR = Actor(user_id=None, name="system", tenant_id=None, client_addr=None, request_id=None)


async def sweep_abandoned(
    db: Database, storage: ObjectStorage, *, now: datetime, limit: int = 500
) -> int:
    """Clear upload slots nobody confirmed: the row kept as deleted, any bytes removed.

    Runs in the platform's scope, so it sees every tenant. Rows are claimed with SKIP
    LOCKED: API workers sweeping at the same time share the work instead of repeating it.
    Returns how many slots were cleared (at most `limit`; the next sweep takes the rest).
    """
    async with db.unit_of_work(Scope(PLATFORM_PATH), SYSTEM_ACTOR) as uow:
        rows = (
            (
                await uow.session.execute(
                    select(Evidence)
                    .where(
                        col(Evidence.status) == EvidenceStatus.PENDING.value,
                        col(Evidence.upload_expires_at) < now - ABANDONED_AFTER,
                    )
                    .order_by(col(Evidence.upload_expires_at))
                    .limit(limit)
                    .with_for_update(skip_locked=True)
                )
            )
            .scalars()
            .all()
        )
        for row in rows:
            row.status = EvidenceStatus.DELETED.value
            row.deleted_at = now
            row.last_error_code = ABANDONED_CODE
            uow.session.add(row)
            uow.audit(
                "evidence.expire",
                "evidence",
                row.id,
                tenant_id=row.tenant_id,
                detail={"activity_id": str(row.activity_id), "filename": row.filename},
            )
        keys = [key for row in rows for key in (row.object_key, final_key(row.object_key))]
    for key in keys:
        await remove_object(storage, key)
    return len(rows)
