"""Removing evidence: a person deletes it; the row is kept, the bytes go after the commit.

The request removes the bytes at once, as best it can; for attached evidence the relay
removes them again from the `evidence.deleted` event, so a removal that failed, or a
worker that died between the commit and the removal, leaves no bytes behind.
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime

from domain.evidence import EvidenceStatus
from domain.shared import Guard
from infra.activities import Caller
from infra.db.session import UnitOfWork
from infra.evidence.access import readable, refuse
from infra.evidence.tables import Evidence
from infra.platform.outbox import emit
from infra.platform.relay import RelayedEvent, RelayHandler
from infra.storage import ObjectStorage

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
            organization_id=access.activity.organizer_id,
        )
    return row


async def remove_object(storage: ObjectStorage, key: str) -> None:
    """Best effort after the row is committed as deleted; a failure leaves an orphan only."""
    try:
        await storage.delete(key)
    except Exception:
        log.exception("could not delete object %s of deleted evidence", key)


def remove_deleted_bytes(storage: ObjectStorage) -> RelayHandler:
    """The relay handler of `evidence.deleted`: a failure raises, so the relay retries it."""

    async def handle(uow: UnitOfWork, event: RelayedEvent) -> None:
        evidence_id = uuid.UUID(event.payload["evidence_id"])
        row = await uow.session.get(Evidence, (event.tenant_id, evidence_id))
        if row is not None and row.status == EvidenceStatus.DELETED.value:
            await storage.delete(row.object_key)

    return handle
