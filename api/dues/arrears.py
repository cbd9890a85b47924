"""Arrears (欠交党费) and voluntary extra payments (自愿多交党费)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from litestar import get, post
from litestar.params import Parameter

from api.context import Ctx
from api.dues import reporting_schemas as r
from api.openapi_common import READ, WRITE
from api.pagination import Cursor, Limit, Page, decode_cursor, page_of
from domain.dues import ArrearsLevel, format_month
from infra.dues import (
    ArrearsFilter,
    DuesVoluntaryPaymentRow,
    MemberArrears,
    VoluntaryFilter,
    list_arrears,
    list_voluntary,
    record_voluntary,
)

TAGS = ["Dues"]


def arrears_out(found: MemberArrears) -> r.ArrearsOut:
    a = found.arrears
    return r.ArrearsOut(
        tenant_id=found.tenant_id,
        member_id=found.member_id,
        organization_id=found.organization_id,
        overdue_months=a.overdue_months,
        consecutive_months=a.consecutive_months,
        first_overdue=format_month(a.first_overdue),
        last_overdue=format_month(a.last_overdue),
        levels=sorted(level.value for level in a.levels),  # type: ignore[misc]
    )


@get(
    "/dues/arrears",
    summary="欠交党费的党员 Members in arrears",
    description=(
        "有 `dues:read` 权限的范围内，逾期未交 3 个月及以上（warning）或连续 6 个月未交"
        "（flagged）的党员。一个月过完仍未交清即为逾期。连续 6 个月未交由党支部按规定处理，"
        "系统不会自动处理任何人。可按党组织（含下级）和级别筛选。"
    ),
    tags=TAGS,
    operation_id="listDuesArrears",
    responses=READ,
)
async def list_dues_arrears(
    ctx: Ctx,
    limit: Limit = 50,
    cursor: Cursor = None,
    organization_id: Annotated[
        uuid.UUID | None, Parameter(description="党组织（含下级） Organization subtree")
    ] = None,
    level: r.ArrearsLevelName | None = None,
) -> Page[r.ArrearsOut]:
    async with ctx.uow() as uow:
        found = await list_arrears(
            uow,
            ctx,
            where=ArrearsFilter(
                organization_id=organization_id, level=ArrearsLevel(level) if level else None
            ),
            now=datetime.now(UTC),
            limit=limit,
            after=decode_cursor(cursor),
        )
    return page_of([arrears_out(f) for f in found], limit, lambda a: a.member_id)


def voluntary_out(row: DuesVoluntaryPaymentRow) -> r.VoluntaryOut:
    return r.VoluntaryOut(
        id=row.id,
        tenant_id=row.tenant_id,
        member_id=row.member_id,
        organization_id=row.organization_id,
        month=format_month(row.month),
        amount_fen=row.amount_fen,
        to_centre=row.to_centre,
        note=row.note,
        recorded_by=row.recorded_by,
        recorded_at=row.recorded_at,
    )


@post(
    "/dues/voluntary-payments",
    summary="记录自愿多交党费 Record a voluntary payment",
    description=(
        "党支部（`dues:write`）记录党员自愿多交的党费，计入本月，不限金额；"
        "一次 1000 元及以上的标记为全部上缴中央（to_centre）。"
    ),
    tags=TAGS,
    operation_id="recordVoluntaryDues",
    responses=WRITE,
)
async def record_voluntary_dues(ctx: Ctx, data: r.VoluntaryIn) -> r.VoluntaryOut:
    async with ctx.uow() as uow:
        row = await record_voluntary(
            uow,
            ctx,
            member_id=data.member_id,
            amount_fen=data.amount_fen,
            note=data.note,
            recorded_by=ctx.principal.user_id,
            now=datetime.now(UTC),
        )
        return voluntary_out(row)


@get(
    "/dues/voluntary-payments",
    summary="自愿多交党费列表 List voluntary payments",
    description=(
        "有 `dues:read` 权限的范围内的自愿多交党费，可按党组织（含下级）、党员、是否上缴中央筛选。"
    ),
    tags=TAGS,
    operation_id="listVoluntaryDues",
    responses=READ,
)
async def list_voluntary_dues(
    ctx: Ctx,
    limit: Limit = 50,
    cursor: Cursor = None,
    organization_id: Annotated[
        uuid.UUID | None, Parameter(description="党组织（含下级） Organization subtree")
    ] = None,
    member_id: Annotated[uuid.UUID | None, Parameter(description="党员 Member")] = None,
    to_centre: Annotated[bool | None, Parameter(description="上缴中央 To the Centre")] = None,
) -> Page[r.VoluntaryOut]:
    async with ctx.uow() as uow:
        rows = await list_voluntary(
            uow,
            ctx,
            where=VoluntaryFilter(
                organization_id=organization_id, member_id=member_id, to_centre=to_centre
            ),
            limit=limit,
            after=decode_cursor(cursor),
        )
    return page_of([voluntary_out(v) for v in rows], limit, lambda v: v.id)


ROUTES = [list_dues_arrears, record_voluntary_dues, list_voluntary_dues]
