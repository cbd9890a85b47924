"""Hardship reductions and exemptions (减免, 第七条): proposed by the member's branch
(`dues:write` there), approved or rejected by the next level up (`dues:approve` on the
organization above the branch), never by the proposer."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlmodel import col

from domain.dues import (
    MESSAGES,
    ApprovedRelief,
    ReliefKind,
    ReliefStatus,
    check_decider,
    check_pending,
    check_relief,
    format_month,
)
from domain.shared import ErrorKind, Guard, new_id, not_found
from infra.db.routing import locked
from infra.db.session import UnitOfWork
from infra.dues.batches import among
from infra.dues.seats import seat_of
from infra.dues.tables import DuesReliefRow
from infra.dues.visibility import own_member, readable


@dataclass(frozen=True, slots=True)
class Proposal:
    member_id: uuid.UUID
    kind: ReliefKind
    monthly_amount_fen: int | None
    from_month: date
    to_month: date
    reason: str


async def propose_relief(
    uow: UnitOfWork, guard: Guard, proposal: Proposal, *, proposed_by: uuid.UUID
) -> DuesReliefRow:
    seat = await seat_of(uow, proposal.member_id)
    guard.require("dues", "write", seat.domain)
    seat.require_paying()
    check_relief(proposal.kind, proposal.monthly_amount_fen, proposal.from_month, proposal.to_month)
    row = DuesReliefRow(
        tenant_id=seat.tenant_id,
        id=new_id(),
        member_id=seat.member_id,
        organization_id=seat.organization_id,
        kind=proposal.kind.value,
        monthly_amount_fen=proposal.monthly_amount_fen,
        from_month=proposal.from_month,
        to_month=proposal.to_month,
        reason=proposal.reason,
        status=ReliefStatus.PROPOSED.value,
        proposed_by=proposed_by,
    )
    uow.session.add(row)
    await uow.session.flush()
    uow.audit(
        "dues_relief.propose",
        "dues_relief",
        row.id,
        tenant_id=row.tenant_id,
        detail={
            "member_id": str(row.member_id),
            "kind": row.kind,
            "from_month": format_month(row.from_month),
            "to_month": format_month(row.to_month),
        },
    )
    return row


async def _locked(uow: UnitOfWork, relief_id: uuid.UUID) -> DuesReliefRow:
    found = (
        await uow.session.execute(select(DuesReliefRow).where(col(DuesReliefRow.id) == relief_id))
    ).scalar_one_or_none()
    if found is None:
        raise not_found("dues_relief")
    return await locked(uow.session, found)


async def decide_relief(
    uow: UnitOfWork,
    guard: Guard,
    relief_id: uuid.UUID,
    *,
    approve: bool,
    decided_by: uuid.UUID,
    note: str | None,
) -> DuesReliefRow:
    row = await _locked(uow, relief_id)
    seat = await seat_of(uow, row.member_id)
    if not guard.can("dues", "approve", seat.next_level):
        guard.require("dues", "read", seat.domain)  # 404 stays 404 for outsiders
        raise MESSAGES.error("relief_next_level", ErrorKind.FORBIDDEN, code="forbidden")
    check_decider(row.proposed_by, decided_by)
    check_pending(row.status, ReliefStatus.PROPOSED.value)
    row.status = (ReliefStatus.APPROVED if approve else ReliefStatus.REJECTED).value
    row.decided_by = decided_by
    row.decided_at = datetime.now(UTC)
    row.decision_note = note
    uow.session.add(row)
    await uow.session.flush()
    uow.audit(
        "dues_relief.approve" if approve else "dues_relief.reject",
        "dues_relief",
        row.id,
        tenant_id=row.tenant_id,
        detail={"member_id": str(row.member_id), "kind": row.kind},
    )
    return row


async def list_reliefs(
    uow: UnitOfWork,
    guard: Guard,
    *,
    tenant_id: uuid.UUID,
    user_id: uuid.UUID,
    member_id: uuid.UUID | None,
    status: ReliefStatus | None,
    limit: int,
    after: uuid.UUID | None,
) -> list[DuesReliefRow]:
    stmt = select(DuesReliefRow).where(
        readable(
            guard,
            tenant_id=col(DuesReliefRow.tenant_id),
            organization_id=col(DuesReliefRow.organization_id),
            member_id=col(DuesReliefRow.member_id),
            own_member=await own_member(uow, tenant_id, user_id),
        )
    )
    if member_id is not None:
        stmt = stmt.where(col(DuesReliefRow.member_id) == member_id)
    if status is not None:
        stmt = stmt.where(col(DuesReliefRow.status) == status.value)
    if after is not None:
        stmt = stmt.where(col(DuesReliefRow.id) > after)
    return list(
        (await uow.session.execute(stmt.order_by(col(DuesReliefRow.id)).limit(limit + 1))).scalars()
    )


async def approved_reliefs(
    uow: UnitOfWork, tenant_id: uuid.UUID, member_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[ApprovedRelief]]:
    """The approved reliefs of these members of one tenant, by member."""
    rows = await uow.session.execute(
        select(DuesReliefRow).where(
            col(DuesReliefRow.tenant_id) == tenant_id,
            among(col(DuesReliefRow.member_id), member_ids),
            col(DuesReliefRow.status) == ReliefStatus.APPROVED.value,
        )
    )
    found: dict[uuid.UUID, list[ApprovedRelief]] = {}
    for row in rows.scalars():
        found.setdefault(row.member_id, []).append(
            ApprovedRelief(
                id=row.id,
                kind=ReliefKind(row.kind),
                monthly_amount_fen=row.monthly_amount_fen,
                from_month=row.from_month,
                to_month=row.to_month,
            )
        )
    return found
