"""Dues bases (党费基数): declared by the branch, approved by someone else who holds
`dues:approve` there (maker–checker); read back with who declared and approved them."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlmodel import col

from domain.dues import (
    ApprovedBase,
    BaseMode,
    BaseStatus,
    DuesCategory,
    IncomeKind,
    check_decider,
    check_declaration,
    check_pending,
)
from domain.shared import Guard, new_id, not_found
from infra.db.routing import locked
from infra.db.session import UnitOfWork
from infra.dues.batches import among
from infra.dues.seats import seat_of
from infra.dues.tables import DuesBaseRow
from infra.dues.visibility import own_member, readable
from infra.tenancy import effective_settings_of


@dataclass(frozen=True, slots=True)
class Declaration:
    member_id: uuid.UUID
    category: DuesCategory
    income_kind: IncomeKind | None
    monthly_income_fen: int | None
    effective_from: date
    note: str | None


async def declare_base(
    uow: UnitOfWork, guard: Guard, declaration: Declaration, *, declared_by: uuid.UUID
) -> DuesBaseRow:
    seat = await seat_of(uow, declaration.member_id)
    guard.require("dues", "write", seat.domain)
    seat.require_paying()
    check_declaration(declaration.category, declaration.income_kind, declaration.monthly_income_fen)
    row = DuesBaseRow(
        tenant_id=seat.tenant_id,
        id=new_id(),
        member_id=seat.member_id,
        organization_id=seat.organization_id,
        category=declaration.category.value,
        income_kind=declaration.income_kind.value if declaration.income_kind else None,
        monthly_income_fen=declaration.monthly_income_fen,
        effective_from=declaration.effective_from,
        status=BaseStatus.DECLARED.value,
        note=declaration.note,
        declared_by=declared_by,
    )
    uow.session.add(row)
    await uow.session.flush()
    uow.audit(
        "dues_base.declare",
        "dues_base",
        row.id,
        tenant_id=row.tenant_id,
        detail={"member_id": str(row.member_id), "category": row.category},
    )
    return row


async def _locked(uow: UnitOfWork, base_id: uuid.UUID) -> DuesBaseRow:
    found = (
        await uow.session.execute(select(DuesBaseRow).where(col(DuesBaseRow.id) == base_id))
    ).scalar_one_or_none()
    if found is None:
        raise not_found("dues_base")
    return await locked(uow.session, found)


async def decide_base(
    uow: UnitOfWork,
    guard: Guard,
    base_id: uuid.UUID,
    *,
    approve: bool,
    decided_by: uuid.UUID,
) -> DuesBaseRow:
    row = await _locked(uow, base_id)
    seat = await seat_of(uow, row.member_id)
    guard.require("dues", "approve", seat.domain)
    check_decider(row.declared_by, decided_by)
    check_pending(row.status, BaseStatus.DECLARED.value)
    row.status = (BaseStatus.APPROVED if approve else BaseStatus.REJECTED).value
    row.decided_by = decided_by
    row.decided_at = datetime.now(UTC)
    uow.session.add(row)
    await uow.session.flush()
    uow.audit(
        "dues_base.approve" if approve else "dues_base.reject",
        "dues_base",
        row.id,
        tenant_id=row.tenant_id,
        detail={"member_id": str(row.member_id)},
    )
    return row


async def list_bases(
    uow: UnitOfWork,
    guard: Guard,
    *,
    tenant_id: uuid.UUID,
    user_id: uuid.UUID,
    member_id: uuid.UUID | None,
    status: BaseStatus | None,
    limit: int,
    after: uuid.UUID | None,
) -> list[DuesBaseRow]:
    """Bases the caller may read, in declaration order; the read is audited (incomes are
    personal data)."""
    stmt = select(DuesBaseRow).where(
        readable(
            guard,
            tenant_id=col(DuesBaseRow.tenant_id),
            organization_id=col(DuesBaseRow.organization_id),
            member_id=col(DuesBaseRow.member_id),
            own_member=await own_member(uow, tenant_id, user_id),
        )
    )
    if member_id is not None:
        stmt = stmt.where(col(DuesBaseRow.member_id) == member_id)
    if status is not None:
        stmt = stmt.where(col(DuesBaseRow.status) == status.value)
    if after is not None:
        stmt = stmt.where(col(DuesBaseRow.id) > after)
    rows = list(
        (await uow.session.execute(stmt.order_by(col(DuesBaseRow.id)).limit(limit + 1))).scalars()
    )
    for tenant in {r.tenant_id for r in rows}:
        uow.audit(
            "dues_base.read",
            "dues_base",
            tenant_id=tenant,
            detail={"ids": [str(r.id) for r in rows if r.tenant_id == tenant]},
        )
    return rows


async def approved_bases(
    uow: UnitOfWork, tenant_id: uuid.UUID, member_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[ApprovedBase]]:
    """The approved bases of these members of one tenant, by member (selected from the
    table, not the model: a bill run's batch skips the ORM's row loading)."""
    b = DuesBaseRow.__table__.c  # type: ignore[attr-defined]
    rows = await uow.session.execute(
        select(
            b.member_id, b.id, b.category, b.income_kind, b.monthly_income_fen, b.effective_from
        ).where(
            b.tenant_id == tenant_id,
            among(b.member_id, member_ids),
            b.status == BaseStatus.APPROVED.value,
        )
    )
    found: dict[uuid.UUID, list[ApprovedBase]] = {}
    for member_id, base_id, category, income_kind, income, effective_from in rows.all():
        found.setdefault(member_id, []).append(
            ApprovedBase(
                id=base_id,
                category=DuesCategory(category),
                income_kind=IncomeKind(income_kind) if income_kind else None,
                monthly_income_fen=income,
                effective_from=effective_from,
            )
        )
    return found


async def base_mode(uow: UnitOfWork, tenant_id: uuid.UUID) -> BaseMode:
    return BaseMode((await effective_settings_of(uow, tenant_id)).dues_base_mode)
