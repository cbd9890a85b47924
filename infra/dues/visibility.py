"""Which dues rows a caller's lists show: those within the scopes where they hold
`dues:read`, and a member's own (a member's rights follow from the member record)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import false, or_, tuple_
from sqlalchemy.sql.elements import ColumnElement

from domain.shared import Guard
from domain.tenancy import org_domain
from infra.db.session import UnitOfWork
from infra.members import member_of_user
from infra.tenancy import organization_ids_in_domains, within_scopes


def readable(
    guard: Guard,
    *,
    tenant_id: Any,
    organization_id: Any,
    member_id: Any,
    own_member: uuid.UUID | None,
) -> ColumnElement[bool]:
    scopes = guard.scopes("dues", "read")
    tenant_wide = [(t, o) for t, o in scopes if o is None]
    by_org = [org_domain(t, o) for t, o in scopes if o is not None]
    clauses: list[ColumnElement[bool]] = []
    if tenant_wide:
        clauses.append(within_scopes(tenant_wide, tenant_id=tenant_id))
    if by_org:
        clauses.append(tuple_(tenant_id, organization_id).in_(organization_ids_in_domains(by_org)))
    if own_member is not None:
        clauses.append(member_id == own_member)
    return or_(*clauses) if clauses else false()


async def own_member(uow: UnitOfWork, tenant_id: uuid.UUID, user_id: uuid.UUID) -> uuid.UUID | None:
    """The caller's own active member record, if they are a member."""
    place = await member_of_user(uow, tenant_id, user_id)
    return place.id if place else None
