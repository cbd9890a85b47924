"""What the star rating of branches asks of activities, per organization over a date range.

Narrow published queries (through `infra.activities`): the share of obligated meeting
periods a branch held (the compliance calendar's count, `domain.activities.compliance`,
done in SQL), its members' attendance at the activities it held, and the activities it
held as a selectable another context joins (evidence completeness). Each is one aggregate
statement over all the branches of a run, whatever their number: a province has 20,000.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from sqlalchemy import Subquery, select, text
from sqlmodel import col

from domain.activities import (
    ActivityStatus,
    Obligations,
    frequencies_from_settings,
    tracked_kinds,
)
from infra.activities.tables import Activity, ActivityOrganization
from infra.activities.visibility import SHANGHAI
from infra.db.planner import planner_without
from infra.db.session import UnitOfWork
from infra.tenancy import OrganizationRef, effective_settings_of

HELD = tuple(s.value for s in ActivityStatus if s.counts_as_held)
_HELD_SQL = ", ".join(f"'{status}'" for status in HELD)  # the domain's statuses, as literals


def _bounds(first: date, last: date) -> dict[str, datetime]:
    return {
        "since": datetime.combine(first, time(), tzinfo=SHANGHAI),
        "until": datetime.combine(last + timedelta(days=1), time(), tzinfo=SHANGHAI),
    }


def _month(day: date) -> int:
    """Months since year 0: a period of n months is this number divided by n (calendar
    months, quarters, half-years and years all start where 12 divides evenly)."""
    return day.year * 12 + day.month - 1


# Per branch and tracked kind, its periods from the one holding the day its obligations
# start (or `first`) to the current one (holding min(last, today)); held periods are those
# in which a finished or archived activity of the kind listing the branch started (local
# date, from `first` on). A period is owed unless it is the current one and not yet held.
_COMPLIANCE = text(
    "WITH branch AS ("  # noqa: S608 - the domain's statuses, no input
    "  SELECT b.id, b.org_kind, b.since_month"
    "  FROM unnest(CAST(:ids AS uuid[]), CAST(:org_kinds AS text[]),"
    "              CAST(:since_months AS integer[])) AS b(id, org_kind, since_month)"
    "), span AS ("
    "  SELECT b.id, k.kind, k.months, b.since_month / k.months AS first_period,"
    "         CAST(:end_month AS integer) / k.months AS current_period"
    "  FROM branch b JOIN unnest(CAST(:tracked_org_kinds AS text[]), CAST(:kinds AS text[]),"
    "       CAST(:months AS integer[])) AS k(org_kind, kind, months) ON k.org_kind = b.org_kind"
    "  WHERE b.since_month / k.months <= CAST(:end_month AS integer) / k.months"
    "), held AS ("
    "  SELECT DISTINCT ao.organization_id, a.kind,"
    "         CAST(extract(year FROM a.starts_at AT TIME ZONE 'Asia/Shanghai') * 12"
    "              + extract(month FROM a.starts_at AT TIME ZONE 'Asia/Shanghai') - 1"
    "              AS integer) AS month"
    "  FROM activity a JOIN activity_organization ao"
    "    ON ao.tenant_id = a.tenant_id AND ao.activity_id = a.id"
    "  WHERE a.tenant_id = :t AND ao.tenant_id = :t"
    f"    AND a.status IN ({_HELD_SQL})"
    "    AND a.starts_at >= :since AND a.starts_at < :until"
    "), per_kind AS ("
    "  SELECT s.id, s.current_period - s.first_period + 1 AS periods,"
    "         count(DISTINCT h.month / s.months) AS held,"
    "         coalesce(bool_or(h.month / s.months = s.current_period), false) AS current_held"
    "  FROM span s LEFT JOIN held h ON h.organization_id = s.id AND h.kind = s.kind"
    "    AND h.month / s.months BETWEEN s.first_period AND s.current_period"
    "  GROUP BY s.id, s.kind, s.months, s.first_period, s.current_period"
    ")"
    " SELECT id, sum(held) AS met,"
    "        sum(periods - 1 + CAST(current_held AS integer)) AS owed"
    " FROM per_kind GROUP BY id"
)


async def meeting_compliance_rates(
    uow: UnitOfWork, orgs: Sequence[OrganizationRef], first: date, last: date, today: date
) -> dict[uuid.UUID, float]:
    """Per organization: the share of its meeting periods from `first` to `last` (or today)
    in which it held the meeting; the last period counts only once held. One statement
    for all of `orgs` (of one tenant), the calendar's periods counted in SQL."""
    if not orgs:
        return {}
    end = min(last, today)
    settings = await effective_settings_of(uow, orgs[0].tenant_id)
    frequencies = frequencies_from_settings(settings.meeting_frequencies.model_dump())
    tracked = [
        (org_kind, kind.value, frequency.months)
        for org_kind in sorted({o.kind for o in orgs})
        for kind, frequency in frequencies.items()
        if kind in tracked_kinds(org_kind)
    ]
    rows = await uow.session.execute(
        _COMPLIANCE,
        {
            "t": orgs[0].tenant_id,
            "since": _bounds(first, last)["since"],
            # no period runs past the end of the calendar year holding the current one
            "until": datetime.combine(date(end.year + 1, 1, 1), time(), tzinfo=SHANGHAI),
            "ids": [o.id for o in orgs],
            "org_kinds": [o.kind for o in orgs],
            "since_months": [
                _month(max(first, Obligations.of(o.established_on, o.created_on).since))
                for o in orgs
            ],
            "end_month": _month(end),
            "tracked_org_kinds": [t[0] for t in tracked],
            "kinds": [t[1] for t in tracked],
            "months": [t[2] for t in tracked],
        },
    )
    counted = {r.id: (int(r.met), int(r.owed)) for r in rows}
    rates = {}
    for org in orgs:
        met, owed = counted.get(org.id, (0, 0))
        rates[org.id] = met / owed if owed else 1.0
    return rates


