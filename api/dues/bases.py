"""Dues bases (党费基数): declare, approve or reject (someone else), list."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import get, post
from litestar.params import Parameter

from api.context import Ctx
from api.dues import schemas as s
from api.openapi_common import LIST, WRITE
from api.pagination import Cursor, Limit, Page, decode_cursor, page_of
from domain.dues import BaseStatus, DuesCategory, IncomeKind, format_month, parse_month
from infra.dues import Declaration, DuesBaseRow, decide_base, declare_base, list_bases

TAGS = ["Dues"]


def base_out(row: DuesBaseRow) -> s.BaseOut:
    return s.BaseOut(
        id=row.id,
        tenant_id=row.tenant_id,
        member_id=row.member_id,
        organization_id=row.organization_id,
        category=row.category,  # type: ignore[arg-type]
        income_kind=row.income_kind,  # type: ignore[arg-type]
        monthly_income_fen=row.monthly_income_fen,
        effective_from=format_month(row.effective_from),
        status=row.status,  # type: ignore[arg-type]
        note=row.note,
        declared_by=row.declared_by,
        declared_at=row.declared_at,
        decided_by=row.decided_by,
        decided_at=row.decided_at,
    )


@post(
    "/dues/bases",
    summary="申报党费基数 Declare a dues base",
    description=(
        "为党员申报党费基数：在职和离退休党员填写税后月收入（分）及收入类型，其他类别只填类别。"
        "自 effective_from 所在月起适用（租户设置 `dues_base_mode` 为 fixed_yearly 时，"
        "年中申报的新基数自次年一月起适用）。申报后须由另一位有 `dues:approve` 权限的人员审批。"
    ),
    tags=TAGS,
    operation_id="declareDuesBase",
    responses=WRITE,
)
async def declare_dues_base(ctx: Ctx, data: s.BaseIn) -> s.BaseOut:
    async with ctx.uow() as uow:
        row = await declare_base(
            uow,
            ctx,
            Declaration(
                member_id=data.member_id,
                category=DuesCategory(data.category),
                income_kind=IncomeKind(data.income_kind) if data.income_kind else None,
                monthly_income_fen=data.monthly_income_fen,
                effective_from=parse_month(data.effective_from),
                note=data.note,
            ),
            declared_by=ctx.principal.user_id,
        )
        return base_out(row)


async def _decide(ctx: Ctx, base_id: uuid.UUID, *, approve: bool) -> s.BaseOut:
    async with ctx.uow() as uow:
        row = await decide_base(
            uow, ctx, base_id, approve=approve, decided_by=ctx.principal.user_id
        )
        return base_out(row)


@post(
    "/dues/bases/{base_id:uuid}/approve",
    summary="审批通过党费基数 Approve a dues base",
    description="申报人不能审批自己的申报；只有审批通过的基数用于生成缴费单。",
    tags=TAGS,
    operation_id="approveDuesBase",
    status_code=200,
    responses=WRITE,
)
async def approve_dues_base(ctx: Ctx, base_id: uuid.UUID) -> s.BaseOut:
    return await _decide(ctx, base_id, approve=True)


@post(
    "/dues/bases/{base_id:uuid}/reject",
    summary="退回党费基数 Reject a dues base",
    tags=TAGS,
    operation_id="rejectDuesBase",
    status_code=200,
    responses=WRITE,
)
async def reject_dues_base(ctx: Ctx, base_id: uuid.UUID) -> s.BaseOut:
    return await _decide(ctx, base_id, approve=False)


@get(
    "/dues/bases",
    summary="党费基数列表 List dues bases",
    description="有 `dues:read` 权限的范围内的基数，以及党员本人的；每次读取记入审计日志。",
    tags=TAGS,
    operation_id="listDuesBases",
    responses=LIST,
)
async def list_dues_bases(
    ctx: Ctx,
    limit: Limit = 50,
    cursor: Cursor = None,
    member_id: Annotated[uuid.UUID | None, Parameter(description="党员 Member")] = None,
    status: s.BaseStatusName | None = None,
) -> Page[s.BaseOut]:
    async with ctx.uow() as uow:
        rows = await list_bases(
            uow,
            ctx,
            tenant_id=ctx.principal.tenant_id,
            user_id=ctx.principal.user_id,
            member_id=member_id,
            status=BaseStatus(status) if status else None,
            limit=limit,
            after=decode_cursor(cursor),
        )
    return page_of([base_out(r) for r in rows], limit, lambda b: b.id)


ROUTES = [declare_dues_base, approve_dues_base, reject_dues_base, list_dues_bases]
