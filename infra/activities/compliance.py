"""Compliance (三会一课 standing) of an organization, and its roll-up over a subtree, derived
from the activities held."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import text

from domain.activities import (
    ActivityKind,
    ActivityStatus,
    ComplianceRange,
    HeldActivity,
    KindRollup,
    Obligations,
    PeriodCompliance,
    compliance,
    frequencies_from_settings,
    history_start,
    overlapping,
    parse_period,
    rollup,
    tracked_kinds,
)
from infra.activities.visibility import (
    SHANGHAI,
    Guard,
    named_organization,
    not_found,
)
from infra.authz import tenant_domain
from infra.db.session import UnitOfWork
from infra.tenancy import (
    OrganizationRef,
    branches_within,
    effective_settings_of,
    tenant_path_of,
)


@dataclass(frozen=True, slots=True)
class OrgCompliance:
    organization_id: uuid.UUID
    name: str
    tenant_id: uuid.UUID
    periods: list[PeriodCompliance]
    obligations: Obligations


async def held_activities_of(
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


async def _compliance_for(
    uow: UnitOfWork,
    orgs: Sequence[OrganizationRef],
    rng: ComplianceRange,
    today: date,
    kind: ActivityKind | None = None,
) -> list[OrgCompliance]:
    """Each organization's periods overlapping the range, from its obligations' start."""
    if not orgs:
        return []
    since = datetime.combine(history_start(rng), time(), tzinfo=SHANGHAI)
    held = await held_activities_of(uow, [o.id for o in orgs], since)
    frequencies_by_tenant: dict[uuid.UUID, dict[ActivityKind, Any]] = {}
    result = []
    for org in orgs:
        tenant_id = org.tenant_id
        if tenant_id not in frequencies_by_tenant:
            settings = await effective_settings_of(uow, tenant_id)
            frequencies_by_tenant[tenant_id] = frequencies_from_settings(
                settings.meeting_frequencies.model_dump()
            )
        tracked = tracked_kinds(org.kind)
        obligations = Obligations.of(org.established_on, org.created_on)
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
            obligations_from=obligations.since,
        )
        result.append(
            OrgCompliance(org.id, org.name, tenant_id, overlapping(periods, rng), obligations)
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
    org = await named_organization(uow, organization_id, "organization_id")
    guard.require("activity", "read", org.domain)
    rng = parse_period(year, period, today)
    result = await _compliance_for(uow, [org], rng, today)
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
        root = await named_organization(uow, organization_id, "organization_id")
        guard.require("activity", "read", root.domain)
        orgs = await branches_within(uow, organization=root, first=rng.first_day, last=rng.last_day)
    else:
        tenant_path = await tenant_path_of(uow, tenant_id or home_tenant_id)
        if tenant_path is None:
            raise not_found("tenant")
        guard.require("activity", "read", tenant_domain(tenant_path))
        orgs = await branches_within(
            uow, tenant_path=tenant_path, first=rng.first_day, last=rng.last_day
        )
    wanted = ActivityKind(kind) if kind else None
    results = await _compliance_for(uow, orgs, rng, today, wanted)
    kinds = rollup({r.organization_id: r.periods for r in results})
    return RollupView(rng, len(orgs), kinds, {o.id: o.name for o in orgs})
