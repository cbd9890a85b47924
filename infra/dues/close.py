"""The monthly close (月度结算): a tenant opens a month once its bills are made (snapshotting
them), each organization holding bills reports it when every bill is paid, deferred with
a reason or exempted, and the tenant closes it, which makes its figures final.

`entry_month` is the rule for whoever writes the ledger: a payment lands in its bill's
month however late, any other entry for a closed month lands in the current one.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, or_, select, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from domain.dues import (
    MESSAGES,
    EntryKind,
    Figures,
    MonthStatus,
    booking_month,
    check_closable,
    check_not_closed,
    check_open,
    check_reportable,
    format_month,
    month_of,
)
from domain.shared import ErrorKind, Guard, new_id, not_found, require_scopes
from domain.tenancy import org_domain, tenant_domain
from infra.db.routing import locked
from infra.db.session import UnitOfWork
from infra.dues.clock import today
from infra.dues.tables import (
    DuesBillRow,
    DuesBranchReportRow,
    DuesDeferralRow,
    DuesMonthFigureRow,
    DuesMonthRow,
    DuesOpenBillRow,
)
from infra.tenancy import (
    ORGANIZATIONS,
    organization_ids_in_domains,
    organization_ids_under,
    organization_ref,
    organization_refs,
    tenant_ref,
    within_scopes,
)


async def month_status(uow: UnitOfWork, tenant_id: uuid.UUID, month: date) -> MonthStatus | None:
    found = await uow.session.execute(
        select(DuesMonthRow.status).where(
            col(DuesMonthRow.tenant_id) == tenant_id, col(DuesMonthRow.month) == month
        )
    )
    status = found.scalar_one_or_none()
    return MonthStatus(status) if status else None


async def entry_month(
    uow: UnitOfWork, *, tenant_id: uuid.UUID, kind: EntryKind, bill_month: date, now: datetime
) -> date:
    """The month a ledger entry for a bill of `bill_month` is written in."""
    closed = await month_status(uow, tenant_id, bill_month) is MonthStatus.CLOSED
    return booking_month(kind, bill_month, month_of(today(now)), closed=closed)


async def require_not_closed(uow: UnitOfWork, tenant_id: uuid.UUID, month: date) -> None:
    check_not_closed(await month_status(uow, tenant_id, month))


async def _figures(uow: UnitOfWork, tenant_id: uuid.UUID, month: date) -> Figures:
    f = DuesMonthFigureRow
    row = (
        await uow.session.execute(
            select(
                func.coalesce(func.sum(f.bills), 0),
                func.coalesce(func.sum(f.charged_fen), 0),
                func.coalesce(func.sum(f.relieved_fen), 0),
                func.coalesce(func.sum(f.collected_fen), 0),
                func.coalesce(func.sum(f.refunded_fen), 0),
                func.coalesce(func.sum(f.open_bills), 0),
            ).where(col(f.tenant_id) == tenant_id, col(f.month) == month)
        )
    ).one()
    return Figures(*(int(v) for v in row))


async def open_month(
    uow: UnitOfWork,
    guard: Guard,
    *,
    tenant_id: uuid.UUID,
    month: date,
    opened_by: uuid.UUID,
) -> DuesMonthRow:
    tenant = await tenant_ref(uow, tenant_id)
    if tenant is None:
        raise not_found("tenant")
    guard.require("dues", "configure", tenant_domain(tenant.path))
    check_open(await month_status(uow, tenant_id, month))
    figures = await _figures(uow, tenant_id, month)
    if figures.bills == 0:
        raise MESSAGES.error("dues_month_not_billed", ErrorKind.CONFLICT)
    table = DuesMonthRow.__table__  # type: ignore[attr-defined]
    made = await uow.session.execute(
        insert(table)
        .values(
            tenant_id=tenant_id,
            id=new_id(),
            month=month,
            status=MonthStatus.OPEN.value,
            opened_bills=figures.bills,
            opened_due_fen=figures.due_fen,
            opened_by=opened_by,
        )
        .on_conflict_do_nothing(index_elements=["tenant_id", "month"])
        .returning(table.c.id)
    )
    month_id = made.scalar_one_or_none()
    if month_id is None:  # opened meanwhile by someone else
        check_open(MonthStatus.OPEN)
    row = await _month(uow, month_id)
    uow.audit(
        "dues_month.open",
        "dues_month",
        row.id,
        tenant_id=tenant_id,
        detail={"month": format_month(month), "bills": figures.bills, "due_fen": figures.due_fen},
    )
    return row


async def _month(uow: UnitOfWork, month_id: uuid.UUID) -> DuesMonthRow:
    found = (
        await uow.session.execute(select(DuesMonthRow).where(col(DuesMonthRow.id) == month_id))
    ).scalar_one_or_none()
    if found is None:
        raise not_found("dues_month")
    return found


def _months_readable(guard: Guard) -> ColumnElement[bool]:
    """A month is shown to whoever reads dues anywhere in its tenant (a branch reports it)."""
    scopes = require_scopes(guard, "dues", "read")
    tenant_wide = [(t, o) for t, o in scopes if o is None]
    by_org = [org_domain(t, o) for t, o in scopes if o is not None]
    clauses = [within_scopes(tenant_wide, tenant_id=col(DuesMonthRow.tenant_id))]
    if by_org:
        orgs = organization_ids_in_domains(by_org).subquery()
        clauses.append(col(DuesMonthRow.tenant_id).in_(select(orgs.c.tenant_id)))
    return or_(*clauses)


async def get_month(uow: UnitOfWork, guard: Guard, month_id: uuid.UUID) -> DuesMonthRow:
    found = (
        await uow.session.execute(
            select(DuesMonthRow).where(
                col(DuesMonthRow.id) == month_id,
                _months_readable(guard),
            )
        )
    ).scalar_one_or_none()
    if found is None:
        raise not_found("dues_month")
    return found


async def list_months(
    uow: UnitOfWork,
    guard: Guard,
    *,
    tenant_id: uuid.UUID | None,
    status: MonthStatus | None,
    limit: int,
    after: uuid.UUID | None,
) -> list[DuesMonthRow]:
    m = DuesMonthRow
    stmt = select(m).where(_months_readable(guard))
    if tenant_id is not None:
        stmt = stmt.where(col(m.tenant_id) == tenant_id)
    if status is not None:
        stmt = stmt.where(col(m.status) == status.value)
    if after is not None:
        stmt = stmt.where(col(m.id) > after)
    return list((await uow.session.execute(stmt.order_by(col(m.id)).limit(limit + 1))).scalars())


@dataclass(frozen=True, slots=True)
class BranchState:
    bills: int
    due_fen: int
    collected_fen: int
    deferred: int
    unsettled: int


async def _branch_state(
    uow: UnitOfWork, tenant_id: uuid.UUID, path: str, month: date
) -> BranchState:
    f, ob, d = DuesMonthFigureRow, DuesOpenBillRow, DuesDeferralRow
    under = organization_ids_under(tenant_id, path)
    figures = (
        await uow.session.execute(
            select(
                func.coalesce(func.sum(f.bills), 0),
                func.coalesce(func.sum(f.charged_fen - f.relieved_fen), 0),
                func.coalesce(func.sum(f.collected_fen - f.refunded_fen), 0),
            ).where(
                col(f.tenant_id) == tenant_id,
                col(f.month) == month,
                tuple_(col(f.tenant_id), col(f.organization_id)).in_(under),
            )
        )
    ).one()
    deferred = (
        select(d.bill_id)
        .where(col(d.tenant_id) == tenant_id, col(d.bill_id) == col(ob.bill_id))
        .exists()
    )
    open_rows = (
        await uow.session.execute(
            select(
                func.count().filter(deferred),
                func.count().filter(~deferred),
            ).where(
                col(ob.tenant_id) == tenant_id,
                col(ob.month) == month,
                tuple_(col(ob.tenant_id), col(ob.organization_id)).in_(under),
            )
        )
    ).one()
    return BranchState(
        int(figures[0]), int(figures[1]), int(figures[2]), int(open_rows[0]), int(open_rows[1])
    )


async def report_month(
    uow: UnitOfWork,
    guard: Guard,
    *,
    month_id: uuid.UUID,
    organization_id: uuid.UUID,
    reported_by: uuid.UUID,
) -> DuesBranchReportRow:
    """An organization reports the month for its subtree."""
    month = await get_month(uow, guard, month_id)
    org = await organization_ref(uow, organization_id, tenant_id=month.tenant_id)
    if org is None:
        raise not_found("organization")
    guard.require("dues", "write", org.domain)
    month = await locked(uow.session, month)
    check_not_closed(MonthStatus(month.status))
    state = await _branch_state(uow, month.tenant_id, org.path, month.month)
    check_reportable(state.bills, state.unsettled)
    table = DuesBranchReportRow.__table__  # type: ignore[attr-defined]
    made = await uow.session.execute(
        insert(table)
        .values(
            tenant_id=month.tenant_id,
            id=new_id(),
            month_id=month.id,
            organization_id=org.id,
            bills=state.bills,
            due_fen=state.due_fen,
            collected_fen=state.collected_fen,
            deferred_bills=state.deferred,
            reported_by=reported_by,
        )
        .on_conflict_do_nothing(index_elements=["tenant_id", "month_id", "organization_id"])
        .returning(table.c.id)
    )
    report_id = made.scalar_one_or_none()
    if report_id is None:
        raise MESSAGES.error("dues_branch_reported", ErrorKind.CONFLICT)
    row = (
        await uow.session.execute(
            select(DuesBranchReportRow).where(
                col(DuesBranchReportRow.tenant_id) == month.tenant_id,
                col(DuesBranchReportRow.id) == report_id,
            )
        )
    ).scalar_one()
    uow.audit(
        "dues_month.report",
        "dues_branch_report",
        row.id,
        tenant_id=row.tenant_id,
        detail={"month": format_month(month.month), "organization_id": str(org.id)},
    )
    return row


async def list_reports(
    uow: UnitOfWork, guard: Guard, *, month_id: uuid.UUID, limit: int, after: uuid.UUID | None
) -> list[DuesBranchReportRow]:
    month = await get_month(uow, guard, month_id)
    r = DuesBranchReportRow
    stmt = select(r).where(col(r.tenant_id) == month.tenant_id, col(r.month_id) == month.id)
    if after is not None:
        stmt = stmt.where(col(r.id) > after)
    return list((await uow.session.execute(stmt.order_by(col(r.id)).limit(limit + 1))).scalars())


async def _unreported(uow: UnitOfWork, month: DuesMonthRow) -> int:
    """Organizations holding bills of the month that no report of theirs or above covers."""
    f, o = DuesMonthFigureRow, ORGANIZATIONS
    holding = await uow.session.execute(
        select(o.c.path)
        .select_from(f)
        .join(o, (o.c.tenant_id == col(f.tenant_id)) & (o.c.id == col(f.organization_id)))
        .where(col(f.tenant_id) == month.tenant_id, col(f.month) == month.month, col(f.bills) > 0)
    )
    reported = await uow.session.execute(
        select(DuesBranchReportRow.organization_id).where(
            col(DuesBranchReportRow.tenant_id) == month.tenant_id,
            col(DuesBranchReportRow.month_id) == month.id,
        )
    )
    refs = await organization_refs(uow, list(reported.scalars()))
    roots = [ref.path for ref in refs.values()]
    return sum(
        1
        for (path,) in holding.all()
        if not any(str(path) == root or str(path).startswith(root + ".") for root in roots)
    )


async def close_month(
    uow: UnitOfWork, guard: Guard, *, month_id: uuid.UUID, closed_by: uuid.UUID, now: datetime
) -> DuesMonthRow:
    month = await get_month(uow, guard, month_id)
    tenant = await tenant_ref(uow, month.tenant_id)
    if tenant is None:
        raise not_found("dues_month")
    guard.require("dues", "configure", tenant_domain(tenant.path))
    month = await locked(uow.session, month)
    check_not_closed(MonthStatus(month.status))
    check_closable(await _unreported(uow, month))
    final = await _figures(uow, month.tenant_id, month.month)
    month.status = MonthStatus.CLOSED.value
    month.closed_bills = final.bills
    month.closed_due_fen = final.due_fen
    month.closed_collected_fen = final.net_collected_fen
    month.closed_open_bills = final.open_bills
    month.closed_by = closed_by
    month.closed_at = now
    uow.session.add(month)
    await uow.session.flush()
    uow.audit(
        "dues_month.close",
        "dues_month",
        month.id,
        tenant_id=month.tenant_id,
        detail={
            "month": format_month(month.month),
            "due_fen": final.due_fen,
            "collected_fen": final.net_collected_fen,
        },
    )
    return month


async def defer_bill(
    uow: UnitOfWork, guard: Guard, *, bill_id: uuid.UUID, reason: str, recorded_by: uuid.UUID
) -> DuesDeferralRow:
    """Defer an unpaid bill with a reason (缓交), so its organization may report the month."""
    bill = (
        await uow.session.execute(select(DuesBillRow).where(col(DuesBillRow.id) == bill_id))
    ).scalar_one_or_none()
    if bill is None:
        raise not_found("dues_bill")
    org = await organization_ref(uow, bill.organization_id, tenant_id=bill.tenant_id)
    if org is None:
        raise not_found("dues_bill")
    guard.require("dues", "write", org.domain)
    await require_not_closed(uow, bill.tenant_id, bill.month)
    still_open = await uow.session.execute(
        select(DuesOpenBillRow.bill_id).where(
            col(DuesOpenBillRow.tenant_id) == bill.tenant_id,
            col(DuesOpenBillRow.bill_id) == bill.id,
        )
    )
    if still_open.first() is None:
        raise MESSAGES.error("dues_bill_settled", ErrorKind.CONFLICT)
    table = DuesDeferralRow.__table__  # type: ignore[attr-defined]
    made = await uow.session.execute(
        insert(table)
        .values(
            tenant_id=bill.tenant_id,
            id=new_id(),
            bill_id=bill.id,
            reason=reason,
            recorded_by=recorded_by,
        )
        .on_conflict_do_nothing(index_elements=["tenant_id", "bill_id"])
        .returning(table.c.id)
    )
    deferral_id = made.scalar_one_or_none()
    if deferral_id is None:
        raise MESSAGES.error("dues_bill_deferred", ErrorKind.CONFLICT)
    row = (
        await uow.session.execute(
            select(DuesDeferralRow).where(
                col(DuesDeferralRow.tenant_id) == bill.tenant_id,
                col(DuesDeferralRow.id) == deferral_id,
            )
        )
    ).scalar_one()
    uow.audit(
        "dues_bill.defer",
        "dues_bill",
        bill.id,
        tenant_id=bill.tenant_id,
        detail={"month": format_month(bill.month), "member_id": str(bill.member_id)},
    )
    return row
