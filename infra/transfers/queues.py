"""The queues (待办, 在办, 逾期) of the transfers a caller reads, rolled up per tenant of
their subtree: counted in the database, one statement per side."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, literal, or_, select, tuple_
from sqlmodel import col

from domain.shared import Guard, not_found
from domain.transfers import OPEN_STATES, TransferKind, deadlines
from infra.db.session import UnitOfWork
from infra.tenancy import effective_settings_of, organization_ids_under, organization_ref
from infra.transfers.reading import readable
from infra.transfers.tables import TransferArrivalRow, TransferRow


@dataclass(frozen=True, slots=True)
class QueueCounts:
    tenant_id: uuid.UUID
    side: str
    to_do: int
    in_progress: int
    overdue: int


def _count(condition: Any) -> Any:
    return func.count().filter(condition)


async def queue_counts(
    uow: UnitOfWork,
    guard: Guard,
    *,
    home_tenant_id: uuid.UUID,
    organization_id: uuid.UUID | None,
    now: datetime,
) -> list[QueueCounts]:
    settings = await effective_settings_of(uow, home_tenant_id)
    due = deadlines(now, approval_overdue_days=settings.transfer_approval_overdue_days)
    t, a = TransferRow, TransferArrivalRow
    sending = (
        select(
            col(t.tenant_id),
            _count(col(t.state).in_(("draft", "returned", "pending_approval"))),
            _count(col(t.state) == "sent"),
            _count(
                or_(
                    and_(
                        col(t.state) == "pending_approval",
                        col(t.updated_at) < due.approval_waiting_since,
                    ),
                    and_(col(t.state) == "sent", col(t.expires_at) < due.letter_expires_before),
                    and_(
                        col(t.state) == "sent",
                        col(t.kind) == TransferKind.OUTSIDE_PLATFORM.value,
                        col(t.sent_at) < due.receipt_sent_before,
                    ),
                )
            ),
        )
        .where(
            col(t.state).in_(OPEN_STATES),
            readable(guard, col(t.tenant_id), col(t.from_organization_id)),
        )
        .group_by(col(t.tenant_id))
    )
    receiving = (
        select(
            col(a.tenant_id),
            _count(col(a.state) == "sent"),
            literal(0),
            _count(and_(col(a.state) == "sent", col(a.expires_at) < due.letter_expires_before)),
        )
        .where(
            col(a.state) == "sent",
            readable(guard, col(a.tenant_id), col(a.to_organization_id)),
        )
        .group_by(col(a.tenant_id))
    )
    if organization_id is not None:
        org = await organization_ref(uow, organization_id)
        if org is None:
            raise not_found("organization")
        under = organization_ids_under(org.tenant_id, org.path)
        sending = sending.where(tuple_(col(t.tenant_id), col(t.from_organization_id)).in_(under))
        receiving = receiving.where(tuple_(col(a.tenant_id), col(a.to_organization_id)).in_(under))
    counts = [
        QueueCounts(row[0], "sending", row[1], row[2], row[3])
        for row in (await uow.session.execute(sending)).all()
    ]
    counts += [
        QueueCounts(row[0], "receiving", row[1], row[2], row[3])
        for row in (await uow.session.execute(receiving)).all()
    ]
    return sorted(counts, key=lambda c: (str(c.tenant_id), c.side))
