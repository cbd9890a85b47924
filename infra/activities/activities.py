"""Planning and running activities: create, read, list, edit, delete, start, finish, cancel."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from domain.activities import (
    ActivityKind,
    ActivityStatus,
    GeoPoint,
    change_status,
    expected_attendees,
)
from domain.shared import DomainError, Message, display_time, new_id
from infra.activities.roster import (
    _attendee_row,
    roster,
)
from infra.activities.tables import (
    Activity,
    ActivityOrganization,
)
from infra.activities.visibility import (
    SHANGHAI,
    ActivityView,
    Caller,
    Guard,
    OrgRef,
    _invalid,
    _org_for_write,
    _require_write,
    _tenant_of_org,
    caller_member,
    load_access,
)
from infra.db.session import UnitOfWork


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
    if a.starts_at.tzinfo is None or a.ends_at.tzinfo is None:
        raise _invalid(
            "starts_at", "timezone_required", "时间必须带时区。", "Times must include an offset."
        )
    if a.ends_at <= a.starts_at:
        raise _invalid(
            "ends_at",
            "ends_before_start",
            "结束时间应晚于开始时间。",
            "The end must follow the start.",
        )
    if (a.latitude is None) != (a.longitude is None):
        raise _invalid(
            "longitude",
            "coordinates_incomplete",
            "经纬度须同时提供。",
            "Give both latitude and longitude.",
        )
    if a.latitude is not None and a.longitude is not None:
        GeoPoint(a.latitude, a.longitude)
    if a.geofence_enabled and (a.latitude is None or a.radius_m is None):
        raise _invalid(
            "geofence_enabled",
            "geofence_needs_place",
            "开启签到范围须提供活动地点坐标和半径。",
            "A geofence needs the place's coordinates and a radius.",
        )


async def create_activity(
    uow: UnitOfWork, guard: Guard, caller: Caller, draft: ActivityDraft
) -> ActivityView:
    organizer = await _org_for_write(uow, draft.organization_id, "organization_id")
    guard.require("activity", "write", organizer.domain)
    tenant_id = await _tenant_of_org(uow, organizer.id)
    joint: list[OrgRef] = []
    for index, org_id in enumerate(dict.fromkeys(draft.joint_organization_ids)):
        if org_id == organizer.id:
            continue
        ref = await _org_for_write(uow, org_id, f"joint_organization_ids.{index}")
        if await _tenant_of_org(uow, org_id) != tenant_id:
            raise _invalid(
                f"joint_organization_ids.{index}",
                "joint_organization_other_tenant",
                "联合开展的党组织须属于同一机关工委。",
                "Joint organizations must belong to the same tenant.",
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
    organizer = OrgRef(organizer.id, organizer.name, organizer.path, organizer.tenant_path, True)
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
        uow.session.add(_attendee_row(activity, entry, "roster"))
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
                " WHERE activity_id = ANY(:ids) GROUP BY activity_id"
            ),
            {"ids": [a.id for a in activities]},
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


def _escape_like(prefix: str) -> str:
    return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


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
    where = ["TRUE"]
    params: dict[str, Any] = {"limit": limit + 1}
    visible = []
    if read_prefixes:
        visible.append(
            "EXISTS (SELECT 1 FROM activity_organization ao"
            " JOIN organization o ON o.tenant_id = ao.tenant_id AND o.id = ao.organization_id"
            " JOIN tenant t ON t.id = ao.tenant_id"
            " WHERE ao.tenant_id = a.tenant_id AND ao.activity_id = a.id"
            "   AND (replace(t.path::text, '.', '/') || '/' || replace(o.path::text, '.', '/')"
            "        || '/') LIKE ANY(CAST(:prefixes AS text[])))"
        )
        params["prefixes"] = [_escape_like(p) for p in read_prefixes]
    if member is not None:
        visible.append(
            "(a.tenant_id = :mt AND (EXISTS (SELECT 1 FROM activity_organization ao"
            " JOIN organization o ON o.tenant_id = ao.tenant_id AND o.id = ao.organization_id"
            " WHERE ao.tenant_id = a.tenant_id AND ao.activity_id = a.id"
            "   AND o.path @> CAST(:mpath AS ltree))"
            " OR EXISTS (SELECT 1 FROM activity_attendee x WHERE x.tenant_id = a.tenant_id"
            "   AND x.activity_id = a.id AND x.member_id = :mid)))"
        )
        params.update(mt=member.tenant_id, mpath=member.organization_path, mid=member.id)
    if not visible:
        return []
    where.append("(" + " OR ".join(visible) + ")")
    if organization_id is not None:
        root = await _org_for_write(uow, organization_id, "organization_id")
        where.append(
            "EXISTS (SELECT 1 FROM activity_organization ao"
            " JOIN organization o ON o.tenant_id = ao.tenant_id AND o.id = ao.organization_id"
            " WHERE ao.tenant_id = a.tenant_id AND ao.activity_id = a.id"
            "   AND ao.tenant_id = (SELECT tenant_id FROM organization WHERE id = :root)"
            "   AND o.path <@ CAST(:root_path AS ltree))"
        )
        params.update(root=root.id, root_path=root.path)
    if kind:
        where.append("a.kind = :kind")
        params["kind"] = kind
    if status:
        where.append("a.status = :status")
        params["status"] = status
    if starts_from:
        where.append("a.starts_at >= :sf")
        params["sf"] = starts_from
    if starts_before:
        where.append("a.starts_at < :sb")
        params["sb"] = starts_before
    if cursor:
        where.append("a.id < :cursor")
        params["cursor"] = cursor
    # Fixed clauses only; every value is a bound parameter.
    sql = "SELECT a.tenant_id, a.id FROM activity a WHERE " + " AND ".join(where)  # noqa: S608
    ids = (await uow.session.execute(text(sql + " ORDER BY a.id DESC LIMIT :limit"), params)).all()
    if not ids:
        return []
    rows = (
        await uow.session.execute(
            select(Activity).where(Activity.id.in_([r[1] for r in ids]))  # type: ignore[attr-defined]
        )
    ).scalars()
    by_id = {a.id: a for a in rows}
    activities = [by_id[r[1]] for r in ids]
    counts = await _expected_counts(uow, activities)
    orgs = await _org_refs_many(uow, activities)
    return [ActivityView(a, orgs.get(a.id, []), counts.get(a.id, 0)) for a in activities]


async def _org_refs_many(
    uow: UnitOfWork, activities: Sequence[Activity]
) -> dict[uuid.UUID, list[OrgRef]]:
    rows = (
        await uow.session.execute(
            text(
                "SELECT ao.activity_id, o.id, o.name, o.path::text, t.path::text, ao.is_organizer"
                " FROM activity_organization ao"
                " JOIN organization o ON o.tenant_id = ao.tenant_id AND o.id = ao.organization_id"
                " JOIN tenant t ON t.id = ao.tenant_id"
                " WHERE ao.activity_id = ANY(:ids)"
                " ORDER BY ao.is_organizer DESC, o.name"
            ),
            {"ids": [a.id for a in activities]},
        )
    ).all()
    result: dict[uuid.UUID, list[OrgRef]] = {}
    for r in rows:
        result.setdefault(r[0], []).append(OrgRef(r[1], r[2], r[3], r[4], r[5]))
    return result


_EDITABLE = frozenset(
    {
        "title",
        "agenda",
        "starts_at",
        "ends_at",
        "place",
        "latitude",
        "longitude",
        "radius_m",
        "qr_required",
        "geofence_enabled",
        "window_minutes",
    }
)


async def update_activity(
    uow: UnitOfWork,
    guard: Guard,
    caller: Caller,
    activity_id: uuid.UUID,
    changes: dict[str, Any],
) -> ActivityView:
    access = await load_access(uow, guard, caller, activity_id)
    _require_write(guard, access)
    activity = access.activity
    if ActivityStatus(activity.status) in (ActivityStatus.ARCHIVED, ActivityStatus.CANCELLED):
        raise DomainError(
            "activity_closed",
            Message(
                "已归档或已取消的活动不能修改。", "Archived or cancelled activities are final."
            ),
            status=409,
        )
    changed = {k: v for k, v in changes.items() if k in _EDITABLE and getattr(activity, k) != v}
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
    _require_write(guard, access)
    activity = access.activity
    has_checkins = (
        await uow.session.execute(
            text("SELECT EXISTS (SELECT 1 FROM checkin WHERE tenant_id = :t AND activity_id = :a)"),
            {"t": activity.tenant_id, "a": activity.id},
        )
    ).scalar_one()
    if activity.status != ActivityStatus.PLANNED.value or has_checkins:
        raise DomainError(
            "activity_has_records",
            Message(
                "只有尚无签到记录的计划中活动可以删除；其他情况请取消活动并说明原因。",
                "Only a planned activity without check-ins can be deleted; cancel it instead.",
            ),
            status=409,
        )
    try:
        async with uow.session.begin_nested():
            await uow.session.delete(activity)
            await uow.session.flush()
    except IntegrityError as exc:
        raise DomainError(
            "activity_has_records",
            Message(
                "该活动已有佐证材料等记录，请取消活动并说明原因。",
                "The activity has records (evidence); cancel it instead.",
            ),
            status=409,
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
    _require_write(guard, access)
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
