"""Voluntary extra payments (自愿多交党费): recorded by the member's branch (`dues:write`
there) in the current month, append-only; a single one of 1000 yuan or more is marked as
going wholly to the Centre."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, tuple_
from sqlmodel import col

from domain.dues import check_voluntary, format_month, month_of, to_centre
from domain.shared import Guard, new_id, not_found, require_scopes
from infra.db.session import UnitOfWork
from infra.dues.clock import today
from infra.dues.seats import seat_of
from infra.dues.tables import DuesVoluntaryPaymentRow
from infra.dues.visibility import readable
from infra.platform.outbox import emit
from infra.tenancy import organization_ids_under, organization_ref


async def record_voluntary(
    uow: UnitOfWork,
    guard: Guard,
    *,
    member_id: uuid.UUID,
    amount_fen: int,
    note: str | None,
    recorded_by: uuid.UUID,
    now: datetime,
) -> DuesVoluntaryPaymentRow:
    seat = await seat_of(uow, member_id)
    guard.require("dues", "write", seat.domain)
    seat.require_paying()
    check_voluntary(amount_fen)
    row = DuesVoluntaryPaymentRow(
        tenant_id=seat.tenant_id,
        id=new_id(),
        member_id=seat.member_id,
        organization_id=seat.organization_id,
        month=month_of(today(now)),
        amount_fen=amount_fen,
        to_centre=to_centre(amount_fen),
        note=note,
        recorded_by=recorded_by,
    )
    uow.session.add(row)
    await uow.session.flush()
    detail = {"member_id": str(row.member_id), "amount_fen": amount_fen, "to_centre": row.to_centre}
    uow.audit(
        "dues_voluntary_payment.record",
        "dues_voluntary_payment",
        row.id,
        tenant_id=row.tenant_id,
        detail=detail,
    )
    emit(
        uow,
        tenant_id=row.tenant_id,
        topic="dues.voluntary_recorded",
        aggregate_type="member",
        aggregate_id=row.member_id,
        payload={"id": str(row.id), "month": format_month(row.month), **detail},
        organization_id=row.organization_id,
    )
    return row


@dataclass(frozen=True, slots=True)
class VoluntaryFilter:
    organization_id: uuid.UUID | None = None
    member_id: uuid.UUID | None = None
    to_centre: bool | None = None


async def list_voluntary(
    uow: UnitOfWork,
    guard: Guard,
    *,
    where: VoluntaryFilter,
    limit: int,
    after: uuid.UUID | None,
) -> list[DuesVoluntaryPaymentRow]:
    require_scopes(guard, "dues", "read")
    v = DuesVoluntaryPaymentRow
    stmt = select(v).where(
        readable(
            guard,
            tenant_id=col(v.tenant_id),
            organization_id=col(v.organization_id),
            member_id=col(v.member_id),
            own_member=None,
        )
    )
    if where.organization_id is not None:
        org = await organization_ref(uow, where.organization_id)
        if org is None:
            raise not_found("organization")
        stmt = stmt.where(
            col(v.tenant_id) == org.tenant_id,
            tuple_(col(v.tenant_id), col(v.organization_id)).in_(
                organization_ids_under(org.tenant_id, org.path)
            ),
        )
    if where.member_id is not None:
        stmt = stmt.where(col(v.member_id) == where.member_id)
    if where.to_centre is not None:
        stmt = stmt.where(col(v.to_centre) == where.to_centre)
    if after is not None:
        stmt = stmt.where(col(v.id) > after)
    return list((await uow.session.execute(stmt.order_by(col(v.id)).limit(limit + 1))).scalars())
