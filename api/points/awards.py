"""Manual awards and deductions (人工奖扣): propose, list, read, approve, refuse."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from litestar import get, post
from litestar.params import Parameter

from api.context import Ctx
from api.openapi_common import LIST, READ, WRITE
from api.pagination import Cursor, Limit, Page, decode_cursor, page_of
from api.points import schemas as s
from api.points.ledger import reader_of
from api.points.presenters import award_out
from infra.points import decide, get_award, list_awards, propose

TAGS = ["Points"]


@post(
    "/point-awards",
    summary="提出积分奖扣 Propose an award or deduction",
    description="由党员所在支部提出，写明理由，可附佐证；上一级党组织审批。不能为自己提出。",
    tags=TAGS,
    operation_id="createPointAward",
    responses=WRITE,
)
async def create_point_award(ctx: Ctx, data: s.AwardIn) -> s.AwardOut:
    async with ctx.uow() as uow:
        award = await propose(
            uow,
            ctx,
            reader_of(ctx),
            member_id=data.member_id,
            points=data.points,
            category=data.category,
            reason=data.reason,
            evidence_ids=data.evidence_ids,
        )
    return award_out(award)


@get(
    "/point-awards",
    summary="积分奖扣列表 List awards",
    description="工作人员看其范围内的；党员看给自己的，连同理由。",
    tags=TAGS,
    operation_id="listPointAwards",
    responses=LIST,
)
async def list_point_awards(
    ctx: Ctx,
    status: Annotated[
        Literal["proposed", "approved", "refused"] | None, Parameter(description="状态 Status")
    ] = None,
    member_id: Annotated[uuid.UUID | None, Parameter(description="党员 Member")] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[s.AwardOut]:
    async with ctx.uow() as uow:
        found = await list_awards(
            uow,
            ctx,
            reader_of(ctx),
            status=status,
            member_id=member_id,
            limit=limit,
            after=decode_cursor(cursor),
        )
    return page_of([award_out(a) for a in found], limit, lambda a: a.id)


@get(
    "/point-awards/{point_award_id:uuid}",
    summary="积分奖扣详情 Get an award",
    tags=TAGS,
    operation_id="getPointAward",
    responses=READ,
)
async def get_point_award(ctx: Ctx, point_award_id: uuid.UUID) -> s.AwardOut:
    async with ctx.uow() as uow:
        return award_out(await get_award(uow, ctx, reader_of(ctx), point_award_id))


async def _decide(
    ctx: Ctx, point_award_id: uuid.UUID, data: s.DecisionIn, *, approve: bool
) -> s.AwardOut:
    async with ctx.uow() as uow:
        award = await decide(
            uow, ctx, reader_of(ctx), point_award_id, approve=approve, reason=data.reason
        )
    return award_out(award)


@post(
    "/point-awards/{point_award_id:uuid}/approve",
    summary="批准积分奖扣 Approve an award",
    description="上一级党组织批准后记入积分明细。不能批准自己提出的或给自己的。",
    tags=TAGS,
    operation_id="approvePointAward",
    status_code=200,
    responses=WRITE,
)
async def approve_point_award(
    ctx: Ctx, point_award_id: uuid.UUID, data: s.DecisionIn
) -> s.AwardOut:
    return await _decide(ctx, point_award_id, data, approve=True)


@post(
    "/point-awards/{point_award_id:uuid}/refuse",
    summary="不予批准 Refuse an award",
    tags=TAGS,
    operation_id="refusePointAward",
    status_code=200,
    responses=WRITE,
)
async def refuse_point_award(ctx: Ctx, point_award_id: uuid.UUID, data: s.DecisionIn) -> s.AwardOut:
    return await _decide(ctx, point_award_id, data, approve=False)


ROUTES = [
    create_point_award,
    list_point_awards,
    get_point_award,
    approve_point_award,
    refuse_point_award,
]
