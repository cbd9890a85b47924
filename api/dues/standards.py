"""Dues standards and the calculator: list and publish versions, calculate an amount."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import get, post
from litestar.params import Parameter

from api.context import Ctx
from api.dues import schemas as s
from api.openapi_common import WRITE, errors
from domain.dues import DuesCategory, Rule
from infra.dues import PublishedStandard, calculate, list_standards, publish_standard, today

TAGS = ["Dues"]


def standard_out(published: PublishedStandard) -> s.StandardOut:
    rules = published.standard.rules()
    return s.StandardOut(
        id=published.standard.id,
        name=published.standard.name,
        tenant_id=published.tenant_id,
        effective_from=published.standard.effective_from,
        in_force=published.in_force,
        brackets={
            c: [s.BracketOut(up_to_fen=b["up_to_fen"], rate_bp=b["rate_bp"]) for b in bs]
            for c, bs in rules["brackets"].items()
        },
        fixed_fen=rules["fixed_fen"],
    )


def describe(rule: Rule, ctx: Ctx) -> s.RuleOut:
    return s.rule_out(rule.as_dict(), rule.description.pick(ctx.lang))


@get(
    "/dues/standards",
    summary="党费交纳标准 Dues standards",
    description=(
        "该租户适用的交纳标准各版本：内置的 2008 年全国标准，以及本租户和上级租户发布的版本；"
        "`in_force` 标出今天生效的一个（本租户的优先于上级的，同一租户取生效日期最近的）。"
        "按收入比例的类别以全部收入乘以所在档比例，各档上限含本数。"
    ),
    tags=TAGS,
    operation_id="listDuesStandards",
    responses=errors(400, 401, 403, 404),
)
async def list_dues_standards(
    ctx: Ctx,
    tenant_id: Annotated[
        uuid.UUID | None, Parameter(description="租户（默认本租户） Tenant, default one's own")
    ] = None,
) -> list[s.StandardOut]:
    async with ctx.uow() as uow:
        found = await list_standards(uow, ctx, tenant_id or ctx.principal.tenant_id, on=today())
    return [standard_out(p) for p in found]


@post(
    "/dues/standards",
    summary="发布交纳标准版本 Publish a dues standard version",
    description=(
        "为本租户（或 tenant_id 所指下级租户）及其下级发布新版本，自 effective_from 起生效；"
        "已发布的版本不能修改，改变标准就发布新版本。需要 `dues:configure` 权限。"
    ),
    tags=TAGS,
    operation_id="publishDuesStandard",
    responses=WRITE,
)
async def publish_dues_standard(ctx: Ctx, data: s.StandardIn) -> s.StandardOut:
    async with ctx.uow() as uow:
        published = await publish_standard(
            uow,
            ctx,
            tenant_id=data.tenant_id or ctx.principal.tenant_id,
            name=data.name,
            effective_from=data.effective_from,
            brackets={
                "employed": [
                    {"up_to_fen": b.up_to_fen, "rate_bp": b.rate_bp} for b in data.brackets.employed
                ],
                "retired": [
                    {"up_to_fen": b.up_to_fen, "rate_bp": b.rate_bp} for b in data.brackets.retired
                ],
            },
            fixed_fen={
                "farmer": data.fixed_fen.farmer,
                "student": data.fixed_fen.student,
                "unemployed": data.fixed_fen.unemployed,
                "subsistence": data.fixed_fen.subsistence,
            },
            published_by=ctx.principal.user_id,
        )
    return standard_out(published)


@post(
    "/dues/calculate",
    summary="计算月党费 Calculate monthly dues",
    description=(
        "按本租户在该日生效的标准和本租户的舍入规则（`dues_rounding`）计算月党费（分），"
        "并说明依据的档次或固定金额。"
    ),
    tags=TAGS,
    operation_id="calculateDues",
    status_code=200,
    responses=errors(400, 401, 403, 422),
)
async def calculate_dues(ctx: Ctx, data: s.CalculateIn) -> s.CalculationOut:
    async with ctx.uow() as uow:
        done = await calculate(
            uow,
            tenant_id=ctx.principal.tenant_id,
            category=DuesCategory(data.category),
            income_fen=data.monthly_income_fen,
            on=data.on or today(),
        )
    return s.CalculationOut(
        amount_fen=done.assessment.amount_fen,
        rounding=done.rounding.value,
        rule=describe(done.assessment.rule, ctx),
    )


ROUTES = [list_dues_standards, publish_dues_standard, calculate_dues]
