"""Dues summaries (党费收缴统计): per month, rolled up over a tenant's subtree or an
organization's, and per organization; read from what the ledger's trigger keeps:
`dues_tenant_month_figure` for a tenant's subtree (sixteen rows per tenant and month, so a
province's year is a few hundred rows) and `dues_month_figure` for an organization's
subtree and per organization, never from millions of bills. Collected is what the ledger
received (payments less refunds), never amounts due."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import column, func, select, text, tuple_
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from domain.dues import (
    REMITTANCE_BP,
    Figures,
    MonthStatus,
    check_range,
    remittance_due_by,
    remittance_fen,
)
from domain.shared import Guard, not_found
from domain.tenancy import TenantLevel, level_of_code, tenant_domain
from infra.db.session import UnitOfWork
from infra.dues.tables import (
    DuesMonthFigureRow,
    DuesMonthRow,
    DuesTenantMonthFigureRow,
    DuesVoluntaryPaymentRow,
)
from infra.tenancy import (
    ORGANIZATIONS,
    TENANT_SUBTREE_IDS,
    OrganizationRef,
    TenantRef,
    organization_ids_under,
    organization_ref,
    tenant_ref,
)

F = DuesMonthFigureRow
T = DuesTenantMonthFigureRow


def _sums(table: type[DuesMonthFigureRow] | type[DuesTenantMonthFigureRow]) -> tuple[Any, ...]:
    return (
        func.sum(table.bills),
        func.sum(table.charged_fen),
        func.sum(table.relieved_fen),
        func.sum(table.collected_fen),
        func.sum(table.refunded_fen),
        func.sum(table.open_bills),
    )


SUMS = _sums(F)


def _figures(values: Sequence[Any]) -> Figures:
    return Figures(*(int(v or 0) for v in values))


@dataclass(frozen=True, slots=True)
class Place:
    """What a summary rolls up: a tenant's subtree, or an organization's."""

    tenant: TenantRef
    organization: OrganizationRef | None

    def within(self, tenant_id: Any, organization_id: Any) -> ColumnElement[bool]:
        if self.organization is not None:
            org = self.organization
            return tuple_(tenant_id, organization_id).in_(
                organization_ids_under(org.tenant_id, org.path)
            )
        subtree = (
            text(TENANT_SUBTREE_IDS)
            .bindparams(subtree_tenant_path=self.tenant.path)
            .columns(column("id", UUID(as_uuid=True)))
        )
        return tenant_id.in_(subtree)


async def place_of(
    uow: UnitOfWork,
    guard: Guard,
    *,
    tenant_id: uuid.UUID,
    organization_id: uuid.UUID | None,
) -> Place:
    """The subtree asked for, once the caller may read its dues."""
    if organization_id is not None:
        org = await organization_ref(uow, organization_id)
        if org is None:
            raise not_found("organization")
        guard.require("dues", "read", org.domain)
        tenant = await tenant_ref(uow, org.tenant_id)
        if tenant is None:
            raise not_found("organization")
        return Place(tenant, org)
    tenant = await tenant_ref(uow, tenant_id)
    if tenant is None:
        raise not_found("tenant")
    guard.require("dues", "read", tenant_domain(tenant.path))
    return Place(tenant, None)


@dataclass(frozen=True, slots=True)
class MonthFigures:
    month: date
    figures: Figures
    closed: bool
    """Every tenant holding bills of the month has closed it."""


@dataclass(frozen=True, slots=True)
class Remittance:
    year: int
    collected_fen: int
    remittance_fen: int
    voluntary_to_centre_fen: int
    due_by: date
    rate_bp: int = REMITTANCE_BP


@dataclass(frozen=True, slots=True)
class Summary:
    place: Place
    months: list[MonthFigures]
    voluntary_fen: int
    remittance: Remittance | None
    total: Figures = field(default_factory=Figures)


@dataclass
class Month:
    """A month's figures over the subtree, and which tenants hold bills in it."""

    figures: Figures = field(default_factory=Figures)
    billed: set[uuid.UUID] = field(default_factory=set)


async def _by_month(uow: UnitOfWork, place: Place, first: date, last: date) -> dict[date, Month]:
    """Summed per month and tenant by the database (a hash aggregate, no sort), per month
    here: tenants × months rows. A tenant's subtree reads the tenant figures."""
    if place.organization is None:
        stmt = (
            select(col(T.month), col(T.tenant_id), *_sums(T))
            .where(col(T.month).between(first, last), place.within(col(T.tenant_id), None))
            .group_by(col(T.month), col(T.tenant_id))
        )
    else:
        stmt = (
            select(col(F.month), col(F.tenant_id), *SUMS)
            .where(
                col(F.month).between(first, last),
                place.within(col(F.tenant_id), col(F.organization_id)),
            )
            .group_by(col(F.month), col(F.tenant_id))
        )
    months: dict[date, Month] = {}
    for row in (await uow.session.execute(stmt)).all():
        month = months.setdefault(row[0], Month())
        figures = _figures(row[2:8])
        month.figures += figures
        if figures.bills:
            month.billed.add(row[1])
    return dict(sorted(months.items()))


