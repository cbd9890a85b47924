"""Starting a payment (网上缴费): a member pays their own bill, or it and the following
unpaid months at once, through a payment provider; months beyond their last bill are
billed on demand first (`prepay`, paying ahead as far as the branch allows).

The bills are held first (`dues_bill_hold`, one payment per bill at a time: a concurrent
second attempt waits on the first's row and is refused once it commits), then the order
is created with the provider, which is idempotent per order number (should this
transaction then roll back, the provider keeps an order nobody was given the parameters to
pay, which expires there unpaid). An order-query job is queued with the payment: it
settles the payment if no notification arrives, and closes it (releasing the bills) once
it expires unpaid.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlmodel import col

from domain.dues import (
    MESSAGES,
    BillStatus,
    PaymentOrder,
    PaymentProvider,
    PaymentStatus,
    check_months,
    check_payable,
    payment_description,
)
from domain.shared import ErrorKind, Guard, new_id, not_found
from infra.db.session import UnitOfWork
from infra.dues.payment_query import queue_query
from infra.dues.prepay import Chain, bill_ahead
from infra.dues.settlement import payment_bills
from infra.dues.tables import DuesBillHoldRow, DuesBillRow, DuesPaymentBillRow, DuesPaymentRow
from infra.dues.visibility import own_member, readable
from infra.tenancy import tenant_ref


@dataclass(frozen=True, slots=True)
class StartedPayment:
    payment: DuesPaymentRow
    bills: list[DuesPaymentBillRow]


def attach_of(tenant_id: uuid.UUID, tenant_path: str) -> str:
    """What the provider returns with every notification: the payment's tenant and path,
    so a callback sets its scope without a lookup across tenants."""
    return f"{tenant_id} {tenant_path}"


async def payable_bill(
    uow: UnitOfWork, bill_id: uuid.UUID, *, tenant_id: uuid.UUID, user_id: uuid.UUID
) -> DuesBillRow:
    """The caller's own bill: members pay their own dues, nobody pays for another (不得垫交)."""
    bill = (
        await uow.session.execute(select(DuesBillRow).where(col(DuesBillRow.id) == bill_id))
    ).scalar_one_or_none()
    if bill is None:
        raise not_found("dues_bill")
    if bill.member_id != await own_member(uow, tenant_id, user_id):
        raise MESSAGES.error("dues_pay_own", ErrorKind.FORBIDDEN)
    return bill


async def start_payment(
    uow: UnitOfWork,
    provider: PaymentProvider,
    *,
    bill_id: uuid.UUID,
    months: int,
    tenant_id: uuid.UUID,
    user_id: uuid.UUID,
    now: datetime,
    expires_in: timedelta,
    query_scale: float,
    standards: Chain | None = None,
) -> StartedPayment:
    """`standards` (the tenant's chain, read in a transaction of its own before this one)
    bills the months paid beyond the member's last bill; without it none are."""
    check_months(months)
    bill = await payable_bill(uow, bill_id, tenant_id=tenant_id, user_id=user_id)
    bills = await _unpaid_from(uow, bill, months)
    ahead = months - len(bills)
    if standards is not None and bills and bills[0].id == bill.id and ahead > 0:
        await bill_ahead(uow, bill.tenant_id, bill.member_id, ahead, chain=standards, now=now)
        bills = await _unpaid_from(uow, bill, months)
    check_payable(bill.month, months, [b.month for b in bills])
    payment_id = new_id()
    await _hold(uow, bill.tenant_id, payment_id, bills)
    tenant = await tenant_ref(uow, bill.tenant_id)
    assert tenant is not None
    order = PaymentOrder(
        out_trade_no=payment_id.hex,
        amount_fen=sum(b.amount_fen for b in bills),
        description=payment_description([b.month for b in bills]),
        attach=attach_of(tenant.id, tenant.path),
    )
    params = await provider.create(order)
    payment = DuesPaymentRow(
        tenant_id=bill.tenant_id,
        id=payment_id,
        member_id=bill.member_id,
        organization_id=bill.organization_id,
        provider=provider.name,
        out_trade_no=order.out_trade_no,
        amount_fen=order.amount_fen,
        currency=order.currency,
        status=PaymentStatus.PENDING.value,
        prepay={"prepay_id": params.prepay_id, **params.params},
        created_by=user_id,
        created_at=now,
        expires_at=now + expires_in,
    )
    uow.session.add(payment)
    await uow.session.flush()
    paid = [
        DuesPaymentBillRow(
            tenant_id=b.tenant_id,
            payment_id=payment_id,
            bill_id=b.id,
            month=b.month,
            amount_fen=b.amount_fen,
        )
        for b in bills
    ]
    await uow.session.execute(insert(DuesPaymentBillRow).values([p.model_dump() for p in paid]))
    await queue_query(uow, payment, now=now, scale=query_scale)
    uow.audit(
        "dues_payment.create",
        "dues_payment",
        payment_id,
        tenant_id=bill.tenant_id,
        detail={"amount_fen": order.amount_fen, "bills": [str(b.id) for b in bills]},
    )
    return StartedPayment(payment, paid)


