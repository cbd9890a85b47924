"""What other contexts may know of evidence files: which of some ids are attached, which
activities have any.

Published through `infra.evidence` so that a record elsewhere (a step of a development
file) can cite evidence by id without reading the evidence table itself.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import Subquery, select
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


def documented_activities(tenant_id: uuid.UUID) -> Subquery:
    """(activity_id) of each activity of the tenant with at least one attached file, for
    joining in another context's statement (evidence completeness of a star run counts
    them over all of a province's branches in one)."""
    return (
        select(col(Evidence.activity_id))
        .where(
            col(Evidence.tenant_id) == tenant_id,
            col(Evidence.status) == EvidenceStatus.ATTACHED.value,
        )
        .distinct()
        .subquery("documented_activity")
    )
