"""Permission catalogue and custom role endpoints."""

from __future__ import annotations

import uuid

from litestar import delete, get, patch, post

from api.context import Ctx
from api.openapi_common import LIST, WRITE, errors
from api.tenancy import schemas as s
from domain.tenancy import CATALOGUE, ShippedRole, shipped_role_permissions
from infra.tenancy import roles as svc

ROLES = ["Roles"]


@get(
    "/permissions",
    summary="权限目录 Permission catalogue",
    tags=ROLES,
    operation_id="listPermissions",
    responses=errors(401),
)
async def list_permissions(ctx: Ctx) -> list[s.PermissionOut]:
    ctx.principal  # noqa: B018 - authenticated callers only
    return [s.PermissionOut(k, p.description.pick(ctx.lang)) for k, p in CATALOGUE.items()]


@get(
    "/roles",
    summary="角色列表 List roles",
    description="内置角色及本子树的自定义角色。",
    tags=ROLES,
    operation_id="listRoles",
    responses=LIST,
)
async def list_roles(ctx: Ctx) -> list[s.RoleOut]:
    shipped: dict[str, list[str]] = {}
    for role, resource, action in shipped_role_permissions():
        shipped.setdefault(role, []).append(f"{resource}:{action}")
    async with ctx.uow() as uow:
        custom = await svc.list_custom_roles(uow, ctx)
    out = [
        s.RoleOut(name=r.value, display_name=r.zh, shipped=True, permissions=shipped[r.value])
        for r in ShippedRole
    ]
    out += [
        s.RoleOut(
            name=c.name,
            display_name=c.display_name,
            shipped=False,
            permissions=c.permissions,
            id=c.id,
            tenant_id=c.tenant_id,
        )
        for c in custom
    ]
    return out


@post(
    "/roles",
    summary="新建自定义角色 Create a custom role",
    tags=ROLES,
    operation_id="createRole",
    responses=WRITE,
)
async def create_role(ctx: Ctx, data: s.RoleIn) -> s.RoleOut:
    async with ctx.uow() as uow:
        role = await svc.create_custom_role(
            uow,
            ctx,
            tenant_id=data.tenant_id or ctx.principal.tenant_id,
            name=data.name,
            display_name=data.display_name,
            permissions=data.permissions,
        )
    await ctx.authz_changed()
    return s.RoleOut(
        name=role.name,
        display_name=role.display_name,
        shipped=False,
        permissions=role.permissions,
        id=role.id,
        tenant_id=role.tenant_id,
    )


@patch(
    "/roles/{role_id:uuid}",
    summary="修改自定义角色 Update a custom role",
    tags=ROLES,
    operation_id="updateRole",
    responses=WRITE,
)
async def update_role(ctx: Ctx, role_id: uuid.UUID, data: s.RolePatch) -> s.RoleOut:
    async with ctx.uow() as uow:
        role = await svc.update_custom_role(
            uow, ctx, role_id, display_name=data.display_name, permissions=data.permissions
        )
    await ctx.authz_changed()
    return s.RoleOut(
        name=role.name,
        display_name=role.display_name,
        shipped=False,
        permissions=role.permissions,
        id=role.id,
        tenant_id=role.tenant_id,
    )


@delete(
    "/roles/{role_id:uuid}",
    summary="删除自定义角色 Delete a custom role",
    tags=ROLES,
    operation_id="deleteRole",
    responses=WRITE,
)
async def delete_role(ctx: Ctx, role_id: uuid.UUID) -> None:
    async with ctx.uow() as uow:
        await svc.delete_custom_role(uow, ctx, role_id)
    await ctx.authz_changed()


ROUTES = [list_permissions, list_roles, create_role, update_role, delete_role]
