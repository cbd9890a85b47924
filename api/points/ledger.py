"""A member's points: the ledger, the summary of a period, their class; the balance check.

Only the member, staff holding `points:read` over the member's organization, and (where
the tenant turned `rankings_enabled` on) members of the same organization see them.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from litestar import get, post, put
from litestar.openapi.spec import Example
from litestar.params import Parameter

from api.context import Ctx
from api.openapi_common import READ, WRITE
from api.pagination import Cursor, Limit, Page, decode_cursor, page_of
from api.points import schemas as s
from api.points.presenters import entry_out, summary_out
from domain.points import check_period
from domain.shared.times import DISPLAY_ZONE
from infra.points import Reader, member_entries, member_summary, recompute, set_profile

TAGS = ["Points"]

Period = Annotated[
    str | None,
    Parameter(
        pattern=s.PERIOD_PATTERN,
        description="期间：2026、2026-Q2 或 2026-05；默认为今年 Period (default: this year)",
        examples=[Example(value="2026")],
    ),
]


def reader_of(ctx: Ctx) -> Reader:
    p = ctx.principal
    return Reader(user_id=p.user_id, tenant_id=p.tenant_id)


@get(
    "/members/{member_id:uuid}/points",
    summary="积分明细 A member's point ledger",
    description="新的在前；更正以冲销记录出现，从不修改已有记录。",
    tags=TAGS,
    operation_id="listMemberPoints",
    responses=READ,
)
async def list_member_points(
    ctx: Ctx,
    member_id: uuid.UUID,
    period: Annotated[
        str | None,
        Parameter(
            pattern=s.PERIOD_PATTERN,
            description="只看该期间 Within this period",
            examples=[Example(value="2026")],
        ),
    ] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[s.EntryOut]:
    async with ctx.uow() as uow:
        found = await member_entries(
            uow,
            ctx,
            reader_of(ctx),
            member_id,
            period=check_period(period) if period else None,
            limit=limit,
            after=decode_cursor(cursor),
        )
    return page_of([entry_out(e) for e in found], limit, lambda e: e.id)


@get(
    "/members/{member_id:uuid}/points/summary",
    summary="积分汇总 A member's points in a period",
    tags=TAGS,
    operation_id="getMemberPointsSummary",
    responses=READ,
)
async def get_member_points_summary(
    ctx: Ctx, member_id: uuid.UUID, period: Period = None
) -> s.SummaryOut:
    year = str(datetime.now(DISPLAY_ZONE).year)
    async with ctx.uow() as uow:
        found = await member_summary(
            uow, ctx, reader_of(ctx), member_id, period=check_period(period or year)
        )
    return summary_out(found)


@put(
    "/members/{member_id:uuid}/points/profile",
    summary="设定积分类别 Set a member's point class and conditions",
    description="类别须是现行积分规则中定义的；情形（如 long_illness）供排除规则使用。",
    tags=TAGS,
    operation_id="setMemberPointsProfile",
    responses=WRITE,
)
async def set_member_points_profile(
    ctx: Ctx, member_id: uuid.UUID, data: s.ProfileIn
) -> s.ProfileOut:
    async with ctx.uow() as uow:
        profile = await set_profile(
            uow,
            ctx,
            member_id,
            member_class=data.member_class,
            conditions=list(data.conditions),
            by=ctx.principal.user_id,
        )
    return s.ProfileOut(
        member_id=profile.member_id,
        member_class=profile.member_class,
        conditions=list(profile.conditions),
    )


@post(
    "/point-balances/recompute",
    summary="核对积分余额 Recompute and check point balances",
    description=(
        "按明细重算租户每位党员每期的余额并与存储的余额比较；不一致的列出并按明细改正（记入审计）。"
    ),
    tags=TAGS,
    operation_id="recomputePointBalances",
    status_code=200,
    responses=READ,
)
async def recompute_point_balances(ctx: Ctx, data: s.RecomputeIn) -> s.RecomputeOut:
    async with ctx.uow() as uow:
        done = await recompute(uow, ctx, data.tenant_id or ctx.principal.tenant_id)
    return s.RecomputeOut(
        tenant_id=done.tenant_id,
        balances=done.balances,
        mismatches=[
            s.MismatchOut(
                member_id=m.member_id, period=m.period, stored=m.stored, entries_sum=m.entries_sum
            )
            for m in done.mismatches
        ],
    )


ROUTES = [
    list_member_points,
    get_member_points_summary,
    set_member_points_profile,
    recompute_point_balances,
]
