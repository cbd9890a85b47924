"""A tenant's star scheme (评定方案): read the one in force, write the next version."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import get, post
from litestar.params import Parameter

from api.context import Ctx
from api.openapi_common import READ, WRITE
from api.points import star_schemas as s
from api.points.star_presenters import scheme_of, stored_scheme_out
from domain.points import Subject
from infra.points import read_scheme, set_scheme

TAGS = ["Points"]


@get(
    "/star-schemes",
    summary="租户的星级评定方案 The tenant's star schemes",
    description=(
        "未指定方案的评定所用的方案，党员与党支部各一：租户保存的最新版本；未保存时沿用最近的"
        "上级租户保存的方案（`tenant_id` 为该上级）；都没有时为内置缺省方案（version 0）。"
        "需要 `star_rating:read`。"
    ),
    tags=TAGS,
    operation_id="getStarSchemes",
    responses=READ,
)
async def get_star_schemes(
    ctx: Ctx,
    tenant_id: Annotated[
        uuid.UUID | None, Parameter(description="默认为本租户 Default: the caller's tenant")
    ] = None,
) -> s.StarSchemesOut:
    async with ctx.uow() as uow:
        member, branch = [
            await read_scheme(uow, ctx, tenant_id or ctx.principal.tenant_id, subject)
            for subject in (Subject.MEMBER, Subject.BRANCH)
        ]
    return s.StarSchemesOut(member=stored_scheme_out(member), branch=stored_scheme_out(branch))


@post(
    "/star-schemes",
    summary="修改星级评定方案 Write the next version of the star scheme",
    description=(
        "保存为下一个版本（旧版本保留，已发起的评定仍用其发起时的方案），记入审计。"
        "需要 `star_rating:run`。"
    ),
    tags=TAGS,
    operation_id="setStarScheme",
    responses=WRITE,
)
async def set_star_scheme(ctx: Ctx, data: s.StarSchemeIn) -> s.StarSchemeOut:
    async with ctx.uow() as uow:
        stored = await set_scheme(
            uow,
            ctx,
            data.tenant_id or ctx.principal.tenant_id,
            Subject(data.subject),
            scheme_of(data.scheme),
            by=ctx.principal.user_id,
        )
    return stored_scheme_out(stored)


ROUTES = [get_star_schemes, set_star_scheme]
