"""Arrears (欠交党费): who owes overdue months, as the open bills the ledger keeps say, and
the daily scan that raises each level once per episode (`dues.arrears_warning` at three
overdue months, `dues.arrears_flagged` at six consecutive, for the branch to decide) and
ends the episodes of members who have paid back below it."""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import extract, func, or_, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col

from domain.dues import (
    FLAG_MONTHS,
    WARN_MONTHS,
    Arrears,
    ArrearsLevel,
    assess,
    format_month,
    month_of,
    plan_notices,
)
from domain.shared import Guard, new_id, not_found, require_scopes
from domain.tenancy import PLATFORM_PATH
from infra.db.session import Actor, Database, Scope, UnitOfWork
from infra.dues.clock import today
from infra.dues.tables import DuesArrearsNoticeRow, DuesOpenBillRow
from infra.dues.visibility import readable
from infra.platform.outbox import emit
from infra.platform.runner import JobRunner
from infra.tenancy import organization_ids_under, organization_ref, visible_tenants

log = logging.getLogger(__name__)

CHUNK = 1000
"""Notices to a statement: a province raises tens of thousands at once, and one statement
takes at most 65,535 parameters."""

SYSTEM = Actor(user_id=None, name="system", tenant_id=None, client_addr=None, request_id=None)
TOPICS = {
    ArrearsLevel.WARNING: "dues.arrears_warning",
    ArrearsLevel.FLAGGED: "dues.arrears_flagged",
}


@dataclass(frozen=True, slots=True)
class MemberArrears:
    tenant_id: uuid.UUID
    member_id: uuid.UUID
    organization_id: uuid.UUID
    """The organization of the member's latest overdue bill."""
    arrears: Arrears


@dataclass(frozen=True, slots=True)
class ArrearsFilter:
    organization_id: uuid.UUID | None = None
    level: ArrearsLevel | None = None


async def list_arrears(
    uow: UnitOfWork,
    guard: Guard,
    *,
    where: ArrearsFilter,
    now: datetime,
    limit: int,
    after: uuid.UUID | None,
) -> list[MemberArrears]:
    """Members in arrears within the caller's `dues:read` scopes, by member id: three
    overdue months or more, or only those at `level`."""
    require_scopes(guard, "dues", "read")
    ob = DuesOpenBillRow
    current = month_of(today(now))
    member = (col(ob.tenant_id), col(ob.member_id))
    index = extract("year", col(ob.month)) * 12 + extract("month", col(ob.month))
    open_months = select(
        col(ob.tenant_id),
        col(ob.member_id),
        col(ob.month),
        func.first_value(col(ob.organization_id))
        .over(partition_by=member, order_by=col(ob.month).desc())
        .label("organization_id"),
        (index - func.row_number().over(partition_by=member, order_by=col(ob.month))).label(
            "island"
        ),
    ).where(
        col(ob.month) < current,
        readable(
            guard,
            tenant_id=col(ob.tenant_id),
            organization_id=col(ob.organization_id),
            member_id=col(ob.member_id),
            own_member=None,
        ),
    )
    if where.organization_id is not None:
        org = await organization_ref(uow, where.organization_id)
        if org is None:
            raise not_found("organization")
        open_months = open_months.where(
            col(ob.tenant_id) == org.tenant_id,
            tuple_(col(ob.tenant_id), col(ob.organization_id)).in_(
                organization_ids_under(org.tenant_id, org.path)
            ),
        )
    if after is not None:
        open_months = open_months.where(col(ob.member_id) > after)
    months = open_months.subquery()
    runs = (
        select(
            months.c.tenant_id,
            months.c.member_id,
            months.c.organization_id,
            func.count().label("length"),
            func.min(months.c.month).label("first"),
            func.max(months.c.month).label("last"),
        )
        .group_by(months.c.tenant_id, months.c.member_id, months.c.organization_id, months.c.island)
        .subquery()
    )
    overdue = func.sum(runs.c.length)
    consecutive = func.max(runs.c.length)
    reached = {
        None: or_(overdue >= WARN_MONTHS, consecutive >= FLAG_MONTHS),
        ArrearsLevel.WARNING: overdue >= WARN_MONTHS,
        ArrearsLevel.FLAGGED: consecutive >= FLAG_MONTHS,
    }[where.level]
    stmt = (
        select(
            runs.c.tenant_id,
            runs.c.member_id,
            runs.c.organization_id,
            overdue,
            consecutive,
            func.min(runs.c.first),
            func.max(runs.c.last),
        )
        .group_by(runs.c.tenant_id, runs.c.member_id, runs.c.organization_id)
        .having(reached)
        .order_by(runs.c.member_id)
        .limit(limit + 1)
    )
    return [
        MemberArrears(t, m, o, Arrears(int(n), int(c), first, last))
        for t, m, o, n, c, first, last in (await uow.session.execute(stmt)).all()
    ]


