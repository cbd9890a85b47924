"""Compliance (三会一课 standing) of an organization, and its roll-up over a subtree, derived
from the activities held."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import text

from domain.activities import (
    ActivityKind,
    ActivityStatus,
    HeldActivity,
    KindRollup,
    PeriodCompliance,
    compliance,
    frequencies_from_settings,
    rollup,
)
from domain.activities import Period as CompliancePeriod
from infra.activities.visibility import (
    SHANGHAI,
    Guard,
    _invalid,
    _org_for_write,
    _settings_of,
    not_found,
)
from infra.authz import tenant_domain
from infra.db.session import UnitOfWork


@dataclass(frozen=True, slots=True)
class ComplianceRange:
    """The calendar range a compliance question is about (local dates)."""

    first_day: date
    last_day: date
    label: str


def parse_period(year: int | None, period: str | None, today: date) -> ComplianceRange:
    """`2026`, `2026-05`, `2026-Q2`, `2026-H1`; or the year (default this one)."""
    if period:
        text_ = period.strip().upper()
        try:
            y_part, _, rest = text_.partition("-")
            y = int(y_part)
            if not 2000 <= y <= 2100:
                raise ValueError
            if not rest:
                return ComplianceRange(date(y, 1, 1), date(y, 12, 31), f"{y}")
            if rest.startswith("Q"):
                q = int(rest[1:])
                months, label = range(3 * q - 2, 3 * q + 1), f"{y}-Q{q}"
            elif rest.startswith("H"):
                h = int(rest[1:])
                months, label = range(6 * h - 5, 6 * h + 1), f"{y}-H{h}"
            else:
                m = int(rest)
                months, label = range(m, m + 1), f"{y}-{m:02d}"
            if not months or months.start < 1 or months[-1] > 12:
                raise ValueError
            first = date(y, months.start, 1)
            end_month = months[-1]
            last = (
                date(y, 12, 31)
                if end_month == 12
                else date(y, end_month + 1, 1) - timedelta(days=1)
            )
            return ComplianceRange(first, last, label)
        except ValueError:
            raise _invalid(
                "period",
                "invalid_period",
                "期间格式应为 2026、2026-05、2026-Q2 或 2026-H1。",
                "The period is like 2026, 2026-05, 2026-Q2 or 2026-H1.",
                status=400,
            ) from None
    y = year or today.year
    if not 2000 <= y <= 2100:
        raise _invalid("year", "invalid_year", "年份超出范围。", "The year is out of range.", 400)
    return ComplianceRange(date(y, 1, 1), date(y, 12, 31), f"{y}")


# Kinds each organization kind is expected to hold: 党小组 hold 党小组会; the others hold
# the branch-level kinds (their own 党小组 report their group meetings themselves).
def _tracked_kinds(org_kind: str) -> frozenset[ActivityKind]:
    if org_kind == "party_group":
        return frozenset({ActivityKind.GROUP_MEETING})
    return frozenset(ActivityKind) - {ActivityKind.GROUP_MEETING}


@dataclass(frozen=True, slots=True)
class OrgCompliance:
    organization_id: uuid.UUID
    name: str
    tenant_id: uuid.UUID
    periods: list[PeriodCompliance]
    obligations: Obligations


@dataclass(frozen=True, slots=True)
class Obligations:
    """Since when an organization owes its activities: its establishment date, or the day
    it was registered here when that is unknown."""

    since: date
    basis: Literal["established_on", "created_at"]


@dataclass(frozen=True, slots=True)
class ComplianceSubject:
    id: uuid.UUID
    name: str
    tenant_id: uuid.UUID
    kind: str
    obligations: Obligations


def _subject(row: Sequence[Any]) -> ComplianceSubject:
    """From (id, name, tenant id, kind, established_on, local creation date)."""
    established_on, created_on = row[4], row[5]
    obligations = (
        Obligations(established_on, "established_on")
        if established_on is not None
        else Obligations(created_on, "created_at")
    )
    return ComplianceSubject(row[0], row[1], row[2], row[3], obligations)


async def _held(
    uow: UnitOfWork, org_ids: Sequence[uuid.UUID], since: datetime
) -> list[HeldActivity]:
    rows = (
        await uow.session.execute(
            text(
                "SELECT a.kind, a.status, a.starts_at, array_agg(ao.organization_id)"
                " FROM activity a JOIN activity_organization ao"
                "   ON ao.tenant_id = a.tenant_id AND ao.activity_id = a.id"
                " WHERE a.status IN ('finished', 'archived') AND a.starts_at >= :since"
                "   AND EXISTS (SELECT 1 FROM activity_organization x"
                "     WHERE x.tenant_id = a.tenant_id AND x.activity_id = a.id"
                "       AND x.organization_id = ANY(:orgs))"
                " GROUP BY a.tenant_id, a.id"
            ),
            {"since": since, "orgs": list(org_ids)},
        )
    ).all()
    return [
        HeldActivity(
            kind=ActivityKind(r[0]),
            organization_ids=frozenset(r[3]),
            finished_on=r[2].astimezone(SHANGHAI).date(),
            status=ActivityStatus(r[1]),
        )
        for r in rows
    ]


def _within(periods: Iterable[PeriodCompliance], rng: ComplianceRange) -> list[PeriodCompliance]:
    return [
        p
        for p in periods
        if p.period.first_day <= rng.last_day and p.period.last_day >= rng.first_day
    ]


async def _compliance_for(
    uow: UnitOfWork,
    orgs: Sequence[ComplianceSubject],
    rng: ComplianceRange,
    today: date,
    kind: ActivityKind | None = None,
) -> list[OrgCompliance]:
    """Each organization's periods overlapping the range, from its obligations' start."""
    if not orgs:
        return []
    since = datetime(rng.first_day.year, rng.first_day.month, 1, tzinfo=SHANGHAI) - timedelta(
        days=370
    )
    held = await _held(uow, [o.id for o in orgs], since)
    frequencies_by_tenant: dict[uuid.UUID, dict[ActivityKind, Any]] = {}
    result = []
    for org in orgs:
        tenant_id = org.tenant_id
        if tenant_id not in frequencies_by_tenant:
            settings = await _settings_of(uow, tenant_id)
            frequencies_by_tenant[tenant_id] = frequencies_from_settings(
                settings.meeting_frequencies.model_dump()
            )
        tracked = _tracked_kinds(org.kind)
        frequencies = {
            k: f
            for k, f in frequencies_by_tenant[tenant_id].items()
            if k in tracked and (kind is None or k is kind)
        }
        periods = compliance(
            frequencies,
            held,
            organization_id=org.id,
            period_start=rng.first_day,
            today=today,
            obligations_from=org.obligations.since,
        )
        result.append(
            OrgCompliance(org.id, org.name, tenant_id, _within(periods, rng), org.obligations)
        )
    return result


async def organization_compliance(
    uow: UnitOfWork,
    guard: Guard,
    organization_id: uuid.UUID,
    *,
    year: int | None,
    period: str | None,
    today: date,
) -> tuple[OrgCompliance, ComplianceRange]:
    org = await _org_for_write(uow, organization_id, "organization_id")
    guard.require("activity", "read", org.domain)
    row = (
        await uow.session.execute(
            text(
                "SELECT o.id, o.name, o.tenant_id, o.kind, o.established_on,"
                " (o.created_at AT TIME ZONE 'Asia/Shanghai')::date"
                " FROM organization o WHERE o.id = :o"
            ),
            {"o": org.id},
        )
    ).one()
    rng = parse_period(year, period, today)
    result = await _compliance_for(uow, [_subject(row)], rng, today)
    return result[0], rng


@dataclass(frozen=True, slots=True)
class RollupView:
    range: ComplianceRange
    organizations: int
    kinds: dict[ActivityKind, KindRollup]
    names: dict[uuid.UUID, str]


async def compliance_rollup(
    uow: UnitOfWork,
    guard: Guard,
    *,
    home_tenant_id: uuid.UUID,
    tenant_id: uuid.UUID | None,
    organization_id: uuid.UUID | None,
    kind: str | None,
    year: int | None,
    period: str | None,
    today: date,
) -> RollupView:
    """Branches of a tenant subtree (or an organization subtree) by their standing per kind."""
    rng = parse_period(year, period, today)
    if organization_id is not None:
        root = await _org_for_write(uow, organization_id, "organization_id")
        guard.require("activity", "read", root.domain)
        where = (
            "o.tenant_id = (SELECT tenant_id FROM organization WHERE id = :root)"
            " AND o.path <@ CAST(:root_path AS ltree)"
        )
        params: dict[str, Any] = {"root": root.id, "root_path": root.path}
    else:
        tenant_path = (
            await uow.session.execute(
                text("SELECT path::text FROM tenant WHERE id = :t"),
                {"t": tenant_id or home_tenant_id},
            )
        ).scalar_one_or_none()
        if tenant_path is None:
            raise not_found("tenant")
        guard.require("activity", "read", tenant_domain(tenant_path))
        where = "t.path <@ CAST(:tpath AS ltree)"
        params = {"tpath": tenant_path}
    rows = (
        await uow.session.execute(
            text(_BRANCHES_SQL.format(where=where)),
            {**params, "first": rng.first_day, "last": rng.last_day},
        )
    ).all()
    orgs = [_subject(r) for r in rows]
    wanted = ActivityKind(kind) if kind else None
    results = await _compliance_for(uow, orgs, rng, today, wanted)
    kinds = rollup({r.organization_id: r.periods for r in results})
    return RollupView(rng, len(orgs), kinds, {o.id: o.name for o in orgs})


_BRANCHES_SQL = (
    "SELECT o.id, o.name, o.tenant_id, o.kind, o.established_on,"
    " (o.created_at AT TIME ZONE 'Asia/Shanghai')::date FROM organization o"
    " JOIN tenant t ON t.id = o.tenant_id"
    " WHERE o.kind IN ('branch', 'temporary_branch') AND {where}"
    " AND (o.established_on IS NULL OR o.established_on <= :last)"
    " AND (o.end_date IS NULL OR o.end_date >= :first)"
    " ORDER BY o.path"
)


def period_label(p: CompliancePeriod) -> str:
    months = (p.last_day.year - p.first_day.year) * 12 + p.last_day.month - p.first_day.month + 1
    y = p.first_day.year
    if months == 1:
        return f"{y}-{p.first_day.month:02d}"
    if months == 3:
        return f"{y}-Q{(p.first_day.month - 1) // 3 + 1}"
    if months == 6:
        return f"{y}-H{(p.first_day.month - 1) // 6 + 1}"
    return f"{y}"
