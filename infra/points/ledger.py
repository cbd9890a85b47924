"""Writing the ledger (积分明细): entries are only appended, the balance moves with them.

Every write to a member's period holds that period's balance row (`FOR UPDATE`), appends
its entries, adds them to the balance and queues `points.awarded` / `points.reversed`, all
in the caller's unit of work. Automatic entries come in cap groups (a member, period, rule
version and item): the group is settled as a whole (`domain.points.settle`), so a record
processed twice adds nothing, and a withdrawal re-applies the cap to what remains.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select, text

from domain.points import Cause, RuleItem, settle
from domain.shared import new_id
from infra.db.session import UnitOfWork
from infra.members import member_place
from infra.platform.outbox import emit
from infra.points.tables import PointEntry

AWARDED = "points.awarded"
REVERSED = "points.reversed"


@dataclass(frozen=True, slots=True)
class Group:
    """One cap group: a member's entries for one item of one rule version in one period."""

    tenant_id: uuid.UUID
    member_id: uuid.UUID
    period: str
    rule_version_id: uuid.UUID
    rule_version: int
    item_code: str
    item_points: int
    item_cap: int | None

    @classmethod
    def of(
        cls,
        tenant_id: uuid.UUID,
        member_id: uuid.UUID,
        period: str,
        version_id: uuid.UUID,
        version: int,
        item: RuleItem,
        units: int = 1,
    ) -> Group:
        """`units` for items earned per unit (volunteer hours): the record earns
        `points × units` before the cap."""
        return cls(
            tenant_id,
            member_id,
            period,
            version_id,
            version,
            item.code,
            item.points * units,
            item.cap_per_period,
        )


async def hold_balance(
    uow: UnitOfWork, tenant_id: uuid.UUID, member_id: uuid.UUID, period: str
) -> None:
    """Take the period's balance row (made at zero the first time): one writer at a time."""
    params = {"t": tenant_id, "m": member_id, "p": period}
    await uow.session.execute(
        text(
            "INSERT INTO point_balance (tenant_id, member_id, period) VALUES (:t, :m, :p)"
            " ON CONFLICT DO NOTHING"
        ),
        params,
    )
    await uow.session.execute(
        text(
            "SELECT 1 FROM point_balance"
            " WHERE tenant_id = :t AND member_id = :m AND period = :p FOR UPDATE"
        ),
        params,
    )


async def append(uow: UnitOfWork, entries: Sequence[PointEntry]) -> None:
    """Append entries of one member's period (its balance held) and move the balance."""
    if not entries:
        return
    first = entries[0]
    uow.session.add_all(entries)
    await uow.session.flush()
    await uow.session.execute(
        text(
            "UPDATE point_balance SET points = points + :d, entries = entries + :n,"
            " updated_at = now() WHERE tenant_id = :t AND member_id = :m AND period = :p"
        ),
        {
            "d": sum(e.points for e in entries),
            "n": len(entries),
            "t": first.tenant_id,
            "m": first.member_id,
            "p": first.period,
        },
    )
    announced = [e for e in entries if e.points or e.kind == "reversal"]
    if not announced:
        return
    place = await member_place(uow, first.tenant_id, first.member_id)
    for entry in announced:
        _announce(uow, entry, place.organization_id if place else None)


def _announce(uow: UnitOfWork, entry: PointEntry, organization_id: uuid.UUID | None) -> None:
    emit(
        uow,
        tenant_id=entry.tenant_id,
        topic=REVERSED if entry.kind == "reversal" else AWARDED,
        aggregate_type="member",
        aggregate_id=entry.member_id,
        payload={
            "entry_id": str(entry.id),
            "member_id": str(entry.member_id),
            "points": entry.points,
            "kind": entry.kind,
            "period": entry.period,
            "item_code": entry.item_code,
            "rule_version": entry.rule_version,
            "cause_type": entry.cause_type,
            "cause_id": str(entry.cause_id),
        },
        organization_id=organization_id,
    )


