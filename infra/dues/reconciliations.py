"""Reconciliation (对账): import a provider's statement of a day for the caller's tenant,
match it with the payments the ledger settled that day (Beijing days), keep the statement
and every difference; resolving a difference records who decided what. Nothing is
corrected here: a missing payment is settled by its notification or order query, a
double payment refunded by the branch."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select, update
from sqlmodel import col

from domain.dues import MESSAGES, PaymentProvider, PaymentStatus
from domain.dues.reconciliation import SettledPayment, parse_statement, reconcile
from domain.shared import ErrorKind, Guard, new_id, not_found
from domain.tenancy import tenant_domain
from infra.db.session import UnitOfWork
from infra.dues.tables import DuesPaymentRow, DuesReconciliationItemRow, DuesReconciliationRow
from infra.tenancy import tenant_ref, within_scopes

SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True, slots=True)
class Reconciliation:
    row: DuesReconciliationRow
    items: list[DuesReconciliationItemRow]


async def import_statement(
    uow: UnitOfWork,
    guard: Guard,
    providers: dict[str, PaymentProvider],
    *,
    tenant_id: uuid.UUID,
    user_id: uuid.UUID,
    provider: str,
    day: date,
    statement: str | None,
) -> Reconciliation:
    tenant = await tenant_ref(uow, tenant_id)
    if tenant is None:
        raise not_found("tenant")
    guard.require("dues", "write", tenant_domain(tenant.path))
    text = statement if statement is not None else await providers[provider].statement(day)
    # A merchant's statement may hold every tenant's orders: this tenant's are its own.
    rows = [r for r in parse_statement(text) if r.attach.partition(" ")[0] == str(tenant_id)]
    start = datetime.combine(day, time(), SHANGHAI)
    settled = (
        await uow.session.execute(
            select(DuesPaymentRow).where(
                col(DuesPaymentRow.tenant_id) == tenant_id,
                col(DuesPaymentRow.provider) == provider,
                col(DuesPaymentRow.status) == PaymentStatus.PAID.value,
                col(DuesPaymentRow.settled_at) >= start,
                col(DuesPaymentRow.settled_at) < start + timedelta(days=1),
            )
        )
    ).scalars()
    matched, found = reconcile(
        rows,
        [
            SettledPayment(p.id, p.out_trade_no, p.transaction_id or "", p.amount_fen, p.credit_fen)
            for p in settled
        ],
    )
    row = DuesReconciliationRow(
        tenant_id=tenant_id,
        id=new_id(),
        provider=provider,
        day=day,
        statement=text,
        statement_rows=len(rows),
        matched=matched,
        differences=len(found),
        imported_by=user_id,
    )
    uow.session.add(row)
    await uow.session.flush()
    items = [
        DuesReconciliationItemRow(
            tenant_id=tenant_id,
            id=new_id(),
            reconciliation_id=row.id,
            kind=i.kind.value,
            out_trade_no=i.out_trade_no,
            transaction_id=i.transaction_id,
            statement_fen=i.statement_fen,
            ledger_fen=i.ledger_fen,
            payment_id=i.payment_id,
        )
        for i in found
    ]
    if items:
        await uow.session.execute(
            insert(DuesReconciliationItemRow).values([i.model_dump() for i in items])
        )
    uow.audit(
        "dues_reconciliation.import",
        "dues_reconciliation",
        row.id,
        tenant_id=tenant_id,
        detail={"day": day.isoformat(), "matched": matched, "differences": len(items)},
    )
    return Reconciliation(row, items)


def _readable(guard: Guard) -> object:
    """Tenant-wide `dues:read` scopes: reconciliation is the finance office's, not a branch's."""
    return within_scopes(
        [(t, o) for t, o in guard.scopes("dues", "read") if o is None],
        tenant_id=col(DuesReconciliationRow.tenant_id),
    )


async def list_reconciliations(
    uow: UnitOfWork, guard: Guard, *, limit: int, after: uuid.UUID | None
) -> list[DuesReconciliationRow]:
    stmt = select(DuesReconciliationRow).where(_readable(guard))  # type: ignore[arg-type]
    if after is not None:
        stmt = stmt.where(col(DuesReconciliationRow.id) > after)
    stmt = stmt.order_by(col(DuesReconciliationRow.id)).limit(limit + 1)
    return list((await uow.session.execute(stmt)).scalars())


async def get_reconciliation(
    uow: UnitOfWork, guard: Guard, reconciliation_id: uuid.UUID
) -> Reconciliation:
    row = (
        await uow.session.execute(
            select(DuesReconciliationRow).where(
                col(DuesReconciliationRow.id) == reconciliation_id,
                _readable(guard),  # type: ignore[arg-type]
            )
        )
    ).scalar_one_or_none()
    if row is None:
        raise not_found("dues_reconciliation")
    items = (
        await uow.session.execute(
            select(DuesReconciliationItemRow)
            .where(
                col(DuesReconciliationItemRow.tenant_id) == row.tenant_id,
                col(DuesReconciliationItemRow.reconciliation_id) == row.id,
            )
            .order_by(col(DuesReconciliationItemRow.id))
        )
    ).scalars()
    return Reconciliation(row, list(items))


async def resolve_difference(
    uow: UnitOfWork,
    guard: Guard,
    reconciliation_id: uuid.UUID,
    item_id: uuid.UUID,
    *,
    note: str,
    user_id: uuid.UUID,
    now: datetime,
) -> Reconciliation:
    seen = await get_reconciliation(uow, guard, reconciliation_id)
    if item_id not in {i.id for i in seen.items}:
        raise not_found("dues_reconciliation_item")
    tenant = await tenant_ref(uow, seen.row.tenant_id)
    assert tenant is not None
    guard.require("dues", "write", tenant_domain(tenant.path))
    resolved = (
        await uow.session.execute(
            update(DuesReconciliationItemRow)
            .where(
                col(DuesReconciliationItemRow.tenant_id) == seen.row.tenant_id,
                col(DuesReconciliationItemRow.id) == item_id,
                col(DuesReconciliationItemRow.resolution).is_(None),
            )
            .values(resolution=note, resolved_by=user_id, resolved_at=now)
            .returning(col(DuesReconciliationItemRow.id))
        )
    ).first()
    if resolved is None:
        raise MESSAGES.error("dues_difference_resolved", ErrorKind.CONFLICT)
    uow.audit(
        "dues_reconciliation.resolve",
        "dues_reconciliation_item",
        item_id,
        tenant_id=seen.row.tenant_id,
        detail={"reconciliation_id": str(reconciliation_id), "note": note},
    )
    return await get_reconciliation(uow, guard, reconciliation_id)