# The roster and the check-ins merge in the order of their keys (activity, member), the
# check-ins from their unique index alone: linear in the rows and in little memory, where
# a hash of a province's five million check-ins spills to disk in batches (and, with
# hash joins off, the planner may probe the check-in index once per roster row).
_ATTENDANCE = text(
    "SELECT att.organization_id, count(*) AS expected, count(c.member_id) AS present"  # noqa: S608
    " FROM activity a JOIN activity_attendee att"
    "   ON att.tenant_id = a.tenant_id AND att.activity_id = a.id"
    " LEFT JOIN checkin c ON c.tenant_id = att.tenant_id"
    "   AND c.activity_id = att.activity_id AND c.member_id = att.member_id"
    " WHERE a.tenant_id = :t AND att.tenant_id = :t"
    f"   AND a.status IN ({_HELD_SQL})"
    "   AND a.starts_at >= :since AND a.starts_at < :until"
    "   AND att.organization_id = ANY(:orgs)"
    " GROUP BY att.tenant_id, att.organization_id"
)


async def attendance_rates(
    uow: UnitOfWork, tenant_id: uuid.UUID, org_ids: Sequence[uuid.UUID], first: date, last: date
) -> dict[uuid.UUID, float]:
    """Per organization: the share of its members on the rosters of activities held in the
    range who checked in (organizations that held none are absent)."""
    async with planner_without(uow.session, "enable_hashjoin", "enable_nestloop"):
        rows = await uow.session.execute(
            _ATTENDANCE, {"t": tenant_id, "orgs": list(org_ids), **_bounds(first, last)}
        )
    return {r.organization_id: r.present / r.expected for r in rows if r.expected}


def held_activities(tenant_id: uuid.UUID, first: date, last: date) -> Subquery:
    """(organization_id, activity_id) of each activity an organization of the tenant held
    (finished or archived, started in the range), for joining in another context's
    statement (evidence completeness counts those with files in one)."""
    bounds = _bounds(first, last)
    return (
        select(col(ActivityOrganization.organization_id), col(Activity.id).label("activity_id"))
        .join(
            ActivityOrganization,
            (col(ActivityOrganization.tenant_id) == col(Activity.tenant_id))
            & (col(ActivityOrganization.activity_id) == col(Activity.id)),
        )
        .where(
            col(Activity.tenant_id) == tenant_id,
            col(ActivityOrganization.tenant_id) == tenant_id,
            col(Activity.status).in_(HELD),
            col(Activity.starts_at) >= bounds["since"],
            col(Activity.starts_at) < bounds["until"],
        )
        .subquery("held_activity")
    )
