"""Expected attendees (应到人员): generated from the organizers' rosters, then edited."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import text

from domain.activities import (
    MemberStatus,
    RosterEntry,
)
from infra.activities.tables import (
    Activity,
    ActivityAttendee,
)
from infra.activities.visibility import (
    ACTIVE_MEMBER_STATUSES,
    SHANGHAI,
    Caller,
    Guard,
    OrgRef,
    _invalid,
    _on_path,
    _require_any,
    _require_write,
    load_access,
)
from infra.db.session import UnitOfWork


async def roster(
    uow: UnitOfWork, tenant_id: uuid.UUID, orgs: Sequence[OrgRef], on: date
) -> list[RosterEntry]:
    """Active members in each organization's subtree, credited to the nearest organizer.

    A committee member is one holding a current 支委 post (committee_post.member_id) in the
    organizer organization they are credited to.
    """
    if not orgs:
        return []
    rows = (
        await uow.session.execute(
            text(
                "SELECT m.id, m.status, o.path::text,"
                "  coalesce(array_agg(cp.organization_id) FILTER"
                "    (WHERE cp.organization_id IS NOT NULL), '{}')"
                " FROM member m"
                " JOIN organization o ON o.tenant_id = m.tenant_id AND o.id = m.organization_id"
                " LEFT JOIN committee_post cp ON cp.tenant_id = m.tenant_id"
                "   AND cp.member_id = m.id AND cp.term_start <= :on"
                "   AND (cp.term_end IS NULL OR cp.term_end >= :on)"
                " WHERE m.tenant_id = :t AND m.status IN ('probationary', 'full')"
                "   AND o.path <@ CAST(:paths AS ltree[])"
                " GROUP BY m.id, m.status, o.path, m.name_pinyin"
                " ORDER BY m.name_pinyin, m.id"
            ),
            {"t": tenant_id, "paths": [o.path for o in orgs], "on": on},
        )
    ).all()
    by_depth = sorted(orgs, key=lambda o: -len(o.path))
    entries = []
    for member_id, status, path, posts in rows:
        org = next(o for o in by_depth if _on_path(path, o.path))
        entries.append(
            RosterEntry(
                member_id=member_id,
                status=MemberStatus(status),
                is_committee_member=org.id in set(posts),
                organization_id=org.id,
            )
        )
    return entries


def _attendee_row(activity: Activity, entry: RosterEntry, source: str) -> ActivityAttendee:
    return ActivityAttendee(
        tenant_id=activity.tenant_id,
        activity_id=activity.id,
        member_id=entry.member_id,
        organization_id=entry.organization_id,
        member_status=entry.status.value,
        is_committee_member=entry.is_committee_member,
        source=source,
    )


@dataclass(frozen=True, slots=True)
class AttendeeView:
    member_id: uuid.UUID
    name: str
    organization_id: uuid.UUID
    member_status: str
    is_committee_member: bool
    source: str


async def _attendees(uow: UnitOfWork, activity: Activity) -> list[AttendeeView]:
    rows = (
        await uow.session.execute(
            text(
                "SELECT x.member_id, m.name, x.organization_id, x.member_status,"
                "  x.is_committee_member, x.source"
                " FROM activity_attendee x JOIN member m"
                "   ON m.tenant_id = x.tenant_id AND m.id = x.member_id"
                " WHERE x.tenant_id = :t AND x.activity_id = :a"
                " ORDER BY m.name_pinyin, x.member_id"
            ),
            {"t": activity.tenant_id, "a": activity.id},
        )
    ).all()
    return [AttendeeView(*r) for r in rows]


async def list_attendees(
    uow: UnitOfWork, guard: Guard, caller: Caller, activity_id: uuid.UUID
) -> list[AttendeeView]:
    access = await load_access(uow, guard, caller, activity_id)
    _require_any(guard, "activity", "read", access.view.organizations)
    return await _attendees(uow, access.activity)


def _entries(rows: Iterable[AttendeeView]) -> tuple[RosterEntry, ...]:
    return tuple(
        RosterEntry(
            r.member_id, MemberStatus(r.member_status), r.is_committee_member, r.organization_id
        )
        for r in rows
    )


async def add_attendee(
    uow: UnitOfWork, guard: Guard, caller: Caller, activity_id: uuid.UUID, member_id: uuid.UUID
) -> list[AttendeeView]:
    access = await load_access(uow, guard, caller, activity_id)
    _require_write(guard, access)
    activity = access.activity
    row = (
        await uow.session.execute(
            text(
                "SELECT m.id, m.status, o.path::text, m.organization_id,"
                "  EXISTS (SELECT 1 FROM committee_post cp WHERE cp.tenant_id = m.tenant_id"
                "    AND cp.member_id = m.id AND cp.organization_id = ANY(:orgs)"
                "    AND (cp.term_end IS NULL OR cp.term_end >= :on))"
                " FROM member m JOIN organization o"
                "   ON o.tenant_id = m.tenant_id AND o.id = m.organization_id"
                " WHERE m.tenant_id = :t AND m.id = :m"
            ),
            {
                "t": activity.tenant_id,
                "m": member_id,
                "orgs": [o.id for o in access.view.organizations],
                "on": activity.starts_at.astimezone(SHANGHAI).date(),
            },
        )
    ).first()
    if row is None:
        raise _invalid(
            "member_id",
            "member_not_found",
            "党员不存在，或不属于本活动的机关工委。",
            "No such member in this activity's tenant.",
            status=404,
        )
    if row[1] not in ACTIVE_MEMBER_STATUSES:
        raise _invalid(
            "member_id",
            "member_inactive",
            "该党员已停止党籍或已除名，不能列为应到人员。",
            "Suspended or removed members cannot be expected.",
        )
    current = _entries(await _attendees(uow, activity))
    from domain.activities import ExpectedAttendees

    credited = next(
        (
            o
            for o in sorted(access.view.organizations, key=lambda o: -len(o.path))
            if _on_path(row[2], o.path)
        ),
        None,
    )
    entry = RosterEntry(
        member_id=row[0],
        status=MemberStatus(row[1]),
        is_committee_member=bool(row[4]),
        organization_id=credited.id if credited else row[3],
    )
    ExpectedAttendees(current).add(entry)
    if credited is None:
        # A guest from another organization (e.g. an invited lecturer's branch member).
        entry = RosterEntry(
            entry.member_id, entry.status, entry.is_committee_member, access.view.organizer.id
        )
    uow.session.add(_attendee_row(activity, entry, "manual"))
    await uow.session.flush()
    uow.audit(
        "activity.attendee_add",
        "activity",
        activity.id,
        tenant_id=activity.tenant_id,
        detail={"member_id": str(member_id)},
    )
    return await _attendees(uow, activity)


async def remove_attendee(
    uow: UnitOfWork, guard: Guard, caller: Caller, activity_id: uuid.UUID, member_id: uuid.UUID
) -> None:
    access = await load_access(uow, guard, caller, activity_id)
    _require_write(guard, access)
    activity = access.activity
    from domain.activities import ExpectedAttendees

    ExpectedAttendees(_entries(await _attendees(uow, activity))).remove(member_id)
    row = await uow.session.get(ActivityAttendee, (activity.tenant_id, activity.id, member_id))
    if row is not None:
        await uow.session.delete(row)
        await uow.session.flush()
    uow.audit(
        "activity.attendee_remove",
        "activity",
        activity.id,
        tenant_id=activity.tenant_id,
        detail={"member_id": str(member_id)},
    )
