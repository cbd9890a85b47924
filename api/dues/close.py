"""The monthly close (月度结算): open a month, defer a bill, report, close."""

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
from domain.dues import MonthStatus, format_month, parse_month
from infra.dues import (
    DuesBranchReportRow,
    DuesDeferralRow,
    DuesMonthRow,
    close_month,
    defer_bill,
    get_month,
    list_months,
    list_reports,
    open_month,
    report_month,
)

TAGS = ["Dues"]


def month_out(row: DuesMonthRow) -> r.MonthOut:
    return r.MonthOut(
        id=row.id,
        tenant_id=row.tenant_id,
        month=format_month(row.month),
        status=row.status,  # type: ignore[arg-type]
        opened_bills=row.opened_bills,
        opened_due_fen=row.opened_due_fen,
        opened_by=row.opened_by,
        opened_at=row.opened_at,
        closed_bills=row.closed_bills,
        closed_due_fen=row.closed_due_fen,
        closed_collected_fen=row.closed_collected_fen,
        closed_open_bills=row.closed_open_bills,
        closed_by=row.closed_by,
        closed_at=row.closed_at,
    )


def report_out(row: DuesBranchReportRow) -> r.ReportOut:
    return r.ReportOut(
        id=row.id,
        tenant_id=row.tenant_id,
        month_id=row.month_id,
        organization_id=row.organization_id,
        bills=row.bills,
        due_fen=row.due_fen,
        collected_fen=row.collected_fen,
        deferred_bills=row.deferred_bills,
        reported_by=row.reported_by,
        reported_at=row.reported_at,
    )


def deferral_out(row: DuesDeferralRow) -> r.DeferralOut:
    return r.DeferralOut(
        id=row.id,
        tenant_id=row.tenant_id,
        bill_id=row.bill_id,
        reason=row.reason,
        recorded_by=row.recorded_by,
        recorded_at=row.recorded_at,
    )


@post(
    "/dues/months",
    summary="开始某月的收缴 Open a dues month",
    description=(
        "租户管理员（`dues:configure`）在该月缴费单生成后开始收缴，记录当时的缴费单数和应交总额。"
        "之后各党组织交清、缓交或免交全部缴费单后上报，全部上报后由租户结账。"
    ),
    tags=TAGS,
    operation_id="openDuesMonth",
    responses=WRITE,
)
async def open_dues_month(ctx: Ctx, data: r.MonthIn) -> r.MonthOut:
    p = ctx.principal
    async with ctx.uow() as uow:
        row = await open_month(
            uow,
            ctx,
            tenant_id=data.tenant_id or p.tenant_id,
            month=parse_month(data.month),
            opened_by=p.user_id,
        )
        return month_out(row)


@get(
    "/dues/months",
    summary="党费月份列表 List dues months",
    description="在有 `dues:read` 权限的租户中开始收缴的月份，可按租户和状态筛选。",
    tags=TAGS,
    operation_id="listDuesMonths",
    responses=READ,
)
async def list_dues_months(
    ctx: Ctx,
    limit: Limit = 50,
    cursor: Cursor = None,
    tenant_id: Annotated[uuid.UUID | None, Parameter(description="租户 Tenant")] = None,
    status: r.MonthStatusName | None = None,
) -> Page[r.MonthOut]:
    async with ctx.uow() as uow:
        rows = await list_months(
            uow,
            ctx,
            tenant_id=tenant_id,
            status=MonthStatus(status) if status else None,
            limit=limit,
            after=decode_cursor(cursor),
        )
    return page_of([month_out(m) for m in rows], limit, lambda m: m.id)


@get(
    "/dues/months/{month_id:uuid}",
    summary="党费月份 A dues month",
    description="结账后 closed_* 为最终数字；之后的更正记入当月，迟到的缴费仍记入缴费单所属月份。",
    tags=TAGS,
    operation_id="getDuesMonth",
    responses=READ,
)
async def get_dues_month(ctx: Ctx, month_id: uuid.UUID) -> r.MonthOut:
    async with ctx.uow() as uow:
        return month_out(await get_month(uow, ctx, month_id))


@post(
    "/dues/months/{month_id:uuid}/reports",
    summary="党组织上报本月 Report the month",
    description=(
        "党组织（`dues:write`）为本组织及下级上报该月：只有当每张缴费单都已交清、"
        "已缓交（说明理由）或已免交时才能上报，否则 409 `dues_branch_not_ready`。"
    ),
    tags=TAGS,
    operation_id="reportDuesMonth",
    responses=WRITE,
)
async def report_dues_month(ctx: Ctx, month_id: uuid.UUID, data: r.ReportIn) -> r.ReportOut:
    async with ctx.uow() as uow:
        row = await report_month(
            uow,
            ctx,
            month_id=month_id,
            organization_id=data.organization_id,
            reported_by=ctx.principal.user_id,
        )
        return report_out(row)


@get(
    "/dues/months/{month_id:uuid}/reports",
    summary="本月的上报 The month's reports",
    tags=TAGS,
    operation_id="listDuesMonthReports",
    responses=READ,
)
async def list_dues_month_reports(
    ctx: Ctx, month_id: uuid.UUID, limit: Limit = 50, cursor: Cursor = None
) -> Page[r.ReportOut]:
    async with ctx.uow() as uow:
        rows = await list_reports(
            uow, ctx, month_id=month_id, limit=limit, after=decode_cursor(cursor)
        )
    return page_of([report_out(x) for x in rows], limit, lambda x: x.id)


@post(
    "/dues/months/{month_id:uuid}/close",
    summary="结账 Close the month",
    description=(
        "租户管理员（`dues:configure`）在持有缴费单的党组织全部上报后结账，"
        "否则 409 `dues_month_unreported`。结账后的数字为最终数字，该月不再生成缴费单。"
    ),
    tags=TAGS,
    operation_id="closeDuesMonth",
    status_code=200,
    responses=WRITE,
)
async def close_dues_month(ctx: Ctx, month_id: uuid.UUID) -> r.MonthOut:
    async with ctx.uow() as uow:
        row = await close_month(
            uow, ctx, month_id=month_id, closed_by=ctx.principal.user_id, now=datetime.now(UTC)
        )
        return month_out(row)


@post(
    "/dues/deferrals",
    summary="缓交 Defer a bill",
    description="党支部（`dues:write`）为未交清的缴费单登记缓交并说明理由；结账的月份不能再缓交。",
    tags=TAGS,
    operation_id="deferDuesBill",
    responses=WRITE,
)
async def defer_dues_bill(ctx: Ctx, data: r.DeferralIn) -> r.DeferralOut:
    async with ctx.uow() as uow:
        row = await defer_bill(
            uow, ctx, bill_id=data.bill_id, reason=data.reason, recorded_by=ctx.principal.user_id
        )
        return deferral_out(row)


ROUTES = [
    open_dues_month,
    list_dues_months,
    get_dues_month,
    report_dues_month,
    list_dues_month_reports,
    close_dues_month,
    defer_dues_bill,
]
