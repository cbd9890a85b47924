"""党费交至 carried in with a transfer from another tenant. The sending tenant's ledger
keeps the paid months; the receiving tenant records how far they reach (written by the
transfer's answer door through `zhibu_dues_carry_in`, in the acceptance's transaction),
bills from the month after, and counts them in the member's paid-to month."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlmodel import col

from infra.db.session import UnitOfWork
from infra.dues.batches import among
from infra.dues.tables import DuesCarriedInRow


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
