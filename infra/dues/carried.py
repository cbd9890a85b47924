"""党费交至 carried in with a transfer from another tenant. The sending tenant's ledger
keeps the paid months; the receiving tenant records how far they reach, bills from the
month after, and counts them in the member's paid-to month. Written once per member (a
repeated delivery of the same acceptance changes nothing)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col

from infra.db.session import UnitOfWork
from infra.dues.batches import among
from infra.dues.tables import DuesCarriedInRow


async def carry_paid_to(
    uow: UnitOfWork,
    *,
    tenant_id: uuid.UUID,
    member_id: uuid.UUID,
    paid_to: date,
    transfer_id: uuid.UUID,
    from_tenant_id: uuid.UUID,
) -> None:
    """Record the paid-to month of a member who arrived in `tenant_id` by a transfer."""
    c = DuesCarriedInRow.__table__
    await uow.session.execute(
        insert(c)
        .values(
            tenant_id=tenant_id,
            member_id=member_id,
            paid_to=paid_to.replace(day=1),
            transfer_id=transfer_id,
            from_tenant_id=from_tenant_id,
        )
        .on_conflict_do_nothing()
    )
    uow.audit(
        "dues.paid_to_carried_in",
        "member",
        member_id,
        tenant_id=tenant_id,
        detail={"paid_to": paid_to.strftime("%Y-%m"), "transfer_id": str(transfer_id)},
    )


async def carried_paid_to(
    uow: UnitOfWork, tenant_id: uuid.UUID, member_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, date]:
    c = DuesCarriedInRow
    found = await uow.session.execute(
        select(c.member_id, c.paid_to).where(
            col(c.tenant_id) == tenant_id, among(col(c.member_id), member_ids)
        )
    )
    return {member_id: paid_to for member_id, paid_to in found.all()}
