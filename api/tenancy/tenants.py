"""Tenant endpoints (租户): create, list, read, update, effective settings."""

from __future__ import annotations

import uuid

from litestar import get, patch, post

from api.context import Ctx
from api.openapi_common import LIST, READ, WRITE
from api.pagination import Cursor, Limit, Page, decode_cursor, page_of
from api.tenancy import presenters as present
from api.tenancy import schemas as s
from api.tenancy.params import NameContains
from infra.tenancy import tenants as svc

TENANTS = ["Tenants"]


@post(
    "/tenants",
    summary="新建租户 Create a tenant",
    description="平台管理员创建省级租户；租户管理员在本级之下创建下一级租户（省→市→县）。",
    tags=TENANTS,
    operation_id="createTenant",
    responses=WRITE,
)
async def create_tenant(ctx: Ctx, data: s.TenantIn) -> s.TenantOut:
    async with ctx.uow() as uow:
        tenant = await svc.create_tenant(
            uow,
            ctx,
            home_tenant_id=ctx.principal.tenant_id,
            code=data.code,
            name=data.name,
            parent_id=data.parent_id,
            level=data.level,
            settings=data.settings,
        )
        return present.tenant_out(tenant)


@get(
    "/tenants",
    summary="租户列表 List tenants",
    description="调用者可见子树内的租户，游标分页。",
    tags=TENANTS,
    operation_id="listTenants",
    responses=LIST,
)
async def list_tenants(
    ctx: Ctx,
    limit: Limit = 50,
    cursor: Cursor = None,
    level: s.Level | None = None,
    parent_id: uuid.UUID | None = None,
    q: NameContains = None,
) -> Page[s.TenantOut]:
    async with ctx.uow() as uow:
        rows = await svc.list_tenants(
            uow,
            ctx,
            limit=limit,
            cursor=decode_cursor(cursor),
            level=level,
            parent_id=parent_id,
            q=q,
        )
    return page_of([present.tenant_out(r) for r in rows], limit, lambda t: t.id)


@get(
    "/tenants/{tenant_id:uuid}",
    summary="租户详情 Get a tenant",
    tags=TENANTS,
    operation_id="getTenant",
    responses=READ,
)
async def get_tenant(ctx: Ctx, tenant_id: uuid.UUID) -> s.TenantOut:
    async with ctx.uow() as uow:
        return present.tenant_out(await svc.read_tenant(uow, ctx, tenant_id))


@patch(
    "/tenants/{tenant_id:uuid}",
    summary="修改租户 Update a tenant",
    description="修改名称或本级配置（配置自上而下继承，本级只保存覆盖项）。",
    tags=TENANTS,
    operation_id="updateTenant",
    responses=WRITE,
)
async def update_tenant(ctx: Ctx, tenant_id: uuid.UUID, data: s.TenantPatch) -> s.TenantOut:
    async with ctx.uow() as uow:
        tenant = await svc.update_tenant(
            uow, ctx, tenant_id, name=data.name, settings=data.settings
        )
        return present.tenant_out(tenant)


@get(
    "/tenants/{tenant_id:uuid}/settings",
    summary="生效配置 Effective settings",
    description="默认值叠加各上级及本级覆盖项后的生效配置。",
    tags=TENANTS,
    operation_id="getTenantSettings",
    responses=READ,
)
async def get_tenant_settings(ctx: Ctx, tenant_id: uuid.UUID) -> dict[str, object]:
    async with ctx.uow() as uow:
        return await svc.tenant_settings(uow, ctx, tenant_id)


ROUTES = [create_tenant, list_tenants, get_tenant, update_tenant, get_tenant_settings]
