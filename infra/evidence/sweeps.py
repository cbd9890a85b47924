"""The evidence context's housekeeping: upload slots nobody confirmed, and bytes PUT late.

Both run in the platform's scope, so they see every tenant, and claim rows with SKIP
LOCKED, so API workers sweeping at the same time share the work instead of repeating it.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlmodel import col

from domain.evidence import ABANDONED_AFTER, ABANDONED_CODE, EvidenceStatus
from domain.tenancy import PLATFORM_PATH
from infra.db.session import Actor, Database, Scope
from infra.evidence.removal import remove_object
from infra.evidence.sealing import final_key
from infra.evidence.tables import Evidence
from infra.storage import ObjectStorage

log = logging.getLogger(__name__)

SWEEPER = Actor(user_id=None, name="system", tenant_id=None, client_addr=None, request_id=None)
"""Who the audit trail names for the sweeps' changes."""


async def sweep_abandoned(
    db: Database, storage: ObjectStorage, *, now: datetime, limit: int = 500
) -> int:
    """Clear upload slots nobody confirmed: the row kept as deleted, any bytes removed.

    Returns how many slots were cleared (at most `limit`; the next sweep takes the rest).
    """
    async with db.unit_of_work(Scope(PLATFORM_PATH), SWEEPER) as uow:
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


async def sweep_late_uploads(
    db: Database, storage: ObjectStorage, *, now: datetime, limit: int = 500
) -> int:
    """Remove what may have been PUT to confirmed slots' upload keys, once their URLs expired."""
    async with db.unit_of_work(Scope(PLATFORM_PATH), SWEEPER) as uow:
        rows = (
            (
                await uow.session.execute(
                    select(Evidence)
                    .where(
                        col(Evidence.upload_key).is_not(None),
                        col(Evidence.upload_expires_at) < now,
                    )
                    .limit(limit)
                    .with_for_update(skip_locked=True)
                )
            )
            .scalars()
            .all()
        )
        keys = [row.upload_key for row in rows if row.upload_key is not None]
        for row in rows:
            row.upload_key = None
            uow.session.add(row)
    for key in keys:
        try:
            await storage.delete(key)
        except Exception:
            log.exception("could not delete late upload %s", key)
    return len(keys)
