"""Organization endpoints (党组织): create, list, read, update, move."""

from __future__ import annotations

import uuid

from litestar import get, patch, post

from api.context import Ctx
from api.deps import MemberCount
from api.openapi_common import LIST, READ, WRITE
from api.pagination import Cursor, Limit, Page, decode_cursor, page_of
from api.tenancy import presenters as present
from api.tenancy import schemas as s
from api.tenancy.params import NameContains
from infra.tenancy import organizations as svc

ORGS = ["Organizations"]


@post(
    "/organizations",
    summary="新建党组织 Create an organization",
    tags=ORGS,
    operation_id="createOrganization",
    responses=WRITE,
)
async def create_organization(ctx: Ctx, data: s.OrganizationIn) -> s.OrganizationOut:
    async with ctx.uow() as uow:
        org = await svc.create_organization(
            uow,
            ctx,
            home_tenant_id=ctx.principal.tenant_id,
            tenant_id=data.tenant_id,
            parent_id=data.parent_id,
            kind=data.kind,
            name=data.name,
            established_on=data.established_on,
            end_date=data.end_date,
            term_start=data.term_start,
            term_end=data.term_end,
            approval_authority=data.approval_authority,
        )
        return present.org_out(org)


@get(
    "/organizations",
    summary="党组织列表 List organizations",
    description="可按租户、上级组织、子树（under）、类型和名称筛选。",
    tags=ORGS,
    operation_id="listOrganizations",
    responses=LIST,
)
async def list_organizations(
    ctx: Ctx,
    limit: Limit = 50,
    cursor: Cursor = None,
    tenant_id: uuid.UUID | None = None,
    parent_id: uuid.UUID | None = None,
    under: uuid.UUID | None = None,
    kind: s.OrgKindName | None = None,
    q: NameContains = None,
) -> Page[s.OrganizationOut]:
    async with ctx.uow() as uow:
        rows = await svc.list_organizations(
            uow,
            ctx,
            limit=limit,
            cursor=decode_cursor(cursor),
            tenant_id=tenant_id,
            parent_id=parent_id,
            under=under,
            kind=kind,
            q=q,
        )
    return page_of([present.org_out(r) for r in rows], limit, lambda o: o.id)


@get(
    "/organizations/{org_id:uuid}",
    summary="党组织详情 Get an organization",
    description="含支部委员会成员和组织设置提醒（如满7名正式党员未设支委会）。",
    tags=ORGS,
    operation_id="getOrganization",
    responses=READ,
)
async def get_organization(
    ctx: Ctx, org_id: uuid.UUID, member_counts: MemberCount
) -> s.OrganizationDetailOut:
    async with ctx.uow() as uow:
        detail = await svc.read_organization(uow, ctx, org_id, member_counts)
    return s.OrganizationDetailOut(
        organization=present.org_out(detail.org),
        committee=[present.post_out(p) for p in detail.posts],
        warnings=[s.WarningOut(w.code, w.message.pick(ctx.lang)) for w in detail.warnings],
    )


@patch(
    "/organizations/{org_id:uuid}",
    summary="修改党组织 Update an organization",
    tags=ORGS,
    operation_id="updateOrganization",
    responses=WRITE,
)
async def update_organization(
    ctx: Ctx, org_id: uuid.UUID, data: s.OrganizationPatch
) -> s.OrganizationOut:
    changes = s.sent_fields(data)
    async with ctx.uow() as uow:
        return present.org_out(await svc.update_organization(uow, ctx, org_id, changes=changes))


@post(
    "/organizations/{org_id:uuid}/move",
    summary="调整隶属关系 Move an organization",
    description="把党组织连同下级整体移到新的上级之下，路径在同一事务内全部更新。",
    tags=ORGS,
    operation_id="moveOrganization",
    status_code=200,
    responses=WRITE,
)
async def move_organization(ctx: Ctx, org_id: uuid.UUID, data: s.MoveIn) -> s.OrganizationOut:
    async with ctx.uow() as uow:
        moved = present.org_out(await svc.move_organization(uow, ctx, org_id, data.parent_id))
    # Role domains below the subtree moved with it; this worker must not answer from the
    # old ones while the NOTIFY is still on its way.
    await ctx.authz_changed()
    return moved


ROUTES = [
    create_organization,
    list_organizations,
    get_organization,
    update_organization,
    move_organization,
]
