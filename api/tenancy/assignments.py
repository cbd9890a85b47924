"""Role assignment endpoints (角色授权): list, grant, revoke."""

from __future__ import annotations

import uuid

from litestar import delete, get, post

from api.context import Ctx
from api.openapi_common import LIST, WRITE
from api.pagination import Cursor, Limit, Page, decode_cursor, page_of
from api.tenancy import presenters as present
from api.tenancy import schemas as s
from infra.authz import user_subject
from infra.tenancy import assignments as svc

ROLES = ["Roles"]


@get(
    "/role-assignments",
    summary="角色授权列表 List role assignments",
    tags=ROLES,
    operation_id="listRoleAssignments",
    responses=LIST,
)
async def list_role_assignments(
    ctx: Ctx, limit: Limit = 50, cursor: Cursor = None, user_id: uuid.UUID | None = None
) -> Page[s.RoleAssignmentOut]:
    async with ctx.uow() as uow:
        rows = await svc.list_role_assignments(
            uow, ctx, limit=limit, cursor=decode_cursor(cursor), user_id=user_id
        )
    return page_of([present.assignment_out(r) for r in rows], limit, lambda r: r.id)


@post(
    "/role-assignments",
    summary="授予角色 Grant a role",
    tags=ROLES,
    description="在租户或党组织子树上授予角色；变更即时通知所有工作进程。",
    operation_id="grantRole",
    responses=WRITE,
)
async def grant_role(ctx: Ctx, data: s.RoleAssignmentIn) -> s.RoleAssignmentOut:
    async with ctx.uow() as uow:
        row = await svc.grant_role(
            uow,
            ctx,
            granter_id=ctx.principal.user_id,
            user_id=data.user_id,
            role=data.role,
            tenant_id=data.tenant_id,
            organization_id=data.organization_id,
        )
    ctx.authz.grant(user_subject(row.user_id), row.role, row.domain)
    return present.assignment_out(row)


@delete(
    "/role-assignments/{assignment_id:uuid}",
    summary="收回角色 Revoke a role",
    tags=ROLES,
    operation_id="revokeRole",
    responses=WRITE,
)
async def revoke_role(ctx: Ctx, assignment_id: uuid.UUID) -> None:
    async with ctx.uow() as uow:
        await svc.revoke_role(uow, ctx, assignment_id)
    await ctx.authz_changed()


ROUTES = [list_role_assignments, grant_role, revoke_role]
