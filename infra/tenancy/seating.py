"""Who sits on which 支部委员会 on a given day (committee_post.member_id), for other
contexts: a 支委会 expects only them."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy import text

from infra.db.session import UnitOfWork


async def committee_seats(
    uow: UnitOfWork,
    tenant_id: uuid.UUID,
    *,
    organization_ids: Sequence[uuid.UUID],
    on: date,
    member_ids: Sequence[uuid.UUID] | None = None,
) -> dict[uuid.UUID, frozenset[uuid.UUID]]:
    """Member id → the organizations (of those given) whose committee they sit on, `on` that
    day; members of the registry only (a post held by someone without a member record is
    not a seat here)."""
    if not organization_ids:
        return {}
    rows = (
        await uow.session.execute(
            text(
                "SELECT member_id, array_agg(organization_id) FROM committee_post"
                " WHERE tenant_id = :t AND member_id IS NOT NULL"
                "   AND organization_id = ANY(:orgs) AND term_start <= :on"
                "   AND (term_end IS NULL OR term_end >= :on)"
                "   AND (CAST(:members AS uuid[]) IS NULL OR member_id = ANY(:members))"
                " GROUP BY member_id"
            ),
            {
                "t": tenant_id,
                "orgs": list(organization_ids),
                "on": on,
                "members": list(member_ids) if member_ids is not None else None,
            },
        )
    ).all()
    return {r[0]: frozenset(r[1]) for r in rows}
