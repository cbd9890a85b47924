"""Accrual from records: the relay hands this context the check-ins' and evidence's
outbox events, and this module says what each records.

`checkin.recorded` earns the items of the check-in's activity kind under the version in
force on its day; `checkin.withdrawn` reverses those entries and re-applies the caps.
Likewise `evidence.attached` earns the `evidence_upload` items for the member whose account
uploaded the file (an uploader with no member record earns nothing), and
`evidence.deleted` reverses them. When an archived activity's attendance list closes, an
approved leave of a member who did not come after all (`attendance.leave_recorded`) earns
the `excused_leave` items, an absence (`attendance.absence_recorded`: no check-in, no mark
by the secretary, no approved leave) the `unexcused_absence` items, and a volunteer
activity's hours (`attendance.volunteer_hours_recorded`) the `volunteer_hours` items,
points per hour; each under the version in force on the activity's day, an item naming a
kind only for that kind. Nothing is written on the records' own paths: the relay hands a
tenant's events of a round over at once and `settling` books them together, in event
order, idempotently (a replayed event, sync batch or period adds nothing).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from domain.activities import (
    ABSENCE_RECORDED,
    CHECKIN_RECORDED,
    CHECKIN_WITHDRAWN,
    LEAVE_RECORDED,
    VOLUNTEER_HOURS_RECORDED,
)
from domain.points import Source
from domain.shared.times import DISPLAY_ZONE
from infra.activities import activity_kinds
from infra.db.session import UnitOfWork
from infra.members import member_of_user
from infra.platform.relay import RelayedEvent
from infra.points.settling import Earned, Record, Withdrawn

EVIDENCE_ATTACHED = "evidence.attached"
EVIDENCE_DELETED = "evidence.deleted"


async def checkin_records(uow: UnitOfWork, events: list[RelayedEvent]) -> list[Record]:
    """A tenant's check-ins and withdrawals, in order; the activities' kinds are read in one
    statement (a check-in whose activity the tenant does not hold earns nothing)."""
    recorded = [e for e in events if e.topic == CHECKIN_RECORDED]
    wanted = {uuid.UUID(e.payload["activity_id"]) for e in recorded}
    kinds = await activity_kinds(uow, events[0].tenant_id, wanted)
    records: list[Record] = []
    for event in events:
        checkin_id = uuid.UUID(event.payload["checkin_id"])
        if event.topic == CHECKIN_WITHDRAWN:
            records.append(Withdrawn(event.id, "checkin", checkin_id))
            continue
        kind = kinds.get(uuid.UUID(event.payload["activity_id"]))
        if event.topic != CHECKIN_RECORDED or kind is None:
            continue
        day = datetime.fromisoformat(event.payload["occurred_at"]).astimezone(DISPLAY_ZONE).date()
        member_id = uuid.UUID(event.payload["member_id"])
        records.append(
            Earned(event.id, "checkin", checkin_id, member_id, day, Source.ATTENDANCE, kind)
        )
    return records


async def evidence_records(uow: UnitOfWork, event: RelayedEvent) -> list[Record]:
    """Evidence earns its uploader's member record on the day it was attached."""
    evidence_id = uuid.UUID(event.payload["evidence_id"])
    if event.topic == EVIDENCE_DELETED:
        return [Withdrawn(event.id, "evidence", evidence_id)]
    uploader = event.payload.get("uploaded_by")
    if event.topic != EVIDENCE_ATTACHED or not uploader:
        return []
    mine = await member_of_user(uow, event.tenant_id, uuid.UUID(uploader))
    if mine is None:
        return []
    day = event.created_at.astimezone(DISPLAY_ZONE).date()
    return [Earned(event.id, "evidence", evidence_id, mine.id, day, Source.EVIDENCE_UPLOAD)]


_ATTENDANCE = {
    LEAVE_RECORDED: (Source.EXCUSED_LEAVE, "leave"),
    ABSENCE_RECORDED: (Source.UNEXCUSED_ABSENCE, "absence"),
    VOLUNTEER_HOURS_RECORDED: (Source.VOLUNTEER_HOURS, "volunteer"),
}


def attendance_records(events: list[RelayedEvent]) -> list[Record]:
    """What a closed attendance list records. Leave earns only then: a member who came
    after all is present there and earns the attendance items alone. The activity is the
    cause of an absence (a member is absent from it at most once) and of volunteer hours."""
    records: list[Record] = []
    for event in events:
        if event.topic not in _ATTENDANCE:
            continue
        source, cause_type = _ATTENDANCE[event.topic]
        payload = event.payload
        cause = payload["leave_id"] if event.topic == LEAVE_RECORDED else payload["activity_id"]
        day = datetime.fromisoformat(payload["starts_at"]).astimezone(DISPLAY_ZONE).date()
        records.append(
            Earned(
                event.id,
                cause_type,
                uuid.UUID(cause),
                uuid.UUID(payload["member_id"]),
                day,
                source,
                payload["activity_kind"],
                int(payload["hours"]) if event.topic == VOLUNTEER_HOURS_RECORDED else 1,
            )
        )
    return records
