"""Bills (缴费单): queue a month's run, list bills, a member's account (paid-to month), and
exceptions to the six-month back-payment limit."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from litestar import Response, get, post
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Example
from litestar.params import Parameter

from api.context import Ctx
from api.dues import schemas as s
from api.openapi_common import READ, WRITE, errors
from api.pagination import Cursor, Limit, Page, decode_cursor, page_of
from api.platform import JobOut, job_out
from domain.dues import BillStatus, format_month, parse_month, rule_from_dict
from infra.dues import (
    BackPaymentExceptionRow,
    BillFilter,
    DuesBillRow,
    list_bills,
    member_account,
    queue_bill_run,
    record_exception,
)

TAGS = ["Dues"]


def bill_out(row: DuesBillRow, ctx: Ctx) -> s.BillOut:
    rule = row.rule
    return s.BillOut(
        id=row.id,
        tenant_id=row.tenant_id,
        member_id=row.member_id,
        organization_id=row.organization_id,
        month=format_month(row.month),
        standard_fen=row.standard_fen,
        amount_fen=row.amount_fen,
        status=row.status,  # type: ignore[arg-type]
        back_payment=row.back_payment,
        rule=s.rule_out(rule, rule_text(rule, ctx)),
        created_at=row.created_at,
    )


def rule_text(rule: dict[str, object], ctx: Ctx) -> str:
    return rule_from_dict(rule).description.pick(ctx.lang)


@post(
    "/dues/bill-runs",
    summary="生成某月缴费单 Run a month's bills",
    description=(
        "为租户的每名应交党费的党员生成该月缴费单（预备党员自支部大会通过的当月起；"
        "补交最多追溯六个月，管理员记录例外的除外），作为后台任务运行，进度见 `jobs/{id}`。"
        "重复运行不会重复生成。每月初系统也会自动为所有租户生成当月缴费单。"
    ),
    tags=TAGS,
    operation_id="runDuesBills",
    status_code=202,
    responses={202: ResponseSpec(data_container=JobOut, description="已排队 Queued"), **WRITE},
)
async def run_dues_bills(ctx: Ctx, data: s.BillRunIn) -> Response[JobOut]:
    p = ctx.principal
    async with ctx.uow() as uow:
        job = await queue_bill_run(
            uow,
            ctx,
            tenant_id=data.tenant_id or p.tenant_id,
            month=parse_month(data.month),
            now=datetime.now(UTC),
            created_by=p.user_id,
            home_tenant_id=p.tenant_id,
        )
        body = job_out(job)
    return Response(content=body, status_code=202)


@get(
    "/dues/bills",
    summary="缴费单列表 List dues bills",
    description=(
        "有 `dues:read` 权限的范围内的缴费单（党支部书记看本支部），党员看自己的。"
        "可按党员、党组织（含下级）、月份、状态筛选。"
    ),
    tags=TAGS,
    operation_id="listDuesBills",
    responses=errors(400, 401, 403, 404),
)
async def list_dues_bills(
    ctx: Ctx,
    limit: Limit = 50,
    cursor: Cursor = None,
    member_id: Annotated[uuid.UUID | None, Parameter(description="党员 Member")] = None,
    organization_id: Annotated[
        uuid.UUID | None, Parameter(description="党组织（含下级） Organization subtree")
    ] = None,
    month: Annotated[
        str | None,
        Parameter(
            pattern=s.MONTH_PATTERN,
            description="月份 Month, YYYY-MM",
            examples=[Example(value="2026-05")],
        ),
    ] = None,
    status: s.BillStatusName | None = None,
) -> Page[s.BillOut]:
    p = ctx.principal
    async with ctx.uow() as uow:
        rows = await list_bills(
            uow,
            ctx,
            tenant_id=p.tenant_id,
            user_id=p.user_id,
            where=BillFilter(
                member_id=member_id,
                organization_id=organization_id,
                month=parse_month(month) if month else None,
                status=BillStatus(status) if status else None,
            ),
            limit=limit,
            after=decode_cursor(cursor),
        )
    return page_of([bill_out(r, ctx) for r in rows], limit, lambda b: b.id)


@get(
    "/dues/members/{member_id:uuid}/account",
    summary="党员党费账户 A member's dues account",
    description="由台账得出：党费交至哪个月、尚欠金额和未结清的月份。党员本人可查看自己的。",
    tags=TAGS,
    operation_id="getDuesAccount",
    responses=READ,
)
async def get_dues_account(ctx: Ctx, member_id: uuid.UUID) -> s.AccountOut:
    p = ctx.principal
    async with ctx.uow() as uow:
        account = await member_account(
            uow, ctx, member_id, tenant_id=p.tenant_id, user_id=p.user_id
        )
    return s.AccountOut(
        member_id=account.member_id,
        paid_to=format_month(account.paid_to) if account.paid_to else None,
        balance_fen=account.balance_fen,
        open_months=[format_month(m) for m in account.open_months],
    )


def exception_out(row: BackPaymentExceptionRow) -> s.ExceptionOut:
    return s.ExceptionOut(
        id=row.id,
        tenant_id=row.tenant_id,
        member_id=row.member_id,
        from_month=format_month(row.from_month),
        reason=row.reason,
        recorded_by=row.recorded_by,
        recorded_at=row.recorded_at,
    )


@post(
    "/dues/back-payment-exceptions",
    summary="记录补交例外 Record a back-payment exception",
    description=(
        "补交一般最多追溯六个月；管理员（`dues:configure`）记录例外并说明理由后，"
        "缴费单可追溯到 from_month。"
    ),
    tags=TAGS,
    operation_id="recordBackPaymentException",
    responses=WRITE,
)
async def record_back_payment_exception(ctx: Ctx, data: s.ExceptionIn) -> s.ExceptionOut:
    async with ctx.uow() as uow:
        row = await record_exception(
            uow,
            ctx,
            member_id=data.member_id,
            from_month=parse_month(data.from_month),
            reason=data.reason,
            recorded_by=ctx.principal.user_id,
        )
        return exception_out(row)


ROUTES = [run_dues_bills, list_dues_bills, get_dues_account, record_back_payment_exception]