async def _closed(
    uow: UnitOfWork, place: Place, first: date, last: date
) -> set[tuple[date, uuid.UUID]]:
    m = DuesMonthRow
    if place.organization is not None:
        scope: ColumnElement[bool] = col(m.tenant_id) == place.organization.tenant_id
    else:
        scope = place.within(col(m.tenant_id), None)
    rows = await uow.session.execute(
        select(col(m.month), col(m.tenant_id)).where(
            scope, col(m.month).between(first, last), col(m.status) == MonthStatus.CLOSED.value
        )
    )
    return {(month, tenant) for month, tenant in rows.all()}


async def _voluntary(
    uow: UnitOfWork, place: Place, first: date, last: date
) -> dict[date, tuple[int, int]]:
    """Voluntary payments by month: all of them, and those that go to the Centre."""
    v = DuesVoluntaryPaymentRow
    rows = await uow.session.execute(
        select(
            col(v.month),
            func.sum(v.amount_fen),
            func.coalesce(func.sum(v.amount_fen).filter(col(v.to_centre)), 0),
        )
        .where(
            col(v.month).between(first, last),
            place.within(col(v.tenant_id), col(v.organization_id)),
        )
        .group_by(col(v.month))
    )
    return {month: (int(total), int(centre)) for month, total, centre in rows.all()}


def _remits(place: Place) -> bool:
    """Provinces remit to the Centre (a province's own subtree, not an organization's)."""
    return place.organization is None and level_of_code(place.tenant.code) is TenantLevel.PROVINCE


async def summarize(
    uow: UnitOfWork,
    guard: Guard,
    *,
    tenant_id: uuid.UUID,
    organization_id: uuid.UUID | None,
    first: date,
    last: date,
) -> Summary:
    """The months asked for and, for a province, the year of the last one: read together."""
    check_range(first, last)
    place = await place_of(uow, guard, tenant_id=tenant_id, organization_id=organization_id)
    year = (date(last.year, 1, 1), date(last.year, 12, 1))
    remits = _remits(place)
    low, high = (min(first, year[0]), max(last, year[1])) if remits else (first, last)
    by_month = await _by_month(uow, place, low, high)
    closed = await _closed(uow, place, first, last)
    voluntary = await _voluntary(uow, place, low, high)
    months = [
        MonthFigures(
            month,
            found.figures,
            bool(found.billed) and all((month, t) in closed for t in found.billed),
        )
        for month, found in by_month.items()
        if first <= month <= last
    ]
    remittance = None
    if remits:
        in_year = sum(
            (found.figures for month, found in by_month.items() if month.year == last.year),
            Figures(),
        )
        collected = in_year.net_collected_fen
        remittance = Remittance(
            last.year,
            collected,
            remittance_fen(collected),
            sum(c for m, (_, c) in voluntary.items() if m.year == last.year),
            remittance_due_by(last.year),
        )
    return Summary(
        place,
        months,
        sum(total for m, (total, _) in voluntary.items() if first <= m <= last),
        remittance,
        sum((m.figures for m in months), Figures()),
    )


@dataclass(frozen=True, slots=True)
class OrganizationFigures:
    tenant_id: uuid.UUID
    organization_id: uuid.UUID
    name: str
    kind: str
    figures: Figures


async def organization_figures(
    uow: UnitOfWork,
    guard: Guard,
    *,
    tenant_id: uuid.UUID,
    organization_id: uuid.UUID | None,
    first: date,
    last: date,
    limit: int,
    after: uuid.UUID | None,
) -> list[OrganizationFigures]:
    """Each organization's own figures over the months (those holding any), by id."""
    check_range(first, last)
    place = await place_of(uow, guard, tenant_id=tenant_id, organization_id=organization_id)
    o = ORGANIZATIONS
    stmt = (
        select(col(F.tenant_id), col(F.organization_id), o.c.name, o.c.kind, *SUMS)
        .select_from(F)
        .join(o, (o.c.tenant_id == col(F.tenant_id)) & (o.c.id == col(F.organization_id)))
        .where(
            col(F.month).between(first, last),
            place.within(col(F.tenant_id), col(F.organization_id)),
        )
        .group_by(col(F.tenant_id), col(F.organization_id), o.c.name, o.c.kind)
        .order_by(col(F.organization_id))
        .limit(limit + 1)
    )
    if after is not None:
        stmt = stmt.where(col(F.organization_id) > after)
    return [
        OrganizationFigures(r[0], r[1], r[2], r[3], _figures(r[4:10]))
        for r in (await uow.session.execute(stmt)).all()
    ]