async def settle_group(
    uow: UnitOfWork,
    group: Group,
    *,
    cause_type: str,
    add: uuid.UUID | None = None,
    withdraw: uuid.UUID | None = None,
    event_id: uuid.UUID | None = None,
) -> list[PointEntry]:
    """Bring a cap group's entries to what its records earn, after `add` arrived or
    `withdraw` was withdrawn; returns the entries appended (none when nothing changed)."""
    await hold_balance(uow, group.tenant_id, group.member_id, group.period)
    rows = (
        await uow.session.execute(
            select(PointEntry.cause_id, PointEntry.kind, PointEntry.points, PointEntry.item_points)
            .where(
                PointEntry.tenant_id == group.tenant_id,  # type: ignore[arg-type]
                PointEntry.member_id == group.member_id,  # type: ignore[arg-type]
                PointEntry.period == group.period,  # type: ignore[arg-type]
                PointEntry.rule_version_id == group.rule_version_id,  # type: ignore[arg-type]
                PointEntry.item_code == group.item_code,  # type: ignore[arg-type]
            )
            .order_by(PointEntry.id)  # type: ignore[arg-type]
        )
    ).all()
    order: list[uuid.UUID] = []
    uncapped: dict[uuid.UUID, int] = {}
    booked: dict[str, int] = {}
    withdrawn: set[uuid.UUID] = set()
    for cause_id, kind, points, item_points in rows:
        if cause_id not in order:
            order.append(cause_id)
            uncapped[cause_id] = group.item_points if item_points is None else item_points
        booked[str(cause_id)] = booked.get(str(cause_id), 0) + points
        if kind == "reversal":
            withdrawn.add(cause_id)
    newly_withdrawn = withdraw if withdraw in order and withdraw not in withdrawn else None
    if newly_withdrawn is not None:
        withdrawn.add(newly_withdrawn)
    if add is not None and add not in order:
        order.append(add)
        uncapped[add] = group.item_points
    causes = [Cause(str(c), uncapped[c], c in withdrawn) for c in order]
    changes = settle(causes, booked, group.item_cap)
    if newly_withdrawn is not None:
        changes.setdefault(str(newly_withdrawn), 0)
    entries = []
    for key, delta in changes.items():
        cause = uuid.UUID(key)
        if cause == newly_withdrawn:
            kind = "reversal"
        elif key not in booked:
            kind = "accrual"
        else:
            kind = "adjustment"
        entries.append(_entry(group, cause_type, cause, kind, delta, event_id, uncapped[cause]))
    await append(uow, entries)
    return entries


def _entry(
    group: Group,
    cause_type: str,
    cause: uuid.UUID,
    kind: str,
    points: int,
    event_id: uuid.UUID | None,
    item_points: int,
) -> PointEntry:
    return PointEntry(
        tenant_id=group.tenant_id,
        id=new_id(),
        member_id=group.member_id,
        period=group.period,
        kind=kind,
        points=points,
        rule_version_id=group.rule_version_id,
        rule_version=group.rule_version,
        item_code=group.item_code,
        item_points=item_points,
        item_cap=group.item_cap,
        cause_type=cause_type,
        cause_id=cause,
        event_id=event_id,
    )


async def groups_of_cause(
    uow: UnitOfWork, tenant_id: uuid.UUID, cause_type: str, cause_id: uuid.UUID
) -> list[Group]:
    """The cap groups a record was booked in, from its first entries."""
    rows = (
        await uow.session.execute(
            select(PointEntry)
            .where(
                PointEntry.tenant_id == tenant_id,  # type: ignore[arg-type]
                PointEntry.cause_type == cause_type,  # type: ignore[arg-type]
                PointEntry.cause_id == cause_id,  # type: ignore[arg-type]
                PointEntry.kind == "accrual",  # type: ignore[arg-type]
            )
            .order_by(PointEntry.id)  # type: ignore[arg-type]
        )
    ).scalars()
    return [
        Group(
            r.tenant_id,
            r.member_id,
            r.period,
            r.rule_version_id,
            r.rule_version or 0,
            r.item_code or "",
            r.item_points or 0,
            r.item_cap,
        )
        for r in rows
        if r.rule_version_id is not None
    ]
