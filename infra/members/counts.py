"""Member counts the tenancy context asks for (an organization's structure warnings)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import text

from infra.db.session import UnitOfWork


async def count_members(
    uow: UnitOfWork, tenant_id: uuid.UUID, organization_ids: Sequence[uuid.UUID]
) -> tuple[int, int]:
    """Full members, and full and probationary members, of these organizations."""
    row = (
        await uow.session.execute(
            text(
                "SELECT count(*) FILTER (WHERE status = 'full'),"
                " count(*) FILTER (WHERE status IN ('full', 'probationary'))"
                " FROM member WHERE tenant_id = :t AND organization_id = ANY(:ids)"
            ),
            {"t": tenant_id, "ids": list(organization_ids)},
        )
    ).one()
    return int(row[0]), int(row[1])
