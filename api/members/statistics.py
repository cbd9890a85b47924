"""Member statistics endpoints (党员统计): counts of an organization's subtree and of a
tenant subtree, derived from the registry (nothing is filled in by hand)."""

from __future__ import annotations

import uuid

from litestar import get

from api.context import Ctx
from api.members import presenters as present
from api.members import schemas as s
from api.openapi_common import READ
from infra.members import statistics, today

STATS = ["Statistics"]


@get(
    "/organizations/{org_id:uuid}/member-stats",
    summary="党组织党员统计 Member statistics of an organization",
    description=(
        "由党员信息实时统计（不需填报）：按状态、人员类别、性别、民族、年龄段（党内统计公报口径）"
        "和学历计数，范围为该党组织及其下级。"
    ),
    tags=STATS,
    operation_id="getOrganizationMemberStats",
    responses=READ,
)
async def organization_member_stats(ctx: Ctx, org_id: uuid.UUID) -> s.OrganizationStatsOut:
    day = today()
    async with ctx.uow() as uow:
        org, counts = await statistics.organization_member_stats(uow, ctx, org_id, today=day)
    return s.OrganizationStatsOut(
        organization_id=org.id,
        organization_name=org.name,
        as_of=day,
        counts=present.counts_out(counts),
    )


@get(
    "/stats/members",
    summary="租户党员统计 Member statistics of a tenant subtree",
    description=(
        "租户子树的党员统计汇总，并按直属下级租户分列（各含其整个子树）；`own` 为本级租户"
        "自身党组织的党员。不传 tenant_id 时为调用者所在租户。"
    ),
    tags=STATS,
    operation_id="getTenantMemberStats",
    responses=READ,
)
async def tenant_member_stats(ctx: Ctx, tenant_id: uuid.UUID | None = None) -> s.TenantStatsOut:
    day = today()
    async with ctx.uow() as uow:
        stats = await statistics.tenant_member_stats(
            uow, ctx, tenant_id or ctx.principal.tenant_id, today=day
        )
    return s.TenantStatsOut(
        tenant_id=stats.tenant.id,
        code=stats.tenant.code,
        name=stats.tenant.name,
        as_of=day,
        total=present.counts_out(stats.total),
        own=present.counts_out(stats.own),
        children=[
            s.TenantCountsOut(c.id, c.code, c.name, present.counts_out(counts))
            for c, counts in stats.children
        ],
    )


ROUTES = [organization_member_stats, tenant_member_stats]
