"""党员统计: counts of an organization's subtree and of a tenant subtree per child tenant."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from domain.shared import Guard
from infra.authz import tenant_domain
from infra.db.session import UnitOfWork
from infra.members import queries
from infra.members.loading import get_org_or_404
from infra.tenancy import get_tenant, org_domain_of
from infra.tenancy.tables import Organization, Tenant


async def organization_member_stats(
    uow: UnitOfWork, guard: Guard, org_id: uuid.UUID, *, today: date
) -> tuple[Organization, queries.MemberCounts]:
    """党员统计 for an organization's subtree."""
    org = await get_org_or_404(uow, org_id)
    guard.require("member", "read", await org_domain_of(uow, org))
    return org, await queries.organization_counts(uow, org.tenant_id, org.path, today=today)


@dataclass(frozen=True, slots=True)
class TenantStats:
    tenant: Tenant
    total: queries.MemberCounts
    own: queries.MemberCounts  # members of the tenant's own organizations
    children: list[tuple[Tenant, queries.MemberCounts]]


async def tenant_member_stats(
    uow: UnitOfWork, guard: Guard, tenant_id: uuid.UUID, *, today: date
) -> TenantStats:
    """党员统计 rolled up over a tenant subtree, and per direct child tenant."""
    tenant = await get_tenant(uow, tenant_id)
    guard.require("member", "read", tenant_domain(tenant.path))
    buckets = await queries.tenant_counts(uow, tenant.path, today=today)
    children = list(
        (
            await uow.session.execute(
                select(Tenant).where(Tenant.parent_id == tenant.id).order_by(Tenant.code)  # type: ignore[arg-type]
            )
        ).scalars()
    )
    total = queries.MemberCounts()
    for counts in buckets.values():
        total.merge(counts)
    return TenantStats(
        tenant=tenant,
        total=total,
        own=buckets.get(tenant.path, queries.MemberCounts()),
        children=[(c, buckets.get(c.path, queries.MemberCounts())) for c in children],
    )
