"""Scores behind star ratings: members' from their ledger, branches' from indicators.

A member's score is the scheme's base score plus the sum of their entries within the
period, grouped by item for the breakdown, in one aggregate over the ledger (the JSON of
the breakdown stays text on its way through, never parsed here). A branch's score weighs
the registered indicators and the next level's manual scores (`domain.points`).
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, text

from domain.points import (
    Scored,
    StarScheme,
    period_end,
    period_start,
    periods_within,
    version_on,
    weighted_score,
)
from infra.db.session import UnitOfWork
from infra.members import active_members_page
from infra.points.indicators import Branches, measure
from infra.points.rule_sets import versions_in_force
from infra.points.tables import StarScore
from infra.tenancy import TenantRef, branches_within

PAGE = 20_000


@dataclass(frozen=True, slots=True)
class Subjects:
    """What a run rates: the scored subjects, each one's organization and breakdown (JSON)."""

    scored: list[Scored]
    organization: dict[uuid.UUID, uuid.UUID]
    breakdown: dict[uuid.UUID, str]


async def score_members(uow: UnitOfWork, tenant_id: uuid.UUID, period: str) -> Subjects:
    versions = await versions_in_force(uow, tenant_id)
    version = version_on([v.rules for v in versions], period_end(period))
    base = version.base_score if version else 0
    earned: dict[uuid.UUID, tuple[int, str]] = {
        r.member_id: (int(r.earned), r.items)
        for r in await uow.session.execute(
            text(
                "SELECT member_id, sum(pts) AS earned, jsonb_object_agg(item, pts)::text AS items"
                " FROM (SELECT tenant_id, member_id, coalesce(item_code, cause_type) AS item,"
                "   sum(points) AS pts FROM point_entry"
                "   WHERE tenant_id = :t AND period = ANY(:periods)"
                "   GROUP BY tenant_id, member_id, coalesce(item_code, cause_type)) x"
                " GROUP BY tenant_id, member_id"
            ),
            {"t": tenant_id, "periods": periods_within(period)},
        )
    }
    subjects = Subjects([], {}, {})
    after = None
    while page := await active_members_page(uow, tenant_id, after=after, limit=PAGE):
        for m in page:
            points, items = earned.get(m.id, (0, "{}"))
            subjects.scored.append(Scored(m.id, float(base + points)))
            subjects.organization[m.id] = m.organization_id
            subjects.breakdown[m.id] = f'{{"base": {base}, "items": {items}}}'
        after = page[-1].id
    return subjects


async def score_branches(
    uow: UnitOfWork, tenant: TenantRef, period: str, scheme: StarScheme, today: date
) -> Subjects:
    first, last = period_start(period), period_end(period)
    found = await branches_within(uow, tenant_path=tenant.path, first=first, last=last)
    orgs = [o for o in found if o.tenant_id == tenant.id]
    branches = Branches(tenant.id, orgs, first, last, today)
    measured = {
        i.code: await measure(uow, i.code, branches) for i in scheme.indicators if not i.manual
    }
    manual: dict[uuid.UUID, dict[str, float]] = defaultdict(dict)
    for row in (
        await uow.session.execute(
            select(StarScore).where(
                StarScore.tenant_id == tenant.id,  # type: ignore[arg-type]
                StarScore.period == period,  # type: ignore[arg-type]
            )
        )
    ).scalars():
        manual[row.organization_id][row.indicator] = float(row.score)
    subjects = Subjects([], {}, {})
    needed = scheme.five_star_requires
    for org in orgs:
        values = {code: m.get(org.id, 0.0) for code, m in measured.items()}
        score, breakdown = weighted_score(scheme.indicators, values, manual[org.id])
        meets = needed is None or breakdown.get(needed, {}).get("points", 0) > 0
        subjects.scored.append(Scored(org.id, score, meets_requirement=meets))
        subjects.organization[org.id] = org.id
        subjects.breakdown[org.id] = json.dumps({"indicators": breakdown}, ensure_ascii=False)
    return subjects
