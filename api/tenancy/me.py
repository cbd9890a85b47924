"""The caller's own account: who am I, change my password."""

from __future__ import annotations

from litestar import get, post

from api.admission import PERSON_ONLY
from api.context import Ctx
from api.deps import Db
from api.openapi_common import errors
from api.tenancy import schemas as s
from domain.tenancy import ShippedRole
from infra.db.session import Scope
from infra.hashing import PASSWORD_HASHING
from infra.tenancy import accounts
from infra.tenancy import profile as svc

AUTH = ["Auth"]


@get(
    "/me",
    summary="当前用户 Who am I",
    description="当前用户、所属租户、有效角色及其作用范围。",
    tags=AUTH,
    operation_id="getMe",
    responses=errors(401, 403),
)
async def me(ctx: Ctx, db: Db) -> s.MeOut:
    """An API client may always ask who it is: its service account, its subtree and the
    scopes its token carries (and nothing its scopes do not cover)."""
    p = ctx.principal
    client = ctx.acting_client()
    if client is None:
        ctx.require("profile", "read")
    account = await svc.profile(db, Scope(p.tenant_path, p.user_id), p.tenant_id)
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
        roles=(
            [s.RoleGrant(ShippedRole.API_CLIENT.value, client.domain + "*")]
            if client
            else [s.RoleGrant(role, domain) for role, domain in ctx.authz.roles_of(p.subject)]
        ),
        scope=(client.domain if client else p.home_domain) + "*",
        api_scopes=list(client.scopes) if client else None,
    )


@post(
    "/me/password",
    summary="修改本人密码 Change my password",
    description="须提供当前密码；成功后本账号的所有登录会话结束（包括本次），请用新密码重新登录。"
    "以运维人员重置的一次性密码登录后须先在此改密码，"
    "其他请求返回 403 password_change_required。",
    tags=AUTH,
    operation_id="changeMyPassword",
    opt={PERSON_ONLY: True},
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


ROUTES = [me, change_my_password]