async def _unpaid_from(uow: UnitOfWork, bill: DuesBillRow, months: int) -> list[DuesBillRow]:
    """The member's first `months` unpaid bills from `bill`'s month."""
    found = await uow.session.execute(
        select(DuesBillRow)
        .where(
            col(DuesBillRow.tenant_id) == bill.tenant_id,
            col(DuesBillRow.member_id) == bill.member_id,
            col(DuesBillRow.month) >= bill.month,
            col(DuesBillRow.status) == BillStatus.UNPAID.value,
        )
        .order_by(col(DuesBillRow.month))
        .limit(months)
    )
    return list(found.scalars())


async def _hold(
    uow: UnitOfWork, tenant_id: uuid.UUID, payment_id: uuid.UUID, bills: list[DuesBillRow]
) -> None:
    """Freeze the bills for this payment, or refuse: another payment holds one of them."""
    held = (
        await uow.session.execute(
            pg_insert(DuesBillHoldRow)
            .values(
                [{"tenant_id": tenant_id, "bill_id": b.id, "payment_id": payment_id} for b in bills]
            )
            .on_conflict_do_nothing()
            .returning(col(DuesBillHoldRow.bill_id))
        )
    ).scalars()
    if len(list(held)) == len(bills):
        # A payment that settled while this one waited for its hold released the bills
        # paid: read their status again now that its commit is visible.
        statuses = (
            await uow.session.execute(
                select(DuesBillRow.status).where(
                    col(DuesBillRow.tenant_id) == tenant_id,
                    col(DuesBillRow.id).in_([b.id for b in bills]),
                )
            )
        ).scalars()
        if all(s == BillStatus.UNPAID.value for s in statuses):
            return
        raise MESSAGES.error("dues_bill_not_payable", ErrorKind.CONFLICT)
    other = (
        (
            await uow.session.execute(
                select(DuesBillHoldRow.payment_id).where(
                    col(DuesBillHoldRow.tenant_id) == tenant_id,
                    col(DuesBillHoldRow.bill_id).in_([b.id for b in bills]),
                    col(DuesBillHoldRow.payment_id) != payment_id,
                )
            )
        )
        .scalars()
        .first()
    )
    raise MESSAGES.error("dues_payment_in_flight", ErrorKind.CONFLICT, payment_id=str(other))


async def read_payment(
    uow: UnitOfWork,
    guard: Guard,
    payment_id: uuid.UUID,
    *,
    tenant_id: uuid.UUID,
    user_id: uuid.UUID,
) -> StartedPayment:
    """A payment the caller may read (their own, or within their `dues:read` scopes)."""
    row = (
        await uow.session.execute(
            select(DuesPaymentRow).where(
                col(DuesPaymentRow.id) == payment_id,
                readable(
                    guard,
                    tenant_id=col(DuesPaymentRow.tenant_id),
                    organization_id=col(DuesPaymentRow.organization_id),
                    member_id=col(DuesPaymentRow.member_id),
                    own_member=await own_member(uow, tenant_id, user_id),
                ),
            )
        )
    ).scalar_one_or_none()
    if row is None:
        raise not_found("dues_payment")
    return StartedPayment(row, await payment_bills(uow, row))