async def tenant_arrears(
    uow: UnitOfWork, tenant_id: uuid.UUID, current: date
) -> dict[uuid.UUID, MemberArrears]:
    """Every member of a tenant with an overdue month, by member."""
    ob = DuesOpenBillRow
    rows = await uow.session.execute(
        select(col(ob.member_id), col(ob.organization_id), col(ob.month))
        .where(col(ob.tenant_id) == tenant_id, col(ob.month) < current)
        .order_by(col(ob.member_id), col(ob.month))
    )
    months: dict[uuid.UUID, list[date]] = defaultdict(list)
    latest: dict[uuid.UUID, uuid.UUID] = {}
    for member_id, organization_id, month in rows.all():
        months[member_id].append(month)
        latest[member_id] = organization_id
    found = {}
    for member_id, open_months in months.items():
        arrears = assess(open_months, current)
        if arrears is not None:
            found[member_id] = MemberArrears(tenant_id, member_id, latest[member_id], arrears)
    return found


async def scan_tenant(uow: UnitOfWork, tenant_id: uuid.UUID, *, now: datetime) -> dict[str, Any]:
    """Raise what a tenant's members have reached, end what they have left; in one
    transaction, so the notices and their events commit together."""
    current = month_of(today(now))
    found = await tenant_arrears(uow, tenant_id, current)
    notice = DuesArrearsNoticeRow
    held = await uow.session.execute(
        select(col(notice.member_id), col(notice.level)).where(
            col(notice.tenant_id) == tenant_id, col(notice.ended_at).is_(None)
        )
    )
    plan = plan_notices(
        {m: a.arrears.levels for m, a in found.items()},
        [(m, ArrearsLevel(level)) for m, level in held.all()],
    )
    raised = await _raise(uow, tenant_id, [(found[m], level) for m, level in plan.open])
    for start in range(0, len(plan.close), CHUNK):
        await uow.session.execute(
            update(notice)
            .where(
                col(notice.tenant_id) == tenant_id,
                col(notice.ended_at).is_(None),
                tuple_(col(notice.member_id), col(notice.level)).in_(
                    [(m, level.value) for m, level in plan.close[start : start + CHUNK]]
                ),
            )
            .values(ended_at=now)
        )
    return {
        "tenant_id": str(tenant_id),
        "month": format_month(current),
        "in_arrears": len(found),
        "raised": raised,
        "ended": len(plan.close),
    }


async def _raise(
    uow: UnitOfWork, tenant_id: uuid.UUID, raising: list[tuple[MemberArrears, ArrearsLevel]]
) -> int:
    if not raising:
        return 0
    table = DuesArrearsNoticeRow.__table__  # type: ignore[attr-defined]
    rows = [
        {
            "tenant_id": tenant_id,
            "id": new_id(),
            "member_id": found.member_id,
            "organization_id": found.organization_id,
            "level": level.value,
            "overdue_months": found.arrears.overdue_months,
            "consecutive_months": found.arrears.consecutive_months,
            "first_overdue": found.arrears.first_overdue,
        }
        for found, level in raising
    ]
    inserted = []
    for start in range(0, len(rows), CHUNK):
        result = await uow.session.execute(
            insert(table)
            .values(rows[start : start + CHUNK])
            .on_conflict_do_nothing(
                index_elements=["tenant_id", "member_id", "level"],
                index_where=table.c.ended_at.is_(None),
            )
            .returning(table.c.id, table.c.member_id, table.c.organization_id, table.c.level)
        )
        inserted.extend(result.all())
    count = 0
    by_member = {found.member_id: found.arrears for found, _ in raising}
    for notice_id, member_id, organization_id, level in inserted:
        arrears = by_member[member_id]
        emit(
            uow,
            tenant_id=tenant_id,
            topic=TOPICS[ArrearsLevel(level)],
            aggregate_type="member",
            aggregate_id=member_id,
            payload={
                "notice_id": str(notice_id),
                "member_id": str(member_id),
                "organization_id": str(organization_id),
                "overdue_months": arrears.overdue_months,
                "consecutive_months": arrears.consecutive_months,
                "first_overdue": format_month(arrears.first_overdue),
                "last_overdue": format_month(arrears.last_overdue),
            },
            organization_id=organization_id,
        )
        count += 1
    return count


async def scan_every_tenant(db: Database, *, now: datetime) -> list[dict[str, Any]]:
    """The daily scan, tenant by tenant; one tenant's failure does not stop the others."""
    scope = Scope(PLATFORM_PATH)
    async with db.unit_of_work(scope, SYSTEM) as uow:
        tenants = await visible_tenants(uow)
    reports = []
    for tenant in tenants:
        try:
            async with db.unit_of_work(scope, SYSTEM) as uow:
                reports.append(await scan_tenant(uow, tenant.id, now=now))
        except Exception:
            log.exception("dues arrears scan failed for tenant %s", tenant.code)
    return reports


def register_arrears_scan(runner: JobRunner, *, db: Database, cron: str) -> None:
    async def daily(_slot: datetime) -> None:
        await scan_every_tenant(db, now=datetime.now(UTC))

    runner.schedule("dues.arrears_scan", cron, daily)
