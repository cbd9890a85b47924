"""A paid bill's receipt (党费收据), for the member and whoever may read their dues."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlmodel import col

from domain.dues.receipts import ReceiptDocument
from domain.shared import Guard, not_found
from infra.db.session import UnitOfWork
from infra.dues.tables import DuesPaymentRow, DuesReceiptRow
from infra.dues.visibility import own_member, readable
from infra.members import member_names
from infra.tenancy import organization_ref, tenant_ref


async def receipt_of_bill(
    uow: UnitOfWork, guard: Guard, bill_id: uuid.UUID, *, tenant_id: uuid.UUID, user_id: uuid.UUID
) -> tuple[DuesReceiptRow, ReceiptDocument]:
    found = (
        await uow.session.execute(
            select(DuesReceiptRow, DuesPaymentRow)
            .join(
                DuesPaymentRow,
                (col(DuesPaymentRow.tenant_id) == col(DuesReceiptRow.tenant_id))
                & (col(DuesPaymentRow.id) == col(DuesReceiptRow.payment_id)),
            )
            .where(
                col(DuesReceiptRow.bill_id) == bill_id,
                readable(
                    guard,
                    tenant_id=col(DuesReceiptRow.tenant_id),
                    organization_id=col(DuesReceiptRow.organization_id),
                    member_id=col(DuesReceiptRow.member_id),
                    own_member=await own_member(uow, tenant_id, user_id),
                ),
            )
        )
    ).first()
    if found is None:
        raise not_found("dues_receipt")
    receipt, payment = found
    names = dict(await member_names(uow, receipt.tenant_id, [receipt.member_id]))
    org = await organization_ref(uow, receipt.organization_id, tenant_id=receipt.tenant_id)
    tenant = await tenant_ref(uow, receipt.tenant_id)
    return receipt, ReceiptDocument(
        number=receipt.number,
        tenant_name=tenant.name if tenant else "",
        organization_name=org.name if org else "",
        member_name=names.get(receipt.member_id, ""),
        month=receipt.month,
        amount_fen=receipt.amount_fen,
        issued_at=receipt.issued_at,
        provider=payment.provider,
        transaction_id=payment.transaction_id or "",
    )
