"""Reading bills (缴费单) and a member's dues account: bills within the caller's `dues:read`
scopes and a member's own; the paid-to month and balance derived from the ledger."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select, tuple_
from sqlmodel import col

from domain.dues import BillStatus, paid_to
from domain.shared import Guard, not_found
from infra.db.session import UnitOfWork
from infra.dues.carried import carried_paid_to
from infra.dues.seats import seat_of
from infra.dues.tables import DuesBillRow, DuesLedgerEntryRow
from infra.dues.visibility import own_member, readable
from infra.tenancy import organization_ids_under, organization_ref


@dataclass(frozen=True, slots=True)
class BillFilter:
    member_id: uuid.UUID | None = None
    organization_id: uuid.UUID | None = None
    month: date | None = None
    status: BillStatus | None = None


async def list_bills(
    uow: UnitOfWork,
    guard: Guard,
    *,
    tenant_id: uuid.UUID,
    user_id: uuid.UUID,
    where: BillFilter,
    limit: int,
    after: uuid.UUID | None,
) -> list[DuesBillRow]:
    """Bills the caller may read, in the order they were made; an organization filter
    takes its whole subtree."""
    stmt = select(DuesBillRow).where(
        readable(
            guard,
            tenant_id=col(DuesBillRow.tenant_id),
            organization_id=col(DuesBillRow.organization_id),
            member_id=col(DuesBillRow.member_id),
            own_member=await own_member(uow, tenant_id, user_id),
        )
    )
    if where.member_id is not None:
        stmt = stmt.where(col(DuesBillRow.member_id) == where.member_id)
    if where.organization_id is not None:
        org = await organization_ref(uow, where.organization_id)
        if org is None:
            raise not_found("organization")
        stmt = stmt.where(
            col(DuesBillRow.tenant_id) == org.tenant_id,
            tuple_(col(DuesBillRow.tenant_id), col(DuesBillRow.organization_id)).in_(
                organization_ids_under(org.tenant_id, org.path)
            ),
        )
    if where.month is not None:
        stmt = stmt.where(col(DuesBillRow.month) == where.month)
    if where.status is not None:
        stmt = stmt.where(col(DuesBillRow.status) == where.status.value)
    if after is not None:
        stmt = stmt.where(col(DuesBillRow.id) > after)
    return list(
        (await uow.session.execute(stmt.order_by(col(DuesBillRow.id)).limit(limit + 1))).scalars()
    )


@dataclass(frozen=True, slots=True)
class DuesAccount:
    """A member's dues as the ledger says: paid to which month (党费交至), what is owed."""

    member_id: uuid.UUID
    paid_to: date | None
    balance_fen: int
    open_months: list[date]


async def member_account(
    uow: UnitOfWork, guard: Guard, member_id: uuid.UUID, *, tenant_id: uuid.UUID, user_id: uuid.UUID
) -> DuesAccount:
    seat = await seat_of(uow, member_id)
    if seat.member_id != await own_member(uow, tenant_id, user_id):
        guard.require("dues", "read", seat.domain)
    # A bill's entries count in its month, wherever `entry_month` booked them (a refund
    # of a closed month's credit is booked in the current one).
    month = func.coalesce(col(DuesBillRow.month), col(DuesLedgerEntryRow.month))
    rows = await uow.session.execute(
        select(month, func.sum(DuesLedgerEntryRow.amount_fen))
        .select_from(DuesLedgerEntryRow)
        .outerjoin(
            DuesBillRow,
            (col(DuesBillRow.tenant_id) == col(DuesLedgerEntryRow.tenant_id))
            & (col(DuesBillRow.id) == col(DuesLedgerEntryRow.bill_id)),
        )
        .where(
            col(DuesLedgerEntryRow.tenant_id) == seat.tenant_id,
            col(DuesLedgerEntryRow.member_id) == seat.member_id,
        )
        .group_by(month)
    )
    balances = {month: int(total) for month, total in rows.all()}
    carried = (await carried_paid_to(uow, seat.tenant_id, [seat.member_id])).get(seat.member_id)
    return DuesAccount(
        member_id=seat.member_id,
        paid_to=max((m for m in (paid_to(balances), carried) if m is not None), default=None),
        balance_fen=sum(balances.values()),
        open_months=sorted(m for m, b in balances.items() if b > 0),
    )
