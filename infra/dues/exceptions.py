"""Exceptions to the six-month limit on back payment (补交), recorded by an administrator
(`dues:configure`) with a reason; a bill run then reaches back to `from_month`."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy import func, select
from sqlmodel import col

from domain.dues import format_month
from domain.shared import Guard, new_id
from infra.db.session import UnitOfWork
from infra.dues.batches import among
from infra.dues.seats import seat_of
from infra.dues.tables import BackPaymentExceptionRow


async def record_exception(
    uow: UnitOfWork,
    guard: Guard,
    *,
    member_id: uuid.UUID,
    from_month: date,
    reason: str,
    recorded_by: uuid.UUID,
) -> BackPaymentExceptionRow:
    seat = await seat_of(uow, member_id)
    guard.require("dues", "configure", seat.domain)
    row = BackPaymentExceptionRow(
        tenant_id=seat.tenant_id,
        id=new_id(),
        member_id=seat.member_id,
        from_month=from_month,
        reason=reason,
        recorded_by=recorded_by,
    )
    uow.session.add(row)
    await uow.session.flush()
    uow.audit(
        "dues_back_payment_exception.record",
        "dues_back_payment_exception",
        row.id,
        tenant_id=row.tenant_id,
        detail={"member_id": str(member_id), "from_month": format_month(from_month)},
    )
    return row


async def exceptions_from(
    uow: UnitOfWork, tenant_id: uuid.UUID, member_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, date]:
    """The earliest month each of these members may be billed back to by exception."""
    rows = await uow.session.execute(
        select(BackPaymentExceptionRow.member_id, func.min(BackPaymentExceptionRow.from_month))
        .where(
            col(BackPaymentExceptionRow.tenant_id) == tenant_id,
            among(col(BackPaymentExceptionRow.member_id), member_ids),
        )
        .group_by(col(BackPaymentExceptionRow.member_id))
    )
    return {member: month for member, month in rows.all()}
