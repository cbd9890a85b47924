"""The evidence context's housekeeping: upload slots nobody confirmed, and bytes PUT late.

Both run in the platform's scope, so they see every tenant, and claim rows with SKIP
LOCKED, so API workers sweeping at the same time share the work instead of repeating it.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import col

from domain.evidence import ABANDONED_AFTER, ABANDONED_CODE, EvidenceStatus
from domain.tenancy import PLATFORM_PATH
from infra.db.session import Actor, Database, Scope, UnitOfWork
from infra.evidence.removal import remove_object
from infra.evidence.sealing import final_key
from infra.evidence.tables import Evidence
from infra.storage import ObjectStorage

log = logging.getLogger(__name__)

SWEEPER = Actor(user_id=None, name="system", tenant_id=None, client_addr=None, request_id=None)
"""Who the audit trail names for the sweeps' changes."""


async def _claim(uow: UnitOfWork, conditions: list[Any], order: Any, limit: int) -> list[Evidence]:
    """Rows meeting `conditions`, found without locks, then locked tenant by tenant with
    SKIP LOCKED: a lock names its tenant, so on Citus each runs on one shard."""
    found = await uow.session.execute(
        select(col(Evidence.tenant_id), col(Evidence.id))
        .where(*conditions)
        .order_by(order)
        .limit(limit)
    )
    by_tenant: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    for tenant_id, evidence_id in found:
        by_tenant[tenant_id].append(evidence_id)
    rows: list[Evidence] = []
    for tenant_id, ids in by_tenant.items():
        locked = await uow.session.execute(
            select(Evidence)
            .where(col(Evidence.tenant_id) == tenant_id, col(Evidence.id).in_(ids), *conditions)
            .with_for_update(skip_locked=True)
        )
        rows.extend(locked.scalars())
    return rows


async def sweep_abandoned(
    db: Database, storage: ObjectStorage, *, now: datetime, limit: int = 500
) -> int:
    """Clear upload slots nobody confirmed: the row kept as deleted, any bytes removed.

    Returns how many slots were cleared (at most `limit`; the next sweep takes the rest).
    """
    async with db.unit_of_work(Scope(PLATFORM_PATH), SWEEPER) as uow:
        rows = await _claim(
            uow,
            [
                col(Evidence.status) == EvidenceStatus.PENDING.value,
                col(Evidence.upload_expires_at) < now - ABANDONED_AFTER,
            ],
            col(Evidence.upload_expires_at),
            limit,
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
        rows = await _claim(
            uow,
            [col(Evidence.upload_key).is_not(None), col(Evidence.upload_expires_at) < now],
            col(Evidence.upload_expires_at),
            limit,
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
