"""What an archived activity tells the rest of the system: its final attendance.

Archiving closes the attendance list (no check-in, mark or withdrawal after it), so only
then are absence and leave final: each expected member neither present (a self check-in or
the secretary's mark, which count the same) nor on approved leave gets
`attendance.absence_recorded`, each one on approved leave who was not present after all
gets `attendance.leave_recorded` (a member who came anyway is present, not on leave), and
each member present at a volunteer activity gets `attendance.volunteer_hours_recorded`
with its scheduled hours. Points accrues from them.
"""

from __future__ import annotations

from sqlalchemy import text

from domain.activities import (
    ABSENCE_RECORDED,
    LEAVE_RECORDED,
    VOLUNTEER_HOURS_RECORDED,
    ActivityKind,
    AttendanceStatus,
    attendance,
    volunteer_hours,
)
from infra.activities.roster import attendees_of, roster_entries
from infra.activities.tables import Activity
from infra.db.session import UnitOfWork
from infra.platform.outbox import emit


async def announce_attendance(uow: UnitOfWork, activity: Activity) -> None:
    """Queue the closed attendance's events in the archiving transaction."""
    params = {"t": activity.tenant_id, "a": activity.id}
    present = (
        await uow.session.execute(
            text("SELECT member_id FROM checkin WHERE tenant_id = :t AND activity_id = :a"),
            params,
        )
    ).scalars()
    rows = await uow.session.execute(
        text(
            "SELECT member_id, id FROM leave_request WHERE tenant_id = :t AND activity_id = :a"
            " AND status = 'approved'"
        ),
        params,
    )
    leaves = {member_id: leave_id for member_id, leave_id in rows}
    result = attendance(roster_entries(await attendees_of(uow, activity)), present, leaves)
    hours = (
        volunteer_hours(activity.starts_at, activity.ends_at)
        if activity.kind == ActivityKind.VOLUNTEER.value
        else 0
    )
    base = {
        "activity_id": str(activity.id),
        "activity_kind": activity.kind,
        "starts_at": activity.starts_at.isoformat(),
    }
    for line in result.lines:
        if line.status is AttendanceStatus.ABSENT:
            topic, extra = ABSENCE_RECORDED, {}
        elif line.status is AttendanceStatus.ON_LEAVE:
            topic, extra = LEAVE_RECORDED, {"leave_id": str(leaves[line.member_id])}
        elif line.status is AttendanceStatus.PRESENT and hours:
            topic, extra = VOLUNTEER_HOURS_RECORDED, {"hours": hours}
        else:
            continue
        emit(
            uow,
            tenant_id=activity.tenant_id,
            topic=topic,
            aggregate_type="activity",
            aggregate_id=activity.id,
            payload={**base, "member_id": str(line.member_id), **extra},
            organization_id=activity.organization_id,
        )
