"""Point rule endpoints: write a new version, list the versions in force, read one."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import get, post
from litestar.params import Parameter

from api.context import Ctx
from api.openapi_common import LIST, READ, WRITE
from api.pagination import Cursor, Limit, Page, decode_cursor, page_of
from api.points import schemas as s
from api.points.presenters import draft_of, rule_set_out
from infra.points import create_version, get_version, list_versions

TAGS = ["Points"]


@post(
    "/point-rules",
    summary="制定积分规则新版本 Write a new version of the point rules",
    description=(
        "每个租户自定积分办法；新版本自 effective_from 起适用，此前获得的积分保留其版本。"
        "下级租户未自定时沿用上级的规则。校验逐字段指出：积分项缺少来源、未知的活动类型、"
        "每期上限低于单次分值、与已有版本重叠。"
    ),
    tags=TAGS,
    operation_id="createPointRules",
    responses=WRITE,
)
async def create_point_rules(ctx: Ctx, data: s.RuleSetIn) -> s.RuleSetOut:
    async with ctx.uow() as uow:
        stored = await create_version(
            uow,
            ctx,
            tenant_id=data.tenant_id or ctx.principal.tenant_id,
            draft=draft_of(data),
            by=ctx.principal.user_id,
        )
    return rule_set_out(stored)


@get(
    "/point-rules",
    summary="积分规则版本 The point rule versions in force",
    description="租户自己的版本；未自定时为最近的上级租户的版本（tenant_id 为其所属租户）。",
    tags=TAGS,
    operation_id="listPointRules",
    responses=LIST,
)
async def list_point_rules(
    ctx: Ctx,
    tenant_id: Annotated[
        uuid.UUID | None, Parameter(description="默认为本租户 Default: the caller's tenant")
    ] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[s.RuleSetOut]:
    async with ctx.uow() as uow:
        found = await list_versions(
            uow,
            ctx,
            tenant_id=tenant_id or ctx.principal.tenant_id,
            limit=limit,
            after=decode_cursor(cursor),
        )
    return page_of([rule_set_out(v) for v in found], limit, lambda v: v.id)


@get(
    "/point-rules/{point_rule_id:uuid}",
    summary="积分规则版本详情 Get a point rule version",
    tags=TAGS,
    operation_id="getPointRules",
    responses=READ,
)
async def get_point_rules(ctx: Ctx, point_rule_id: uuid.UUID) -> s.RuleSetOut:
    async with ctx.uow() as uow:
        return rule_set_out(await get_version(uow, ctx, point_rule_id))


ROUTES = [create_point_rules, list_point_rules, get_point_rules]
