"""Planning and running activities: create, read, list, edit, delete, start, finish, cancel."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, and_, exists, or_, select, text, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from domain.activities import (
    EDITABLE_FIELDS,
    MESSAGES,
    ActivityKind,
    ActivityStatus,
    change_status,
    check_schedule_and_place,
    expected_attendees,
)
from domain.shared import ErrorKind, display_time, new_id
from infra.activities.closing import announce_attendance
from infra.activities.roster import (
    attendee_row,
    roster,
)
from infra.activities.tables import (
    Activity,
    ActivityAttendee,
    ActivityOrganization,
)
from infra.activities.visibility import (
    SHANGHAI,
    ActivityView,
    Caller,
    Guard,
    OrgRef,
    caller_member,
    invalid_field,
    load_access,
    organization_for,
    organizations_of,
    require_write,
)
from infra.db.session import UnitOfWork
from infra.tenancy import (
    organization_ids_above,
    organization_ids_in_domains,
    organization_ids_under,
)


@dataclass(frozen=True, slots=True)
class ActivityDraft:
    kind: str
    organization_id: uuid.UUID
    title: str
    starts_at: datetime
    ends_at: datetime
    joint_organization_ids: tuple[uuid.UUID, ...] = ()
    agenda: str | None = None
    place: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    radius_m: int | None = None
    qr_required: bool = True
    geofence_enabled: bool = False
    window_minutes: int | None = None


def _check_schedule_and_place(a: Activity) -> None:
    check_schedule_and_place(
        starts_at=a.starts_at,
        ends_at=a.ends_at,
        latitude=a.latitude,
        longitude=a.longitude,
        radius_m=a.radius_m,
        geofence_enabled=a.geofence_enabled,
    )


async def create_activity(
    uow: UnitOfWork, guard: Guard, caller: Caller, draft: ActivityDraft
) -> ActivityView:
    organizer = await organization_for(uow, draft.organization_id, "organization_id")
    guard.require("activity", "write", organizer.domain)
    tenant_id = organizer.tenant_id
    joint: list[OrgRef] = []
    for index, org_id in enumerate(dict.fromkeys(draft.joint_organization_ids)):
        if org_id == organizer.id:
            continue
        ref = await organization_for(uow, org_id, f"joint_organization_ids.{index}")
        if ref.tenant_id != tenant_id:
            raise invalid_field(
                f"joint_organization_ids.{index}", "joint_organization_other_tenant"
            )
        joint.append(ref)
    kind = ActivityKind(draft.kind)
    activity = Activity(
        tenant_id=tenant_id,
        id=new_id(),
        organization_id=organizer.id,
        kind=kind.value,
        title=draft.title.strip(),
        agenda=draft.agenda,
        starts_at=draft.starts_at,
        ends_at=draft.ends_at,
        place=draft.place,
        latitude=draft.latitude,
        longitude=draft.longitude,
        radius_m=draft.radius_m,
        qr_required=draft.qr_required,
        geofence_enabled=draft.geofence_enabled,
        window_minutes=draft.window_minutes,
        created_by=caller.user_id,
    )
    _check_schedule_and_place(activity)
    organizer = replace(organizer, is_organizer=True)
    orgs = [organizer, *joint]
    uow.session.add(activity)
    await uow.session.flush()
    for o in orgs:
        uow.session.add(
            ActivityOrganization(
                tenant_id=tenant_id,
                activity_id=activity.id,
                organization_id=o.id,
                is_organizer=o.is_organizer,
            )
        )
    local_day = draft.starts_at.astimezone(SHANGHAI).date()
    expected = expected_attendees(
        kind, [o.id for o in orgs], await roster(uow, tenant_id, orgs, local_day)
    )
    await uow.session.flush()
    for entry in expected:
        uow.session.add(attendee_row(activity, entry, "roster"))
    await uow.session.flush()
    uow.audit(
        "activity.create",
        "activity",
        activity.id,
        tenant_id=tenant_id,
        detail={
            "kind": kind.value,
            "organization_id": str(organizer.id),
            "joint_organization_ids": [str(o.id) for o in joint],
            "expected": len(expected),
        },
    )
    return ActivityView(activity, orgs, len(expected))


async def _expected_counts(uow: UnitOfWork, activities: Sequence[Activity]) -> dict[uuid.UUID, int]:
    if not activities:
        return {}
    rows = (
        await uow.session.execute(
            text(
                "SELECT activity_id, count(*) FROM activity_attendee"
                " WHERE tenant_id = ANY(:tenants) AND activity_id = ANY(:ids)"
                " GROUP BY activity_id"
            ),
            {
                "tenants": list({a.tenant_id for a in activities}),
                "ids": [a.id for a in activities],
            },
        )
    ).all()
    return {r[0]: int(r[1]) for r in rows}


async def read_activity(
    uow: UnitOfWork, guard: Guard, caller: Caller, activity_id: uuid.UUID
) -> ActivityView:
    access = await load_access(uow, guard, caller, activity_id)
    view = access.view
    view.expected_count = (await _expected_counts(uow, [view.activity])).get(view.activity.id, 0)
    return view


def _counts_for(organizations: Select[Any]) -> ColumnElement[bool]:
    """The activity counts for one of `organizations` ((tenant_id, id) pairs)."""
    ao = ActivityOrganization
    return exists().where(
        col(ao.tenant_id) == col(Activity.tenant_id),
        col(ao.activity_id) == col(Activity.id),
        tuple_(col(ao.tenant_id), col(ao.organization_id)).in_(organizations),
    )


async def list_activities(
    uow: UnitOfWork,
    guard: Guard,
    caller: Caller,
    *,
    read_prefixes: Sequence[str],
    limit: int,
    cursor: uuid.UUID | None,
    organization_id: uuid.UUID | None,
    kind: str | None,
    status: str | None,
    starts_from: datetime | None,
    starts_before: datetime | None,
) -> list[ActivityView]:
    """Activities the caller may see, newest first by id (UUIDv7: creation order).

    `read_prefixes` are the domains (with subtrees) where the caller's roles include
    `activity:read`; a member additionally sees their own organizations' activities.
    """
    member = await caller_member(uow, caller)
    visible: list[ColumnElement[bool]] = []
    if read_prefixes:
        visible.append(_counts_for(organization_ids_in_domains(read_prefixes)))
    if member is not None:
        attendee = ActivityAttendee
        visible.append(
            and_(
                Activity.tenant_id == member.tenant_id,  # type: ignore[arg-type]
                or_(
                    _counts_for(organization_ids_above(member.tenant_id, member.organization_path)),
                    exists(
                        select(attendee.member_id).where(
                            attendee.tenant_id == Activity.tenant_id,  # type: ignore[arg-type]
                            attendee.activity_id == Activity.id,  # type: ignore[arg-type]
                            attendee.member_id == member.id,  # type: ignore[arg-type]
                        )
                    ),
                ),
            )
        )
    if not visible:
        return []
    where: list[ColumnElement[bool]] = [or_(*visible)]
    if organization_id is not None:
        root = await organization_for(uow, organization_id, "organization_id")
        where.append(_counts_for(organization_ids_under(root.tenant_id, root.path)))
    if kind:
        where.append(col(Activity.kind) == kind)
    if status:
        where.append(col(Activity.status) == status)
    if starts_from:
        where.append(col(Activity.starts_at) >= starts_from)
    if starts_before:
        where.append(col(Activity.starts_at) < starts_before)
    if cursor:
        where.append(col(Activity.id) < cursor)
    query = select(Activity).where(*where).order_by(col(Activity.id).desc()).limit(limit + 1)
    activities = list((await uow.session.execute(query)).scalars())
    counts = await _expected_counts(uow, activities)
    orgs = await organizations_of(uow, activities)
    return [ActivityView(a, orgs.get(a.id, []), counts.get(a.id, 0)) for a in activities]


async def update_activity(
    uow: UnitOfWork,
    guard: Guard,
    caller: Caller,
    activity_id: uuid.UUID,
    changes: dict[str, Any],
) -> ActivityView:
    access = await load_access(uow, guard, caller, activity_id)
    require_write(guard, access)
    activity = access.activity
    if ActivityStatus(activity.status) in (ActivityStatus.ARCHIVED, ActivityStatus.CANCELLED):
        raise MESSAGES.error("activity_closed", ErrorKind.CONFLICT)
    changed = {
        k: v for k, v in changes.items() if k in EDITABLE_FIELDS and getattr(activity, k) != v
    }
    for key, value in changed.items():
        setattr(activity, key, value)
    _check_schedule_and_place(activity)
    if changed:
        activity.version += 1
        activity.updated_at = datetime.now(UTC)
        uow.session.add(activity)
        await uow.session.flush()
        uow.audit(
            "activity.update",
            "activity",
            activity.id,
            tenant_id=activity.tenant_id,
            detail={
                k: display_time(v) if isinstance(v, datetime) else str(v)
                for k, v in changed.items()
            },
        )
    return await read_activity(uow, guard, caller, activity_id)


async def delete_activity(
    uow: UnitOfWork, guard: Guard, caller: Caller, activity_id: uuid.UUID
) -> None:
    """Only a planned activity with no check-ins may be deleted; otherwise cancel it."""
    access = await load_access(uow, guard, caller, activity_id)
    require_write(guard, access)
    activity = access.activity
    has_checkins = (
        await uow.session.execute(
            text("SELECT EXISTS (SELECT 1 FROM checkin WHERE tenant_id = :t AND activity_id = :a)"),
            {"t": activity.tenant_id, "a": activity.id},
        )
    ).scalar_one()
    if activity.status != ActivityStatus.PLANNED.value or has_checkins:
        raise MESSAGES.error("activity_has_records", ErrorKind.CONFLICT)
    try:
        async with uow.session.begin_nested():
            await uow.session.delete(activity)
            await uow.session.flush()
    except IntegrityError as exc:
        raise MESSAGES.error(
            "activity_has_evidence", ErrorKind.CONFLICT, code="activity_has_records"
        ) from exc
    uow.audit("activity.delete", "activity", activity.id, tenant_id=activity.tenant_id)


async def transition(
    uow: UnitOfWork,
    guard: Guard,
    caller: Caller,
    activity_id: uuid.UUID,
    target: ActivityStatus,
    *,
    reason: str | None,
    now: datetime,
) -> ActivityView:
    access = await load_access(uow, guard, caller, activity_id)
    require_write(guard, access)
    activity = access.activity
    before = ActivityStatus(activity.status)
    change_status(before, target, reason=reason)
    activity.status = target.value
    if target is ActivityStatus.CANCELLED:
        activity.cancel_reason = (reason or "").strip()
    if target is ActivityStatus.ONGOING:
        activity.started_at = now
    if target is ActivityStatus.FINISHED:
        activity.finished_at = now
    if target is ActivityStatus.ARCHIVED:
        await announce_attendance(uow, activity)
    activity.version += 1
    activity.updated_at = now
    uow.session.add(activity)
    await uow.session.flush()
    uow.audit(
        f"activity.{target.value}",
        "activity",
        activity.id,
        tenant_id=activity.tenant_id,
        detail={"from": before.value, "to": target.value, "reason": activity.cancel_reason},
    )
    return await read_activity(uow, guard, caller, activity_id)
