"""What other contexts may know of evidence files: which of some ids are attached, which
activities have any.

Published through `infra.evidence` so that a record elsewhere (a step of a development
file) can cite evidence by id without reading the evidence table itself.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select, text
from sqlmodel import col

from domain.evidence import EvidenceStatus
from infra.db.session import UnitOfWork
from infra.evidence.tables import Evidence


async def attached_evidence(
    uow: UnitOfWork, tenant_id: uuid.UUID, evidence_ids: Sequence[uuid.UUID]
) -> set[uuid.UUID]:
    """Those of `evidence_ids` that are attached (uploaded, verified) files of the tenant."""
    if not evidence_ids:
        return set()
    rows = await uow.session.execute(
        select(Evidence.id).where(
            col(Evidence.tenant_id) == tenant_id,
            col(Evidence.id).in_(list(evidence_ids)),
            col(Evidence.status) == EvidenceStatus.ATTACHED.value,
        )
    )
    return set(rows.scalars())


async def activities_with_evidence(
    uow: UnitOfWork, tenant_id: uuid.UUID, activity_ids: Sequence[uuid.UUID]
) -> set[uuid.UUID]:
    """Those of `activity_ids` with at least one attached file (evidence completeness);
    one array parameter, so any number of ids is one statement."""
    if not activity_ids:
        return set()
    rows = await uow.session.execute(
        text(
            "SELECT DISTINCT activity_id FROM evidence"
            " WHERE tenant_id = :t AND status = :attached AND activity_id = ANY(:ids)"
        ),
        {"t": tenant_id, "attached": EvidenceStatus.ATTACHED.value, "ids": list(activity_ids)},
    )
    return set(rows.scalars())
