"""Manual awards and deductions (人工奖扣) with maker–checker.

A branch proposes (`point_award:propose` over the member's organization), the next level
up decides (`point_award:decide` over the parent organization, or the tenant for a
top-level organization, so a branch cannot approve its own). Nobody decides their own
proposal or one for themselves. An approval appends the award to the ledger in the period
of its day, in the same unit of work. The member sees their awards, with the reasons.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import Select, or_, select, tuple_

from domain.points import AwardStatus, PeriodKind, check_decider, check_proposal, period_of
from domain.shared import Guard, new_id, not_found
from domain.shared.times import DISPLAY_ZONE
from domain.tenancy import org_domain, tenant_domain
from infra.db.routing import locked
from infra.db.session import UnitOfWork
from infra.members import find_member_place, member_of_user
from infra.points.ledger import Entry, append, hold_balance
from infra.points.rule_sets import version_on_day, versions_in_force
from infra.points.tables import PointAward
from infra.points.visibility import Reader
from infra.tenancy import OrganizationRef, organization_ids_in_domains, organization_ref


def _decider_domain(org: OrganizationRef) -> str:
    """The next level up: the parent organization, or the tenant above a top organization."""
    parent, _, _ = org.path.rpartition(".")
    return org_domain(org.tenant_path, parent) if parent else tenant_domain(org.tenant_path)


async def propose(
    uow: UnitOfWork,
    guard: Guard,
    reader: Reader,
    *,
    member_id: uuid.UUID,
    points: int,
    category: str | None,
    reason: str,
    evidence_ids: Sequence[uuid.UUID],
) -> PointAward:
    place = await find_member_place(uow, member_id)
    if place is None:
        raise not_found("member")
    org = await organization_ref(uow, place.organization_id, tenant_id=place.tenant_id)
    if org is None:
        raise not_found("member")
    guard.require("point_award", "propose", org.domain)
    mine = await member_of_user(uow, reader.tenant_id, reader.user_id)
    check_proposal(
        points=points,
        reason=reason,
        proposer_member_id=mine.id if mine else None,
        member_id=member_id,
    )
    award = PointAward(
        tenant_id=place.tenant_id,
        id=new_id(),
        member_id=member_id,
        organization_id=place.organization_id,
        points=points,
        category=category,
        reason=reason,
        evidence_ids=list(evidence_ids),
        status=AwardStatus.PROPOSED.value,
        proposed_by=reader.user_id,
    )
    uow.session.add(award)
    await uow.session.flush()
    uow.audit(
        "point_award.propose",
        "point_award",
        award.id,
        tenant_id=award.tenant_id,
        detail={"member_id": str(member_id), "points": points, "category": category},
    )
    return award


async def decide(
    uow: UnitOfWork,
    guard: Guard,
    reader: Reader,
    award_id: uuid.UUID,
    *,
    approve: bool,
    reason: str | None,
) -> PointAward:
    award = await get_award(uow, guard, reader, award_id)
    award = await locked(uow.session, award)
    org = await organization_ref(uow, award.organization_id, tenant_id=award.tenant_id)
    if org is None:
        raise not_found("point_award")
    guard.require("point_award", "decide", _decider_domain(org))
    mine = await member_of_user(uow, reader.tenant_id, reader.user_id)
    check_decider(
        status=AwardStatus(award.status),
        decider_user_id=reader.user_id,
        proposed_by=award.proposed_by,
        decider_member_id=mine.id if mine else None,
        member_id=award.member_id,
    )
    now = datetime.now(UTC)
    award.status = (AwardStatus.APPROVED if approve else AwardStatus.REFUSED).value
    award.decided_by = reader.user_id
    award.decided_at = now
    award.decision_reason = reason
    uow.session.add(award)
    await uow.session.flush()
    if approve:
        await _book(uow, award, now)
    uow.audit(
        "point_award.approve" if approve else "point_award.refuse",
        "point_award",
        award.id,
        tenant_id=award.tenant_id,
        detail={"member_id": str(award.member_id), "points": award.points},
    )
    return award


async def _book(uow: UnitOfWork, award: PointAward, now: datetime) -> None:
    """The approved award as a ledger entry in the period of its day."""
    day = now.astimezone(DISPLAY_ZONE).date()
    version = version_on_day(await versions_in_force(uow, award.tenant_id), day)
    period = period_of(version.rules.period if version else PeriodKind.YEARLY, day)
    await hold_balance(uow, award.tenant_id, award.member_id, period)
    entry = Entry(
        tenant_id=award.tenant_id,
        member_id=award.member_id,
        period=period,
        kind="award" if award.points > 0 else "deduction",
        points=award.points,
        rule_version_id=version.id if version else None,
        rule_version=version.rules.version if version else None,
        item_code=award.category,
        cause_type="award",
        cause_id=award.id,
    )
    await append(uow, [entry])


async def _visible(
    uow: UnitOfWork, guard: Guard, reader: Reader, stmt: Select[tuple[PointAward]]
) -> Select[tuple[PointAward]]:
    """Awards over organizations where the caller reads awards, and the caller's own."""
    domains = [
        org_domain(t, o) if o else tenant_domain(t) for t, o in guard.scopes("point_award", "read")
    ]
    clauses = []
    if domains:
        clauses.append(
            tuple_(PointAward.tenant_id, PointAward.organization_id).in_(  # type: ignore[arg-type]
                organization_ids_in_domains(domains)
            )
        )
    mine = await member_of_user(uow, reader.tenant_id, reader.user_id)
    if mine is not None:
        clauses.append(PointAward.member_id == mine.id)  # type: ignore[arg-type]
    if not clauses:
        guard.require("point_award", "read")
    return stmt.where(or_(*clauses))


async def get_award(
    uow: UnitOfWork, guard: Guard, reader: Reader, award_id: uuid.UUID
) -> PointAward:
    stmt = await _visible(
        uow,
        guard,
        reader,
        select(PointAward).where(PointAward.id == award_id),  # type: ignore[arg-type]
    )
    award = (await uow.session.execute(stmt)).scalar_one_or_none()
    if award is None:
        raise not_found("point_award")
    return award


async def list_awards(
    uow: UnitOfWork,
    guard: Guard,
    reader: Reader,
    *,
    status: str | None,
    member_id: uuid.UUID | None,
    limit: int,
    after: uuid.UUID | None,
) -> list[PointAward]:
    stmt = await _visible(uow, guard, reader, select(PointAward))
    if status is not None:
        stmt = stmt.where(PointAward.status == status)  # type: ignore[arg-type]
    if member_id is not None:
        stmt = stmt.where(PointAward.member_id == member_id)  # type: ignore[arg-type]
    if after is not None:
        stmt = stmt.where(PointAward.id > after)  # type: ignore[arg-type]
    rows = await uow.session.execute(stmt.order_by(PointAward.id).limit(limit + 1))  # type: ignore[arg-type]
    return list(rows.scalars())
