"""API client endpoints: register, list, read, rotate the secret, revoke; the scopes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from litestar import get, post

from api.context import Ctx
from api.integration import schemas as s
from api.openapi_common import LIST, READ, WRITE, errors
from api.pagination import Cursor, Limit, Page, decode_cursor, page_of
from domain.integration import SCOPES, ClientId, ClientSecret
from domain.shared import new_id, require_scopes
from infra.hashing import PASSWORD_HASHING
from infra.integration import (
    ApiClient,
    get_client,
    list_clients,
    register_client,
    revoke_client,
    rotate_secret,
)

TAGS = ["API clients"]


def client_out(client: ApiClient) -> s.ApiClientOut:
    row = client.row
    return s.ApiClientOut(
        id=row.id,
        client_id=str(ClientId(row.tenant_id, row.id)),
        name=row.name,
        tenant_id=row.tenant_id,
        organization_id=row.organization_id,
        scopes=list(row.scopes),
        created_at=row.created_at,
        revoked_at=row.revoked_at,
        secrets=[
            s.SecretOut(id=x.id, created_at=x.created_at, expires_at=x.expires_at)
            for x in client.secrets
        ],
    )


def _with_secret(client: ApiClient, secret: ClientSecret) -> s.ApiClientWithSecret:
    out = client_out(client)
    return s.ApiClientWithSecret(
        **{f: getattr(out, f) for f in out.__struct_fields__}, client_secret=str(secret)
    )


async def _new_secret(ctx: Ctx) -> tuple[ClientSecret, str]:
    """A secret and its hash, made before the transaction (no connection held while
    argon2 runs) and only for a caller who may write clients somewhere."""
    require_scopes(ctx, "api_client", "write")
    secret = ClientSecret.new(new_id())
    return secret, await PASSWORD_HASHING.hash(str(secret))


@get(
    "/api-scopes",
    summary="授权范围目录 Scope catalogue",
    description="接口客户端可申请的授权范围及其对应的权限。",
    tags=TAGS,
    operation_id="listApiScopes",
    responses=errors(401),
)
async def list_api_scopes(ctx: Ctx) -> list[s.ApiScopeOut]:
    ctx.principal  # noqa: B018 - authenticated callers only
    return [
        s.ApiScopeOut(
            name=scope.name,
            description=scope.description.pick(ctx.lang),
            sensitive=scope.sensitive,
            permissions=list(scope.permissions),
        )
        for scope in SCOPES.values()
    ]


@post(
    "/api-clients",
    summary="注册接口客户端 Register an API client",
    description=(
        "为本租户（或 organization_id 所指党组织及其下级）注册第三方系统的客户端。"
        "授权范围不能超出注册者在该范围内持有的权限。`client_secret` 只返回这一次，"
        "服务器只保存其哈希。"
    ),
    tags=TAGS,
    operation_id="createApiClient",
    responses=WRITE,
)
async def create_api_client(ctx: Ctx, data: s.ApiClientIn) -> s.ApiClientWithSecret:
    secret, secret_hash = await _new_secret(ctx)
    async with ctx.uow() as uow:
        client = await register_client(
            uow,
            ctx,
            home_tenant_id=ctx.principal.tenant_id,
            registered_by=ctx.principal.user_id,
            name=data.name,
            scopes=data.scopes,
            organization_id=data.organization_id,
            secret=secret,
            secret_hash=secret_hash,
        )
    return _with_secret(client, secret)


@get(
    "/api-clients",
    summary="接口客户端列表 List API clients",
    tags=TAGS,
    operation_id="listApiClients",
    responses=LIST,
)
async def list_api_clients(
    ctx: Ctx, limit: Limit = 50, cursor: Cursor = None
) -> Page[s.ApiClientOut]:
    async with ctx.uow() as uow:
        found = await list_clients(uow, ctx, limit=limit, after=decode_cursor(cursor))
    return page_of([client_out(c) for c in found], limit, lambda c: c.id)


@get(
    "/api-clients/{api_client_id:uuid}",
    summary="接口客户端详情 Get an API client",
    tags=TAGS,
    operation_id="getApiClient",
    responses=READ,
)
async def get_api_client(ctx: Ctx, api_client_id: uuid.UUID) -> s.ApiClientOut:
    async with ctx.uow() as uow:
        return client_out(await get_client(uow, ctx, api_client_id))


@post(
    "/api-clients/{api_client_id:uuid}/rotate",
    summary="轮换密钥 Rotate the secret",
    description=(
        "生成新密钥（只返回这一次）；旧密钥在过渡期（overlap_seconds，默认一天）内继续有效，"
        "以便对接系统无停机切换。"
    ),
    tags=TAGS,
    operation_id="rotateApiClientSecret",
    status_code=200,
    responses=WRITE,
)
async def rotate_api_client_secret(
    ctx: Ctx, api_client_id: uuid.UUID, data: s.RotateIn
) -> s.ApiClientWithSecret:
    secret, secret_hash = await _new_secret(ctx)
    async with ctx.uow() as uow:
        client = await rotate_secret(
            uow,
            ctx,
            api_client_id,
            secret=secret,
            secret_hash=secret_hash,
            overlap_seconds=data.overlap_seconds,
            now=datetime.now(UTC),
        )
    return _with_secret(client, secret)


@post(
    "/api-clients/{api_client_id:uuid}/revoke",
    summary="吊销接口客户端 Revoke an API client",
    description="立即生效：已签发的访问令牌在所有服务进程上随即失效，密钥不能再换取令牌。",
    tags=TAGS,
    operation_id="revokeApiClient",
    status_code=200,
    responses=WRITE,
)
async def revoke_api_client(ctx: Ctx, api_client_id: uuid.UUID) -> s.ApiClientOut:
    async with ctx.uow() as uow:
        return client_out(await revoke_client(uow, ctx, api_client_id, now=datetime.now(UTC)))


ROUTES = [
    list_api_scopes,
    create_api_client,
    list_api_clients,
    get_api_client,
    rotate_api_client_secret,
    revoke_api_client,
]
