"""A member's ledger and their summary for a period."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select

from domain.points import period_end, version_on, within
from domain.shared import Guard
from infra.db.session import UnitOfWork
from infra.points.rule_sets import versions_in_force
from infra.points.tables import PointBalance, PointEntry
from infra.points.visibility import Reader, SeenMember, member_points_seen_by


def _audit_read(uow: UnitOfWork, seen: SeenMember, what: str) -> None:
    """Another person's points are personal data: every such read is audited."""
    if not seen.own:
        uow.audit(what, "member", seen.place.id, tenant_id=seen.place.tenant_id)


async def member_entries(
    uow: UnitOfWork,
    guard: Guard,
    reader: Reader,
    member_id: uuid.UUID,
    *,
    period: str | None,
    limit: int,
    after: uuid.UUID | None,
) -> list[PointEntry]:
    """The member's entries, newest first; `period` keeps those within it."""
    seen = await member_points_seen_by(uow, guard, reader, member_id)
    stmt = select(PointEntry).where(
        PointEntry.tenant_id == seen.place.tenant_id,  # type: ignore[arg-type]
        PointEntry.member_id == member_id,  # type: ignore[arg-type]
    )
    if after is not None:
        stmt = stmt.where(PointEntry.id < after)  # type: ignore[arg-type]
    if period is not None:
        stmt = stmt.where(PointEntry.period.startswith(period[:4]))  # type: ignore[attr-defined]
    rows = (await uow.session.execute(stmt.order_by(PointEntry.id.desc()))).scalars()  # type: ignore[attr-defined]
    found = [r for r in rows if period is None or within(r.period, period)]
    _audit_read(uow, seen, "points.read")
    return found[: limit + 1]


@dataclass(frozen=True, slots=True)
class Summary:
    member_id: uuid.UUID
    period: str
    base_score: int | None
    earned: int
    entries: int
    rule_version: int | None

    @property
    def total(self) -> int:
        return (self.base_score or 0) + self.earned


async def member_summary(
    uow: UnitOfWork, guard: Guard, reader: Reader, member_id: uuid.UUID, *, period: str
) -> Summary:
    """The stored balances of the periods within `period`, and the scheme's base score."""
    seen = await member_points_seen_by(uow, guard, reader, member_id)
    rows = (
        await uow.session.execute(
            select(PointBalance).where(
                PointBalance.tenant_id == seen.place.tenant_id,  # type: ignore[arg-type]
                PointBalance.member_id == member_id,  # type: ignore[arg-type]
                PointBalance.period.startswith(period[:4]),  # type: ignore[attr-defined]
            )
        )
    ).scalars()
    balances = [b for b in rows if within(b.period, period)]
    versions = await versions_in_force(uow, seen.place.tenant_id)
    version = version_on([v.rules for v in versions], period_end(period))
    _audit_read(uow, seen, "points.summary.read")
    return Summary(
        member_id=member_id,
        period=period,
        base_score=version.base_score if version else None,
        earned=sum(b.points for b in balances),
        entries=sum(b.entries for b in balances),
        rule_version=version.version if version else None,
    )
