"""Refunding what a payment paid twice (退还多交党费): the credit a settlement found goes back
to the member through the provider, and the ledger records it as `refund` entries (giving
back, so positive) against the bills it was paid for, each in the month `entry_month`
gives: the bill's month while it is open, the current one once it is closed (a closed
month's figures are final). Until then the credit counts as collected. Branch staff with
`dues:write` decide it.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import insert, update
from sqlmodel import col

from domain.dues import MESSAGES, EntryKind, PaymentProvider, format_month
from domain.shared import ErrorKind, Guard, new_id
from infra.db.routing import locked
from infra.db.session import UnitOfWork
from infra.dues.close import entry_month
from infra.dues.payments import StartedPayment, read_payment
from infra.dues.seats import seat_of
from infra.dues.settlement import payment_bills
from infra.dues.tables import DuesLedgerEntryRow, DuesPaymentRow
from infra.platform.outbox import emit


async def refundable(
    uow: UnitOfWork,
    guard: Guard,
    payment_id: uuid.UUID,
    *,
    tenant_id: uuid.UUID,
    user_id: uuid.UUID,
) -> StartedPayment:
    """A payment the caller may refund: branch staff with `dues:write` over its member."""
    seen = await read_payment(uow, guard, payment_id, tenant_id=tenant_id, user_id=user_id)
    guard.require("dues", "write", (await seat_of(uow, seen.payment.member_id)).domain)
    return seen


async def refund_credit(
    uow: UnitOfWork,
    guard: Guard,
    providers: dict[str, PaymentProvider],
    payment_id: uuid.UUID,
    *,
    tenant_id: uuid.UUID,
    user_id: uuid.UUID,
    now: datetime,
) -> StartedPayment:
    seen = await refundable(uow, guard, payment_id, tenant_id=tenant_id, user_id=user_id)
    payment = await locked(uow.session, seen.payment)
    if payment.credit_fen <= payment.refunded_fen:
        raise MESSAGES.error("dues_credit_none", ErrorKind.CONFLICT)
    credited = [b for b in await payment_bills(uow, payment) if b.settled is False]
    await providers[payment.provider].refund(
        payment.out_trade_no, f"{payment.out_trade_no}-R", payment.credit_fen
    )
    booked = {
        b.bill_id: await entry_month(
            uow, tenant_id=payment.tenant_id, kind=EntryKind.REFUND, bill_month=b.month, now=now
        )
        for b in credited
    }
    await uow.session.execute(
        insert(DuesLedgerEntryRow),
        [
            {
                "tenant_id": payment.tenant_id,
                "id": new_id(),
                "member_id": payment.member_id,
                "organization_id": payment.organization_id,
                "bill_id": b.bill_id,
                "month": booked[b.bill_id],
                "kind": EntryKind.REFUND.value,
                "amount_fen": b.amount_fen,
                "recorded_by": user_id,
            }
            for b in credited
        ],
    )
    await uow.session.execute(
        update(DuesPaymentRow)
        .where(
            col(DuesPaymentRow.tenant_id) == payment.tenant_id,
            col(DuesPaymentRow.id) == payment.id,
        )
        .values(refunded_fen=payment.credit_fen)
    )
    emit(
        uow,
        tenant_id=payment.tenant_id,
        topic="dues.payment_refunded",
        aggregate_type="dues_payment",
        aggregate_id=payment.id,
        payload={
            "payment_id": str(payment.id),
            "member_id": str(payment.member_id),
            "amount_fen": payment.credit_fen,
            "months": [format_month(b.month) for b in credited],
        },
        organization_id=payment.organization_id,
    )
    uow.audit(
        "dues_payment.refund",
        "dues_payment",
        payment.id,
        tenant_id=payment.tenant_id,
        detail={"amount_fen": payment.credit_fen},
    )
    return await read_payment(uow, guard, payment_id, tenant_id=tenant_id, user_id=user_id)
