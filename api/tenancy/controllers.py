"""Tenancy endpoints. Thin: parse, call the use case in the caller's transaction, present."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from litestar import delete, get, patch, post
from litestar.openapi.spec import Example
from litestar.params import Parameter

from api.context import Ctx
from api.openapi_common import LIST, READ, WRITE, errors
from api.pagination import Cursor, Limit, Page, decode_cursor, page_of
from api.ratelimit import limit_account
from api.tenancy import presenters as present
from api.tenancy import schemas as s
from api.tenancy.mfa import MfaChallengeOut, challenge_out
from domain.tenancy import CATALOGUE, ShippedRole, shipped_role_permissions
from infra.authz import user_subject
from infra.db.session import Scope
from infra.hashing import PASSWORD_HASHING
from infra.members.protect import protector_for
from infra.tenancy import accounts
from infra.tenancy import service as svc
from infra.tenancy.auth import AuthService, LoginChallenge
from infra.tenancy.mfa import MfaService

AUTH = ["Auth"]
TENANTS = ["Tenants"]
ORGS = ["Organizations"]
USERS = ["Users"]
ROLES = ["Roles"]
AUDIT = ["Audit"]

Q = Annotated[
    str | None,
    Parameter(
        max_length=100, description="名称包含 Name contains", examples=[Example(value="福田")]
    ),
]


def _auth(ctx: Ctx) -> AuthService:
    return AuthService(ctx.db, ctx.settings, MfaService(ctx.db, ctx.settings))


async def _hash(ctx: Ctx, password: str) -> str:
    """Hash before the transaction: no connection is held while argon2 runs.

    Only a logged-in caller makes the server hash; the hashing bound applies.
    """
    ctx.principal  # noqa: B018 - authenticates: 401 before any hashing
    return await PASSWORD_HASHING.hash(password)


@post(
    "/auth/login",
    summary="登录 Log in",
    description=(
        "用户名或手机号加密码登录，返回短期访问令牌和轮换的刷新令牌。"
        "同一来源地址连续失败会被暂时锁定（其他地址不受影响）；"
        "请求过多时返回 429 或 503，并带 Retry-After。"
        "需要双因素认证的账号（管理员，或租户设置 `mfa_required_for_staff` 下的全体工作人员，"
        "以及已绑定动态验证码的任何账号）改为返回 `mfa_required: true` 和一个 5 分钟有效的"
        " `challenge`：已绑定的用 `POST /auth/login/mfa` 提交验证码，未绑定的"
        "（`enrollment_required: true`）先 `POST /auth/mfa/enroll` 再 `POST /auth/mfa/confirm`。"
    ),
    tags=AUTH,
    operation_id="login",
    status_code=200,
    responses=errors(400, 401, 429, 503),
    security=[{}],
)
async def login(ctx: Ctx, data: s.LoginIn) -> s.TokenOut | MfaChallengeOut:
    await limit_account(ctx.request, data.username, protector_for(ctx.settings))
    result = await _auth(ctx).login(data.username, data.password, ctx.actor())
    if isinstance(result, LoginChallenge):
        return challenge_out(result)
    return present.tokens_out(result)


@post(
    "/auth/refresh",
    summary="刷新令牌 Refresh the session",
    description=(
        "以刷新令牌换取新的访问令牌和刷新令牌；旧刷新令牌作废，重复使用将注销整个会话。"
        "会话保持登录时的双因素认证状态；账号需要双因素认证而本会话未经过时返回 401"
        " `mfa_required`，须重新登录。"
    ),
    tags=AUTH,
    operation_id="refreshToken",
    status_code=200,
    responses=errors(400, 401),
    security=[{}],
)
async def refresh(ctx: Ctx, data: s.RefreshIn) -> s.TokenOut:
    return present.tokens_out(await _auth(ctx).refresh(data.refresh_token, ctx.actor()))


@post(
    "/auth/logout",
    summary="退出登录 Log out",
    description="注销刷新令牌所属的整个会话。",
    tags=AUTH,
    operation_id="logout",
    status_code=204,
    responses=errors(400),
    security=[{}],
)
async def logout(ctx: Ctx, data: s.RefreshIn) -> None:
    await _auth(ctx).logout(data.refresh_token, ctx.actor())


@get(
    "/me",
    summary="当前用户 Who am I",
    description="当前用户、所属租户、有效角色及其作用范围。",
    tags=AUTH,
    operation_id="getMe",
    responses=errors(401, 403),
)
async def me(ctx: Ctx) -> s.MeOut:
    p = ctx.principal
    ctx.require("profile", "read")
    account = await svc.profile(ctx.db, Scope(p.tenant_path, p.user_id), p.tenant_id)
    return s.MeOut(
        id=p.user_id,
        username=account.username,
        display_name=account.display_name,
        phone=account.phone,
        tenant=s.TenantBrief(
            p.tenant_id,
            account.tenant_code,
            account.tenant_name,
            account.tenant_level,
            account.tenant_path,
        ),
        roles=[s.RoleGrant(role, domain) for role, domain in ctx.authz.roles_of(p.subject)],
        scope=p.home_domain + "*",
    )


@post(
    "/me/password",
    summary="修改本人密码 Change my password",
    description="须提供当前密码；成功后本账号的所有登录会话结束（包括本次），请用新密码重新登录。"
    "以运维人员重置的一次性密码登录后须先在此改密码，"
    "其他请求返回 403 password_change_required。",
    tags=AUTH,
    operation_id="changeMyPassword",
    status_code=204,
    responses=errors(400, 401, 403, 422),
)
async def change_my_password(ctx: Ctx, data: s.PasswordChangeIn) -> None:
    ctx.changing_password()
    p = ctx.principal
    # Both hashes run between two short transactions: no connection waits on argon2.
    async with ctx.uow() as uow:
        stored = await accounts.own_password_hash(uow, p.user_id, p.tenant_id)
    await accounts.check_current_password(stored, data.current_password)
    new_hash = await PASSWORD_HASHING.hash(data.new_password)
    async with ctx.uow() as uow:
        await accounts.change_own_password(
            uow, p.user_id, p.tenant_id, data.new_password, checked_hash=stored, new_hash=new_hash
        )


# ---------------------------------------------------------------- tenants


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
    q: Q = None,
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


# ---------------------------------------------------------------- organizations


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
    q: Q = None,
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
async def get_organization(ctx: Ctx, org_id: uuid.UUID) -> s.OrganizationDetailOut:
    async with ctx.uow() as uow:
        detail = await svc.read_organization(uow, ctx, org_id)
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


@post(
    "/organizations/{org_id:uuid}/committee-posts",
    summary="任命委员 Add a committee post",
    tags=ORGS,
    operation_id="addCommitteePost",
    responses=WRITE,
)
async def add_committee_post(
    ctx: Ctx, org_id: uuid.UUID, data: s.CommitteePostIn
) -> s.CommitteePostOut:
    async with ctx.uow() as uow:
        row = await svc.add_committee_post(
            uow,
            ctx,
            org_id,
            post=data.post,
            holder_name=data.holder_name,
            user_id=data.user_id,
            term_start=data.term_start,
            term_end=data.term_end,
        )
        return present.post_out(row)


@delete(
    "/organizations/{org_id:uuid}/committee-posts/{post_id:uuid}",
    summary="免去委员 Remove a committee post",
    tags=ORGS,
    operation_id="removeCommitteePost",
    responses=WRITE,
)
async def remove_committee_post(ctx: Ctx, org_id: uuid.UUID, post_id: uuid.UUID) -> None:
    async with ctx.uow() as uow:
        await svc.remove_committee_post(uow, ctx, org_id, post_id)


# ---------------------------------------------------------------- users


@post(
    "/users",
    summary="新建用户 Create a user",
    tags=USERS,
    operation_id="createUser",
    responses=WRITE,
)
async def create_user(ctx: Ctx, data: s.UserIn) -> s.UserOut:
    password_hash = await _hash(ctx, data.password)
    async with ctx.uow() as uow:
        user = await svc.create_user(
            uow,
            ctx,
            home_tenant_id=ctx.principal.tenant_id,
            tenant_id=data.tenant_id,
            username=data.username,
            display_name=data.display_name,
            phone=data.phone,
            password=data.password,
            password_hash=password_hash,
            protector=protector_for(ctx.settings),
        )
        return present.user_out(user)


@get("/users", summary="用户列表 List users", tags=USERS, operation_id="listUsers", responses=LIST)
async def list_users(
    ctx: Ctx,
    limit: Limit = 50,
    cursor: Cursor = None,
    tenant_id: uuid.UUID | None = None,
    q: Q = None,
) -> Page[s.UserOut]:
    async with ctx.uow() as uow:
        rows = await svc.list_users(
            uow, ctx, limit=limit, cursor=decode_cursor(cursor), tenant_id=tenant_id, q=q
        )
    return page_of([present.user_out(r) for r in rows], limit, lambda u: u.id)


@get(
    "/users/{user_id:uuid}",
    summary="用户详情 Get a user",
    tags=USERS,
    operation_id="getUser",
    responses=READ,
)
async def get_user(ctx: Ctx, user_id: uuid.UUID) -> s.UserOut:
    async with ctx.uow() as uow:
        return present.user_out(await svc.read_user(uow, ctx, user_id))


@patch(
    "/users/{user_id:uuid}",
    summary="修改用户 Update a user",
    tags=USERS,
    operation_id="updateUser",
    responses=WRITE,
)
async def update_user(ctx: Ctx, user_id: uuid.UUID, data: s.UserPatch) -> s.UserOut:
    password_hash = await _hash(ctx, data.password) if data.password is not None else None
    async with ctx.uow() as uow:
        user = await svc.update_user(
            uow,
            ctx,
            user_id,
            display_name=data.display_name,
            phone=data.phone,
            is_active=data.is_active,
            password=data.password,
            caller_id=ctx.principal.user_id,
            password_hash=password_hash,
            protector=protector_for(ctx.settings),
            current_password=data.current_password,
        )
        return present.user_out(user)


# ---------------------------------------------------------------- roles


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


# ---------------------------------------------------------------- audit


@get(
    "/audit-events",
    summary="审计日志 Audit events",
    description="本子树内的审计事件，按时间倒序，游标分页。",
    tags=AUDIT,
    operation_id="listAuditEvents",
    responses=LIST,
)
async def list_audit_events(
    ctx: Ctx,
    limit: Limit = 50,
    cursor: Cursor = None,
    action: Annotated[
        str | None, Parameter(max_length=64, examples=[Example(value="tenant.create")])
    ] = None,
    resource_type: Annotated[
        str | None, Parameter(max_length=64, examples=[Example(value="organization")])
    ] = None,
    actor_id: uuid.UUID | None = None,
    tenant_id: uuid.UUID | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Page[s.AuditEventOut]:
    async with ctx.uow() as uow:
        rows = await svc.list_audit_events(
            uow,
            ctx,
            limit=limit,
            cursor=decode_cursor(cursor),
            action=action,
            resource_type=resource_type,
            actor_id=actor_id,
            tenant_id=tenant_id,
            since=since,
            until=until,
        )
    return page_of([present.audit_out(r) for r in rows], limit, lambda e: e.id)


ROUTES = [
    login,
    refresh,
    logout,
    me,
    change_my_password,
    create_tenant,
    list_tenants,
    get_tenant,
    update_tenant,
    get_tenant_settings,
    create_organization,
    list_organizations,
    get_organization,
    update_organization,
    move_organization,
    add_committee_post,
    remove_committee_post,
    create_user,
    list_users,
    get_user,
    update_user,
    list_permissions,
    list_roles,
    create_role,
    update_role,
    delete_role,
    list_role_assignments,
    grant_role,
    revoke_role,
    list_audit_events,
]
__all__ = ["ROUTES"]
