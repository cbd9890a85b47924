"""The summary as an xlsx workbook for the finance office (财务): a sheet of months and a
sheet of organizations, amounts in yuan with two decimals. Written with xlsxwriter in
memory (a province's organizations are thousands of rows), by a thread off the event loop."""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from datetime import date

from domain.dues import Figures, format_month
from domain.shared import Guard
from infra.db.session import UnitOfWork
from infra.dues.summary import OrganizationFigures, Summary, organization_figures, summarize

PAGE = 1_000
HEADERS = ["应交（元）", "减免（元）", "实收（元）", "收缴率", "缴费单", "未交清"]


@dataclass(frozen=True, slots=True)
class SummaryBook:
    summary: Summary
    organizations: list[OrganizationFigures]


async def summary_book(
    uow: UnitOfWork,
    guard: Guard,
    *,
    tenant_id: uuid.UUID,
    organization_id: uuid.UUID | None,
    first: date,
    last: date,
) -> SummaryBook:
    """Everything the workbook shows, read in the caller's unit of work."""
    summary = await summarize(
        uow, guard, tenant_id=tenant_id, organization_id=organization_id, first=first, last=last
    )
    organizations: list[OrganizationFigures] = []
    after: uuid.UUID | None = None
    while True:
        page = await organization_figures(
            uow,
            guard,
            tenant_id=tenant_id,
            organization_id=organization_id,
            first=first,
            last=last,
            limit=PAGE,
            after=after,
        )
        organizations += page[:PAGE]
        if len(page) <= PAGE:
            return SummaryBook(summary, organizations)
        after = page[PAGE - 1].organization_id


def _cells(figures: Figures) -> list[float | int | str]:
    rate = figures.rate_bp
    return [
        figures.due_fen / 100,
        figures.relieved_fen / 100,
        figures.net_collected_fen / 100,
        f"{rate / 100:.2f}%" if rate is not None else "",
        figures.bills,
        figures.open_bills,
    ]


def render_xlsx(book: SummaryBook) -> bytes:
    import xlsxwriter

    out = io.BytesIO()
    workbook = xlsxwriter.Workbook(out, {"in_memory": True})
    bold = workbook.add_format({"bold": True})
    money = workbook.add_format({"num_format": "#,##0.00"})
    months = workbook.add_worksheet("按月汇总")
    months.write_row(0, 0, ["月份", *HEADERS, "已结账"], bold)
    row = 1
    for m in book.summary.months:
        months.write_string(row, 0, format_month(m.month))
        months.write_row(row, 1, _cells(m.figures))
        months.write_string(row, 7, "是" if m.closed else "否")
        row += 1
    months.write_string(row, 0, "合计", bold)
    months.write_row(row, 1, _cells(book.summary.total), bold)
    months.write_string(row + 2, 0, "自愿多交（元）")
    months.write_number(row + 2, 1, book.summary.voluntary_fen / 100, money)
    remittance = book.summary.remittance
    if remittance is not None:
        months.write_string(row + 3, 0, f"{remittance.year} 年上缴中央 5%（元）")
        months.write_number(row + 3, 1, remittance.remittance_fen / 100, money)
        months.write_string(row + 4, 0, "自愿多交全额上缴（元）")
        months.write_number(row + 4, 1, remittance.voluntary_to_centre_fen / 100, money)
        months.write_string(row + 5, 0, "上缴期限")
        months.write_string(row + 5, 1, remittance.due_by.isoformat())
    months.set_column(1, 3, 14, money)
    months.set_column(0, 0, 24)
    orgs = workbook.add_worksheet("按党组织")
    orgs.write_row(0, 0, ["党组织", "类别", *HEADERS], bold)
    for index, org in enumerate(book.organizations, start=1):
        orgs.write_string(index, 0, org.name)
        orgs.write_string(index, 1, org.kind)
        orgs.write_row(index, 2, _cells(org.figures))
    orgs.set_column(0, 0, 30)
    orgs.set_column(2, 4, 14, money)
    workbook.close()
    return out.getvalue()
