"""Dues summaries (党费收缴统计): per month rolled up over a subtree, per organization, and
the same as an xlsx workbook for the finance office."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Annotated
from urllib.parse import quote

from litestar import Response, get
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Example
from litestar.params import Parameter, QueryParameter

from api.context import Ctx
from api.dues import reporting_schemas as r
from api.dues.schemas import MONTH_PATTERN
from api.openapi_common import errors
from api.pagination import Cursor, Limit, Page, decode_cursor, page_of
from domain.dues import Figures, format_month, month_of, parse_month
from infra.dues import (
    OrganizationFigures,
    Summary,
    organization_figures,
    render_xlsx,
    summarize,
    summary_book,
    today,
)
from infra.offload import offload

TAGS = ["Dues"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

From = Annotated[
    str | None,
    QueryParameter(
        name="from",
        pattern=MONTH_PATTERN,
        description="起始月份（默认本年 1 月） First month, YYYY-MM",
        examples=[Example(value="2026-01")],
    ),
]
To = Annotated[
    str | None,
    QueryParameter(
        name="to",
        pattern=MONTH_PATTERN,
        description="结束月份（默认本月，最多 24 个月） Last month, YYYY-MM",
        examples=[Example(value="2026-12")],
    ),
]
TenantId = Annotated[
    uuid.UUID | None, Parameter(description="租户（含下级，默认本租户） Tenant subtree")
]
OrganizationId = Annotated[
    uuid.UUID | None, Parameter(description="党组织（含下级） Organization subtree")
]


def _range(first: str | None, last: str | None) -> tuple[date, date]:
    current = month_of(today(datetime.now(UTC)))
    end = parse_month(last) if last else current
    return (parse_month(first) if first else date(end.year, 1, 1)), end


def figures_out(f: Figures) -> r.FiguresOut:
    return r.FiguresOut(
        bills=f.bills,
        due_fen=f.due_fen,
        relieved_fen=f.relieved_fen,
        collected_fen=f.net_collected_fen,
        rate_bp=f.rate_bp,
        open_bills=f.open_bills,
    )


def _fields(out: r.FiguresOut) -> dict[str, object]:
    """A row's figures, to spread into a schema that extends FiguresOut."""
    return {name: getattr(out, name) for name in out.__struct_fields__}


def summary_out(s: Summary) -> r.DuesSummaryOut:
    months = [
        r.SummaryMonthOut(
            month=format_month(m.month), closed=m.closed, **_fields(figures_out(m.figures))
        )
        for m in s.months
    ]
    remittance = s.remittance
    return r.DuesSummaryOut(
        tenant_id=s.place.tenant.id,
        organization_id=s.place.organization.id if s.place.organization else None,
        months=months,
        total=figures_out(s.total),
        voluntary_fen=s.voluntary_fen,
        remittance=r.RemittanceOut(
            year=remittance.year,
            collected_fen=remittance.collected_fen,
            rate_bp=remittance.rate_bp,
            remittance_fen=remittance.remittance_fen,
            voluntary_to_centre_fen=remittance.voluntary_to_centre_fen,
            due_by=remittance.due_by,
        )
        if remittance
        else None,
    )


@get(
    "/dues/summary",
    summary="党费收缴统计 Dues summary",
    description=(
        "按月汇总租户及其下级（或某党组织及其下级）的应交、实收（台账中的缴费减退款，"
        "不是已交缴费单的应交额）、收缴率（万分点）和未交清的缴费单数；省级租户另给出"
        "全年实收的 5% 上缴中央数（次年 4 月底前）和全额上缴的自愿多交。"
    ),
    tags=TAGS,
    operation_id="getDuesSummary",
    responses=errors(400, 401, 403, 404, 422),
)
async def get_dues_summary(
    ctx: Ctx,
    tenant_id: TenantId = None,
    organization_id: OrganizationId = None,
    first: From = None,
    last: To = None,
) -> r.DuesSummaryOut:
    start, end = _range(first, last)
    async with ctx.uow() as uow:
        found = await summarize(
            uow,
            ctx,
            tenant_id=tenant_id or ctx.principal.tenant_id,
            organization_id=organization_id,
            first=start,
            last=end,
        )
    return summary_out(found)


def organization_out(o: OrganizationFigures) -> r.OrganizationFiguresOut:
    return r.OrganizationFiguresOut(
        organization_id=o.organization_id,
        tenant_id=o.tenant_id,
        name=o.name,
        kind=o.kind,
        **_fields(figures_out(o.figures)),
    )


@get(
    "/dues/summary/by-organization",
    summary="各党组织党费收缴 Dues per organization",
    description="子树中每个持有缴费单的党组织本身在这些月份的应交、实收、收缴率和未交清数。",
    tags=TAGS,
    operation_id="listDuesSummaryOrganizations",
    responses=errors(400, 401, 403, 404, 422),
)
async def list_dues_summary_organizations(
    ctx: Ctx,
    limit: Limit = 50,
    cursor: Cursor = None,
    tenant_id: TenantId = None,
    organization_id: OrganizationId = None,
    first: From = None,
    last: To = None,
) -> Page[r.OrganizationFiguresOut]:
    start, end = _range(first, last)
    async with ctx.uow() as uow:
        rows = await organization_figures(
            uow,
            ctx,
            tenant_id=tenant_id or ctx.principal.tenant_id,
            organization_id=organization_id,
            first=start,
            last=end,
            limit=limit,
            after=decode_cursor(cursor),
        )
    return page_of([organization_out(o) for o in rows], limit, lambda o: o.organization_id)


@get(
    "/dues/summary/export",
    summary="导出党费收缴统计 Export the dues summary",
    description=(
        "供财务使用的 xlsx：按月汇总（含合计、自愿多交、省级的上缴中央数）和按党组织"
        "两张表，金额单位为元。"
    ),
    tags=TAGS,
    operation_id="exportDuesSummary",
    responses={
        200: ResponseSpec(
            data_container=bytes,
            description="xlsx 工作簿 The workbook",
            media_type=XLSX,
            generate_examples=False,
        ),
        **errors(400, 401, 403, 404, 422),
    },
)
async def export_dues_summary(
    ctx: Ctx,
    tenant_id: TenantId = None,
    organization_id: OrganizationId = None,
    first: From = None,
    last: To = None,
) -> Response[bytes]:
    start, end = _range(first, last)
    async with ctx.uow() as uow:
        book = await summary_book(
            uow,
            ctx,
            tenant_id=tenant_id or ctx.principal.tenant_id,
            organization_id=organization_id,
            first=start,
            last=end,
        )
    content = await offload(render_xlsx, book)
    name = f"党费收缴统计-{format_month(start)}-{format_month(end)}.xlsx"
    return Response(
        content=content,
        media_type=XLSX,
        headers={
            "Content-Disposition": f'attachment; filename="dues-summary.xlsx"; '
            f"filename*=UTF-8''{quote(name)}"
        },
    )


ROUTES = [get_dues_summary, list_dues_summary_organizations, export_dues_summary]
