""" "In transfer" (转接中) on the member record: while a member's transfer is open, the
registry shows it. The members context never reads the transfer table; it asks here.

Only the sending side holds open transfers of its members, so whoever may read a member
in the sending tenant sees the mark; a member row of the receiving side never has one.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlmodel import col

from domain.transfers import OPEN_STATES
from infra.db.session import UnitOfWork
from infra.transfers.tables import TransferRow


@dataclass(frozen=True, slots=True)
class TransferMark:
    transfer_id: uuid.UUID
    state: str


def members_in_transfer() -> Any:
    """The ids of members with an open transfer, as a subquery for the registry's filter
    (along the unique index of open transfers)."""
    return select(col(TransferRow.member_id)).where(col(TransferRow.state).in_(OPEN_STATES))


async def transfer_marks(
    uow: UnitOfWork, member_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, TransferMark]:
    """The open transfer of each member that has one, for a page of the registry."""
    if not member_ids:
        return {}
    t = TransferRow
    rows = await uow.session.execute(
        select(t.member_id, t.id, t.state).where(
            col(t.member_id).in_(list(member_ids)), col(t.state).in_(OPEN_STATES)
        )
    )
    return {member_id: TransferMark(id_, state) for member_id, id_, state in rows}
