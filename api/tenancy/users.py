"""Staff account endpoints: create, list, read, update."""

from __future__ import annotations

import uuid

from litestar import get, patch, post

from api.context import Ctx
from api.deps import Protector
from api.openapi_common import LIST, READ, WRITE
from api.pagination import Cursor, Limit, Page, decode_cursor, page_of
from api.tenancy import presenters as present
from api.tenancy import schemas as s
from api.tenancy.params import NameContains
from infra.hashing import PASSWORD_HASHING
from infra.tenancy import users as svc

USERS = ["Users"]


async def _hash(ctx: Ctx, password: str) -> str:
    """Hash before the transaction: no connection is held while argon2 runs.

    Only a logged-in caller makes the server hash; the hashing bound applies.
    """
    ctx.principal  # noqa: B018 - authenticates: 401 before any hashing
    return await PASSWORD_HASHING.hash(password)


@post(
    "/users",
    summary="新建用户 Create a user",
    tags=USERS,
    operation_id="createUser",
    responses=WRITE,
)
async def create_user(ctx: Ctx, protector: Protector, data: s.UserIn) -> s.UserOut:
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
            protector=protector,
        )
        return present.user_out(user)


@get("/users", summary="用户列表 List users", tags=USERS, operation_id="listUsers", responses=LIST)
async def list_users(
    ctx: Ctx,
    limit: Limit = 50,
    cursor: Cursor = None,
    tenant_id: uuid.UUID | None = None,
    q: NameContains = None,
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
async def update_user(
    ctx: Ctx, protector: Protector, user_id: uuid.UUID, data: s.UserPatch
) -> s.UserOut:
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
            protector=protector,
            current_password=data.current_password,
        )
        return present.user_out(user)


ROUTES = [create_user, list_users, get_user, update_user]
