"""Expected attendees (应到人员): generated from the organizers' rosters, then edited."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlmodel import col

from domain.activities import (
    ExpectedAttendees,
    MemberStatus,
    RosterEntry,
    credited_organization,
)
from domain.shared import ErrorKind
from infra.activities.tables import (
    Activity,
    ActivityAttendee,
)
from infra.activities.visibility import (
    SHANGHAI,
    Caller,
    Guard,
    OrgRef,
    invalid_field,
    load_access,
    require_any,
    require_write,
)
from infra.db.session import UnitOfWork
from infra.members import active_members_under, member_names, member_place
from infra.tenancy import committee_seats


async def roster(
    uow: UnitOfWork, tenant_id: uuid.UUID, orgs: Sequence[OrgRef], on: date
) -> list[RosterEntry]:
    """Active members in each organization's subtree, credited to the nearest organizer.

    A committee member is one holding a current 支委 post (committee_post.member_id) in the
    organizer organization they are credited to.
    """
    if not orgs:
        return []
    members = await active_members_under(uow, tenant_id, [o.path for o in orgs])
    seats = await committee_seats(uow, tenant_id, organization_ids=[o.id for o in orgs], on=on)
    organizations = [(o.id, o.path) for o in orgs]
    entries = []
    for member in members:
        credited = credited_organization(member.organization_path, organizations)
        assert credited is not None  # the member is in one of the subtrees asked for
        entries.append(
            RosterEntry(
                member_id=member.id,
                status=MemberStatus(member.status),
                is_committee_member=credited in seats.get(member.id, frozenset()),
                organization_id=credited,
            )
        )
    return entries


def attendee_row(activity: Activity, entry: RosterEntry, source: str) -> ActivityAttendee:
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


async def attendees_of(uow: UnitOfWork, activity: Activity) -> list[AttendeeView]:
    """The expected attendees with their names, in 拼音 order."""
    rows = {
        r.member_id: r
        for r in (
            await uow.session.execute(
                select(ActivityAttendee).where(
                    col(ActivityAttendee.tenant_id) == activity.tenant_id,
                    col(ActivityAttendee.activity_id) == activity.id,
                )
            )
        ).scalars()
    }
    names = await member_names(uow, activity.tenant_id, list(rows))
    return [
        AttendeeView(
            member_id,
            name,
            rows[member_id].organization_id,
            rows[member_id].member_status,
            rows[member_id].is_committee_member,
            rows[member_id].source,
        )
        for member_id, name in names
    ]


async def list_attendees(
    uow: UnitOfWork, guard: Guard, caller: Caller, activity_id: uuid.UUID
) -> list[AttendeeView]:
    access = await load_access(uow, guard, caller, activity_id)
    require_any(guard, "activity", "read", access.view.organizations)
    return await attendees_of(uow, access.activity)


def roster_entries(rows: Iterable[AttendeeView]) -> tuple[RosterEntry, ...]:
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
    require_write(guard, access)
    activity = access.activity
    member = await member_place(uow, activity.tenant_id, member_id)
    if member is None:
        raise invalid_field(
            "member_id", "attendee_not_in_tenant", ErrorKind.NOT_FOUND, code="member_not_found"
        )
    if not member.active:
        raise invalid_field("member_id", "attendee_member_inactive", code="member_inactive")
    current = roster_entries(await attendees_of(uow, activity))
    organizations = access.view.organizations
    seats = await committee_seats(
        uow,
        activity.tenant_id,
        organization_ids=[o.id for o in organizations],
        on=activity.starts_at.astimezone(SHANGHAI).date(),
        member_ids=[member.id],
    )
    credited = credited_organization(
        member.organization_path, [(o.id, o.path) for o in organizations]
    )
    entry = RosterEntry(
        member_id=member.id,
        status=MemberStatus(member.status),
        is_committee_member=member.id in seats,
        organization_id=credited or member.organization_id,
    )
    ExpectedAttendees(current).add(entry)
    if credited is None:
        # A guest from another organization (e.g. an invited lecturer's branch member).
        entry = RosterEntry(
            entry.member_id, entry.status, entry.is_committee_member, access.view.organizer.id
        )
    uow.session.add(attendee_row(activity, entry, "manual"))
    await uow.session.flush()
    uow.audit(
        "activity.attendee_add",
        "activity",
        activity.id,
        tenant_id=activity.tenant_id,
        detail={"member_id": str(member_id)},
    )
    return await attendees_of(uow, activity)


async def remove_attendee(
    uow: UnitOfWork, guard: Guard, caller: Caller, activity_id: uuid.UUID, member_id: uuid.UUID
) -> None:
    access = await load_access(uow, guard, caller, activity_id)
    require_write(guard, access)
    activity = access.activity
    ExpectedAttendees(roster_entries(await attendees_of(uow, activity))).remove(member_id)
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
