"""Attendance of one activity: who was expected, present, excused or absent; the quorum."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text

from domain.activities import (
    ActivityKind,
    Attendance,
    Quorum,
    attendance,
    quorum,
)
from infra.activities.roster import (
    attendees_of,
    roster_entries,
)
from infra.activities.visibility import (
    Caller,
    Guard,
    load_access,
    require_any,
)
from infra.db.session import UnitOfWork


@dataclass(frozen=True, slots=True)
class AttendanceLineView:
    member_id: uuid.UUID
    name: str
    organization_id: uuid.UUID
    member_status: str
    is_committee_member: bool
    status: str
    checked_in_at: datetime | None
    source: str | None


@dataclass(frozen=True, slots=True)
class AttendanceView:
    activity_id: uuid.UUID
    kind: str
    result: Attendance
    quorum: Quorum | None
    lines: list[AttendanceLineView]


async def attendance_of(
    uow: UnitOfWork, guard: Guard, caller: Caller, activity_id: uuid.UUID
) -> AttendanceView:
    access = await load_access(uow, guard, caller, activity_id)
    require_any(guard, "checkin", "read", access.view.organizations)
    activity = access.activity
    attendees = await attendees_of(uow, activity)
    checkins = {
        r[0]: (r[1], r[2])
        for r in (
            await uow.session.execute(
                text(
                    "SELECT member_id, occurred_at, source FROM checkin"
                    " WHERE tenant_id = :t AND activity_id = :a"
                ),
                {"t": activity.tenant_id, "a": activity.id},
            )
        ).all()
    }
    on_leave = (
        await uow.session.execute(
            text(
                "SELECT member_id FROM leave_request WHERE tenant_id = :t AND activity_id = :a"
                " AND status = 'approved'"
            ),
            {"t": activity.tenant_id, "a": activity.id},
        )
    ).scalars()
    result = attendance(roster_entries(attendees), checkins.keys(), list(on_leave))
    lines = [
        AttendanceLineView(
            member_id=a.member_id,
            name=a.name,
            organization_id=a.organization_id,
            member_status=a.member_status,
            is_committee_member=a.is_committee_member,
            status=line.status.value,
            checked_in_at=checkins.get(a.member_id, (None, None))[0],
            source=checkins.get(a.member_id, (None, None))[1],
        )
        for a, line in zip(attendees, result.lines, strict=True)
    ]
    return AttendanceView(
        activity.id, activity.kind, result, quorum(ActivityKind(activity.kind), result), lines
    )
