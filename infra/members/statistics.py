"""党员统计: counts of an organization's subtree and of a tenant subtree per child tenant."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from domain.shared import Guard
from infra.authz import tenant_domain
from infra.db.session import UnitOfWork
from infra.members import queries
from infra.members.loading import get_org_or_404, get_tenant_or_404
from infra.tenancy import OrganizationRef, TenantRef, child_tenants


async def organization_member_stats(
    uow: UnitOfWork, guard: Guard, org_id: uuid.UUID, *, today: date
) -> tuple[OrganizationRef, queries.MemberCounts]:
    """党员统计 for an organization's subtree."""
    org = await get_org_or_404(uow, org_id)
    guard.require("member", "read", org.domain)
    return org, await queries.organization_counts(uow, org.tenant_id, org.path, today=today)


@dataclass(frozen=True, slots=True)
class TenantStats:
    tenant: TenantRef
    total: queries.MemberCounts
    own: queries.MemberCounts  # members of the tenant's own organizations
    children: list[tuple[TenantRef, queries.MemberCounts]]


async def tenant_member_stats(
    uow: UnitOfWork, guard: Guard, tenant_id: uuid.UUID, *, today: date
) -> TenantStats:
    """党员统计 rolled up over a tenant subtree, and per direct child tenant."""
    tenant = await get_tenant_or_404(uow, tenant_id)
    guard.require("member", "read", tenant_domain(tenant.path))
    buckets = await queries.tenant_counts(uow, tenant.path, today=today)
    children = await child_tenants(uow, tenant.id)
    total = queries.MemberCounts()
    for counts in buckets.values():
        total.merge(counts)
    return TenantStats(
        tenant=tenant,
        total=total,
        own=buckets.get(tenant.path, queries.MemberCounts()),
        children=[(c, buckets.get(c.path, queries.MemberCounts())) for c in children],
    )
