"""What the star rating of branches asks of activities, per organization over a date range.

Narrow published queries (through `infra.activities`): the share of obligated meeting
periods a branch held (from the compliance calendar), its members' attendance at the
activities it held, and the activities it held (evidence completeness is asked of the
evidence context with these ids). Each is one statement for any number of branches.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from sqlalchemy import text

from domain.activities import (
    ComplianceStatus,
    HeldActivity,
    Obligations,
    compliance,
    frequencies_from_settings,
    tracked_kinds,
)
from infra.activities.compliance import held_activities_of
from infra.activities.visibility import SHANGHAI
from infra.db.session import UnitOfWork
from infra.tenancy import OrganizationRef, effective_settings_of


def _bounds(first: date, last: date) -> dict[str, datetime]:
    return {
        "since": datetime.combine(first, time(), tzinfo=SHANGHAI),
        "until": datetime.combine(last + timedelta(days=1), time(), tzinfo=SHANGHAI),
    }


async def meeting_compliance_rates(
    uow: UnitOfWork, orgs: Sequence[OrganizationRef], first: date, last: date, today: date
) -> dict[uuid.UUID, float]:
    """Per organization: the share of its meeting periods from `first` to `last` (or today)
    in which it held the meeting; the last period counts only once held."""
    if not orgs:
        return {}
    held = await held_activities_of(uow, [o.id for o in orgs], _bounds(first, last)["since"])
    by_org: dict[uuid.UUID, list[HeldActivity]] = defaultdict(list)
    for activity in held:
        for org_id in activity.organization_ids:
            by_org[org_id].append(activity)
    settings = await effective_settings_of(uow, orgs[0].tenant_id)
    frequencies = frequencies_from_settings(settings.meeting_frequencies.model_dump())
    end = min(last, today)
    rates = {}
    for org in orgs:
        tracked = tracked_kinds(org.kind)
        periods = compliance(
            {k: f for k, f in frequencies.items() if k in tracked},
            by_org.get(org.id, []),
            organization_id=org.id,
            period_start=first,
            today=end,
            obligations_from=Obligations.of(org.established_on, org.created_on).since,
        )
        owed = [p for p in periods if p.status is not ComplianceStatus.DUE]
        met = sum(1 for p in owed if p.status is ComplianceStatus.HELD)
        rates[org.id] = met / len(owed) if owed else 1.0
    return rates


async def attendance_rates(
    uow: UnitOfWork, tenant_id: uuid.UUID, org_ids: Sequence[uuid.UUID], first: date, last: date
) -> dict[uuid.UUID, float]:
    """Per organization: the share of its members on the rosters of activities held in the
    range who checked in (organizations that held none are absent)."""
    rows = await uow.session.execute(
        text(
            "SELECT att.organization_id, count(*) AS expected, count(c.id) AS present"
            " FROM activity a JOIN activity_attendee att"
            "   ON att.tenant_id = a.tenant_id AND att.activity_id = a.id"
            " LEFT JOIN checkin c ON c.tenant_id = att.tenant_id"
            "   AND c.activity_id = att.activity_id AND c.member_id = att.member_id"
            " WHERE a.tenant_id = :t AND att.tenant_id = :t"
            "   AND a.status IN ('finished', 'archived')"
            "   AND a.starts_at >= :since AND a.starts_at < :until"
            "   AND att.organization_id = ANY(:orgs)"
            " GROUP BY att.tenant_id, att.organization_id"
        ),
        {"t": tenant_id, "orgs": list(org_ids), **_bounds(first, last)},
    )
    return {r.organization_id: r.present / r.expected for r in rows if r.expected}


async def activities_held_by(
    uow: UnitOfWork, tenant_id: uuid.UUID, org_ids: Sequence[uuid.UUID], first: date, last: date
) -> dict[uuid.UUID, list[uuid.UUID]]:
    """Per organization: the activities it held (finished or archived) in the range."""
    rows = await uow.session.execute(
        text(
            "SELECT ao.organization_id, a.id FROM activity a JOIN activity_organization ao"
            "   ON ao.tenant_id = a.tenant_id AND ao.activity_id = a.id"
            " WHERE a.tenant_id = :t AND ao.tenant_id = :t"
            "   AND a.status IN ('finished', 'archived')"
            "   AND a.starts_at >= :since AND a.starts_at < :until"
            "   AND ao.organization_id = ANY(:orgs)"
        ),
        {"t": tenant_id, "orgs": list(org_ids), **_bounds(first, last)},
    )
    held: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    for org_id, activity_id in rows:
        held[org_id].append(activity_id)
    return held
