"""Applying a provider's word on an order (a notification or an order query) in one
transaction: the payment, its bills, their ledger entries and receipts, the outbox event.

The payment row is locked first by (tenant, order number); every transition is
conditional on the state it leaves (`pending`/`closed` → `paid`, `unpaid` → `paid`), so
two deliveries of one notification, or a notification and an order query at once, settle
it once. A bill
paid already by another payment is not paid again: the ledger records the money received
(a `payment` entry in the bill's month, leaving that month in credit), the payment notes
the credit, and `dues.payment_settled` carries it, until a refund gives it back.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime

from sqlalchemy import delete, insert, select, text, update
from sqlmodel import col

from domain.dues import (
    BillStatus,
    EntryKind,
    Outcome,
    PaymentOrder,
    PaymentStatus,
    TradeState,
    Transaction,
    bill_settles,
    check_settles,
    format_month,
    receipt_number,
    settlement,
)
from domain.shared import DomainError, new_id
from infra.db.session import UnitOfWork
from infra.dues.tables import (
    DuesBillHoldRow,
    DuesBillRow,
    DuesLedgerEntryRow,
    DuesPaymentBillRow,
    DuesPaymentRow,
    DuesReceiptRow,
)
from infra.platform.outbox import emit

log = logging.getLogger(__name__)

_NEXT_NUMBERS = text("SELECT nextval('dues_receipt_number') FROM generate_series(1, :n)")


async def order_of(
    uow: UnitOfWork, tenant_id: uuid.UUID, provider: str, out_trade_no: str, *, lock: bool = False
) -> DuesPaymentRow | None:
    """A payment by its order number; with `lock`, read under FOR UPDATE (one shard: the
    tenant is named) with the values the lock saw."""
    stmt = select(DuesPaymentRow).where(
        col(DuesPaymentRow.tenant_id) == tenant_id,
        col(DuesPaymentRow.provider) == provider,
        col(DuesPaymentRow.out_trade_no) == out_trade_no,
    )
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return (await uow.session.execute(stmt)).scalar_one_or_none()


async def payment_bills(uow: UnitOfWork, payment: DuesPaymentRow) -> list[DuesPaymentBillRow]:
    return list(
        (
            await uow.session.execute(
                select(DuesPaymentBillRow)
                .where(
                    col(DuesPaymentBillRow.tenant_id) == payment.tenant_id,
                    col(DuesPaymentBillRow.payment_id) == payment.id,
                )
                .order_by(col(DuesPaymentBillRow.month))
            )
        ).scalars()
    )


async def apply_transaction(
    uow: UnitOfWork,
    transaction: Transaction,
    *,
    tenant_id: uuid.UUID,
    provider: str,
    now: datetime,
) -> Outcome:
    payment = await order_of(uow, tenant_id, provider, transaction.out_trade_no, lock=True)
    if payment is None:
        log.warning("dues: %s reported an unknown order %s", provider, transaction.out_trade_no)
        return Outcome.MISMATCH
    if transaction.trade_state is TradeState.SUCCESS:
        order = PaymentOrder(payment.out_trade_no, payment.amount_fen, "", payment.currency)
        try:
            check_settles(order, transaction)
        except DomainError as refused:
            log.warning("dues: payment %s not settled: %s", payment.id, refused.message.en)
            uow.audit(
                "dues_payment.mismatch",
                "dues_payment",
                payment.id,
                tenant_id=tenant_id,
                outcome="denied",
                detail={"reported_fen": transaction.amount_fen, "currency": transaction.currency},
            )
            return Outcome.MISMATCH
    outcome = settlement(PaymentStatus(payment.status), payment.transaction_id, transaction)
    if outcome is Outcome.MISMATCH:
        log.warning("dues: payment %s reported under a second transaction id", payment.id)
    if outcome is not Outcome.SETTLED:
        return outcome
    return await _settle(uow, payment, transaction, now)


async def _settle(
    uow: UnitOfWork, payment: DuesPaymentRow, transaction: Transaction, now: datetime
) -> Outcome:
    """The locked, pending (or closed) payment is paid: its bills, ledger and receipts."""
    tenant_id = payment.tenant_id
    settled_at = transaction.success_time or now
    rows = (
        await uow.session.execute(
            select(DuesPaymentBillRow, DuesBillRow)
            .join(
                DuesBillRow,
                (col(DuesBillRow.tenant_id) == col(DuesPaymentBillRow.tenant_id))
                & (col(DuesBillRow.id) == col(DuesPaymentBillRow.bill_id)),
            )
            .where(
                col(DuesPaymentBillRow.tenant_id) == tenant_id,
                col(DuesPaymentBillRow.payment_id) == payment.id,
            )
            .order_by(col(DuesPaymentBillRow.month))
            .with_for_update(of=DuesBillRow)  # type: ignore[arg-type]
        )
    ).all()
    paying = [p for p, _bill in rows]
    bills = {bill.id: bill for _p, bill in rows}
    settling = [p for p in paying if bill_settles(bills[p.bill_id].status)]
    credited = [p for p in paying if not bill_settles(bills[p.bill_id].status)]
    credit = sum(p.amount_fen for p in credited)
    await uow.session.execute(
        update(DuesPaymentRow)
        .where(
            col(DuesPaymentRow.tenant_id) == tenant_id,
            col(DuesPaymentRow.id) == payment.id,
            col(DuesPaymentRow.status).in_(
                [PaymentStatus.PENDING.value, PaymentStatus.CLOSED.value]
            ),
        )
        .values(
            status=PaymentStatus.PAID.value,
            transaction_id=transaction.transaction_id,
            settled_at=settled_at,
            credit_fen=credit,
        )
    )
    settled_ids = [p.bill_id for p in settling]
    if settling:
        await uow.session.execute(
            update(DuesBillRow)
            .where(
                col(DuesBillRow.tenant_id) == tenant_id,
                col(DuesBillRow.id).in_(settled_ids),
                col(DuesBillRow.status) == BillStatus.UNPAID.value,
            )
            .values(status=BillStatus.PAID.value)
        )
    await uow.session.execute(
        update(DuesPaymentBillRow)
        .where(
            col(DuesPaymentBillRow.tenant_id) == tenant_id,
            col(DuesPaymentBillRow.payment_id) == payment.id,
        )
        .values(settled=col(DuesPaymentBillRow.bill_id).in_(settled_ids))
        .execution_options(synchronize_session=False)
    )
    await uow.session.execute(
        delete(DuesBillHoldRow).where(
            col(DuesBillHoldRow.tenant_id) == tenant_id,
            col(DuesBillHoldRow.payment_id) == payment.id,
        )
    )
    await uow.session.execute(
        insert(DuesLedgerEntryRow),
        [
            {
                "tenant_id": tenant_id,
                "id": new_id(),
                "member_id": payment.member_id,
                "organization_id": bills[p.bill_id].organization_id,
                "bill_id": p.bill_id,
                "month": p.month,
                "kind": EntryKind.PAYMENT.value,
                "amount_fen": -p.amount_fen,
                "recorded_by": None,
                "recorded_at": settled_at,
            }
            for p in paying
        ],
    )
    if settling:
        numbers = (await uow.session.execute(_NEXT_NUMBERS, {"n": len(settling)})).scalars()
        await uow.session.execute(
            insert(DuesReceiptRow),
            [
                {
                    "tenant_id": tenant_id,
                    "id": new_id(),
                    "number": receipt_number(settled_at, number),
                    "bill_id": p.bill_id,
                    "payment_id": payment.id,
                    "member_id": payment.member_id,
                    "organization_id": bills[p.bill_id].organization_id,
                    "month": p.month,
                    "amount_fen": p.amount_fen,
                    "issued_at": settled_at,
                }
                for p, number in zip(settling, list(numbers), strict=True)
            ],
        )
    emit(
        uow,
        tenant_id=tenant_id,
        topic="dues.payment_settled",
        aggregate_type="dues_payment",
        aggregate_id=payment.id,
        payload={
            "payment_id": str(payment.id),
            "member_id": str(payment.member_id),
            "organization_id": str(payment.organization_id),
            "amount_fen": payment.amount_fen,
            "months": [format_month(p.month) for p in settling],
            "credit_fen": credit,
            "credited_months": [format_month(p.month) for p in credited],
            "provider": payment.provider,
            "transaction_id": transaction.transaction_id,
        },
        organization_id=payment.organization_id,
    )
    uow.audit(
        "dues_payment.settle",
        "dues_payment",
        payment.id,
        tenant_id=tenant_id,
        detail={
            "transaction_id": transaction.transaction_id,
            "amount_fen": payment.amount_fen,
            "credit_fen": credit,
        },
    )
    return Outcome.CREDITED if credit else Outcome.SETTLED


async def close_payment(uow: UnitOfWork, payment: DuesPaymentRow, now: datetime) -> bool:
    """An expired, unpaid payment is closed and its bills released; False when it was no
    longer pending (a settlement came first)."""
    closed = (
        await uow.session.execute(
            update(DuesPaymentRow)
            .where(
                col(DuesPaymentRow.tenant_id) == payment.tenant_id,
                col(DuesPaymentRow.id) == payment.id,
                col(DuesPaymentRow.status) == PaymentStatus.PENDING.value,
            )
            .values(status=PaymentStatus.CLOSED.value, closed_at=now)
            .returning(col(DuesPaymentRow.id))
        )
    ).first()
    if closed is None:
        return False
    await uow.session.execute(
        delete(DuesBillHoldRow).where(
            col(DuesBillHoldRow.tenant_id) == payment.tenant_id,
            col(DuesBillHoldRow.payment_id) == payment.id,
        )
    )
    uow.audit("dues_payment.close", "dues_payment", payment.id, tenant_id=payment.tenant_id)
    return True
