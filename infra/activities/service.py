"""Activity use cases: plan and run activities, expected attendees, check-in, leave, attendance.

Like infra/tenancy/service.py, each use case runs inside the caller's unit of work (row-level
security already limits which rows exist), decides who may act, applies the rules of
domain.activities and writes the change with its audit event (and, for a check-in, its
`checkin.recorded` outbox event).

Two kinds of callers meet here. Staff (书记, 支委, 机关工委 administrators, inspectors) act
through Casbin roles granted on an organization or tenant domain. Ordinary members hold no
Casbin grouping: what they may see and do follows from their member record (`member.user_id`
is the caller) — they see the activities of their organization and its ancestors (and joint
activities listing any of those, or listing them as expected attendees), and check
themselves in. Anything else is answered as if it did not exist (404).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any, Literal, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from domain.activities import (
    TOKEN_STEP_SECONDS,
    ActivityKind,
    ActivityStatus,
    Attendance,
    CheckinAttempt,
    CheckinDecision,
    CheckinMethod,
    CheckinOutcome,
    CheckinRules,
    CheckinSettings,
    Geofence,
    GeoPoint,
    HeldActivity,
    KindRollup,
    LeaveRequest,
    LeaveStatus,
    MemberStatus,
    PeriodCompliance,
    Quorum,
    RosterEntry,
    attendance,
    change_status,
    compliance,
    evaluate_checkin,
    expected_attendees,
    frequencies_from_settings,
    mint_checkin_token,
    quorum,
    rollup,
    token_step,
)
from domain.activities import Period as CompliancePeriod
from domain.shared import DomainError, FieldError, Message, display_time, new_id
from domain.tenancy import TenantSettings, effective_settings
from infra.activities import checkin_records
from infra.activities.tables import (
    Activity,
    ActivityAttendee,
    ActivityOrganization,
    Checkin,
    LeaveRequestRow,
)
from infra.authz import org_domain, tenant_domain
from infra.db.session import UnitOfWork

SHANGHAI = ZoneInfo("Asia/Shanghai")
SYNC_BATCH_LIMIT = 500
ACTIVE_MEMBER_STATUSES = ("probationary", "full")


class Guard(Protocol):
    """The caller's permissions, as Casbin answers them."""

    def require(self, obj: str, act: str, domain: str | None = None) -> None: ...

    def can(self, obj: str, act: str, domain: str | None = None) -> bool: ...

    def can_within(self, obj: str, act: str, domain: str, boundary: str) -> bool: ...


@dataclass(frozen=True, slots=True)
class Caller:
    """Who calls: their account and home tenant."""

    user_id: uuid.UUID
    tenant_id: uuid.UUID


def not_found(what: str = "activity") -> DomainError:
    return DomainError(
        f"{what}_not_found",
        Message("未找到该资源，或您无权查看。", "Not found, or not visible to you."),
        status=404,
    )


def _invalid(field_name: str, code: str, zh: str, en: str, status: int = 422) -> DomainError:
    message = Message(zh, en)
    return DomainError(code, message, status=status, errors=[FieldError(field_name, code, message)])


# ---------------------------------------------------------------- loading and access


@dataclass(frozen=True, slots=True)
class OrgRef:
    id: uuid.UUID
    name: str
    path: str
    tenant_path: str
    is_organizer: bool

    @property
    def domain(self) -> str:
        return org_domain(self.tenant_path, self.path)


@dataclass(frozen=True, slots=True)
class MemberRef:
    """The caller's own member record, as the activity rules need it."""

    id: uuid.UUID
    tenant_id: uuid.UUID
    organization_id: uuid.UUID
    organization_path: str
    status: str


@dataclass(slots=True)
class ActivityView:
    """An activity with the organizations it counts for."""

    activity: Activity
    organizations: list[OrgRef]
    expected_count: int = 0

    @property
    def organizer(self) -> OrgRef:
        return next(o for o in self.organizations if o.is_organizer)

    @property
    def joint_organization_ids(self) -> list[uuid.UUID]:
        return [o.id for o in self.organizations if not o.is_organizer]


@dataclass(slots=True)
class Access:
    """An activity as one caller sees it: as staff, as a member, or both."""

    view: ActivityView
    member: MemberRef | None
    staff_read: bool
    member_visible: bool

    @property
    def activity(self) -> Activity:
        return self.view.activity


def _on_path(member_path: str, org_path: str) -> bool:
    """Is the member's organization `org_path` itself or below it?"""
    return member_path == org_path or member_path.startswith(org_path + ".")


async def caller_member(uow: UnitOfWork, caller: Caller) -> MemberRef | None:
    row = (
        await uow.session.execute(
            text(
                "SELECT m.id, m.tenant_id, m.organization_id, o.path::text, m.status"
                " FROM member m JOIN organization o"
                "   ON o.tenant_id = m.tenant_id AND o.id = m.organization_id"
                " WHERE m.tenant_id = :t AND m.user_id = :u"
                "   AND m.status IN ('probationary', 'full')"
            ),
            {"t": caller.tenant_id, "u": caller.user_id},
        )
    ).first()
    return MemberRef(row[0], row[1], row[2], row[3], row[4]) if row else None


async def _org_refs(uow: UnitOfWork, activity: Activity) -> list[OrgRef]:
    rows = (
        await uow.session.execute(
            text(
                "SELECT o.id, o.name, o.path::text, t.path::text, ao.is_organizer"
                " FROM activity_organization ao"
                " JOIN organization o ON o.tenant_id = ao.tenant_id AND o.id = ao.organization_id"
                " JOIN tenant t ON t.id = ao.tenant_id"
                " WHERE ao.tenant_id = :t AND ao.activity_id = :a"
                " ORDER BY ao.is_organizer DESC, o.name"
            ),
            {"t": activity.tenant_id, "a": activity.id},
        )
    ).all()
    return [OrgRef(r[0], r[1], r[2], r[3], r[4]) for r in rows]


async def _is_expected(uow: UnitOfWork, activity: Activity, member_id: uuid.UUID) -> bool:
    row = await uow.session.get(ActivityAttendee, (activity.tenant_id, activity.id, member_id))
    return row is not None


async def load_access(
    uow: UnitOfWork, guard: Guard, caller: Caller, activity_id: uuid.UUID
) -> Access:
    """The activity if the caller may see it; 404 otherwise (also for other branches)."""
    activity = (
        await uow.session.execute(select(Activity).where(Activity.id == activity_id))  # type: ignore[arg-type]
    ).scalar_one_or_none()
    if activity is None:
        raise not_found()
    orgs = await _org_refs(uow, activity)
    staff = any(guard.can("activity", "read", o.domain) for o in orgs)
    member = await caller_member(uow, caller)
    visible = False
    if member is not None and member.tenant_id == activity.tenant_id:
        visible = any(_on_path(member.organization_path, o.path) for o in orgs) or (
            await _is_expected(uow, activity, member.id)
        )
    if not (staff or visible):
        raise not_found()
    return Access(ActivityView(activity, orgs), member, staff, visible)


def _require_any(guard: Guard, obj: str, act: str, orgs: Sequence[OrgRef]) -> None:
    """Allowed in the domain of any of `orgs` (the organizer first), else a 403."""
    if not any(guard.can(obj, act, o.domain) for o in orgs):
        guard.require(obj, act, orgs[0].domain)


def _require_marking(guard: Guard, orgs: Sequence[OrgRef]) -> None:
    """代签, 更正 and leave decisions belong to the organizing tenant: a role granted inside
    it on the subtree of an organization the activity counts for. Staff of a superior
    tenant, whose grants cover it from above, need the explicit `checkin:supervise` there."""
    boundary = tenant_domain(orgs[0].tenant_path)
    if any(guard.can_within("checkin", "manage", o.domain, boundary) for o in orgs):
        return
    if any(guard.can("checkin", "supervise", o.domain) for o in orgs):
        return
    _require_any(guard, "checkin", "manage", orgs)
    guard.require("checkin", "supervise", orgs[0].domain)


def _require_write(guard: Guard, access: Access) -> None:
    organizer = access.view.organizer
    guard.require("activity", "write", organizer.domain)


async def _settings_of(uow: UnitOfWork, tenant_id: uuid.UUID) -> TenantSettings:
    chain = (
        await uow.session.execute(text("SELECT zhibu_settings_chain(:t)"), {"t": tenant_id})
    ).scalars()
    return effective_settings(list(chain))


# ---------------------------------------------------------------- activities


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


async def _org_for_write(uow: UnitOfWork, org_id: uuid.UUID, field_name: str) -> OrgRef:
    row = (
        await uow.session.execute(
            text(
                "SELECT o.id, o.name, o.path::text, t.path::text, o.tenant_id"
                " FROM organization o JOIN tenant t ON t.id = o.tenant_id WHERE o.id = :o"
            ),
            {"o": org_id},
        )
    ).first()
    if row is None:
        raise _invalid(
            field_name,
            "organization_not_found",
            "党组织不存在或不可见。",
            "The organization does not exist or is not visible.",
            status=404,
        )
    return OrgRef(row[0], row[1], row[2], row[3], False)


async def _tenant_of_org(uow: UnitOfWork, org_id: uuid.UUID) -> uuid.UUID:
    tenant_id: uuid.UUID = (
        await uow.session.execute(
            text("SELECT tenant_id FROM organization WHERE id = :o"), {"o": org_id}
        )
    ).scalar_one()
    return tenant_id


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


# ---------------------------------------------------------------- expected attendees


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


# ---------------------------------------------------------------- QR token


@dataclass(frozen=True, slots=True)
class TokenView:
    token: str
    step_seconds: int
    expires_at: datetime
    refresh_after: datetime


async def checkin_token(
    uow: UnitOfWork,
    guard: Guard,
    caller: Caller,
    activity_id: uuid.UUID,
    *,
    secret: bytes,
    now: datetime,
) -> TokenView:
    """The code for the organizer's screen; scans are accepted in this step and the next."""
    access = await load_access(uow, guard, caller, activity_id)
    _require_any(guard, "checkin", "manage", access.view.organizations)
    step = token_step(now)
    step_start = datetime.fromtimestamp(step * TOKEN_STEP_SECONDS, UTC)
    return TokenView(
        token=mint_checkin_token(activity_id, secret=secret, now=now),
        step_seconds=TOKEN_STEP_SECONDS,
        expires_at=step_start + timedelta(seconds=2 * TOKEN_STEP_SECONDS),
        refresh_after=step_start + timedelta(seconds=TOKEN_STEP_SECONDS),
    )


# ---------------------------------------------------------------- check-in


@dataclass(frozen=True, slots=True)
class CheckinView:
    id: uuid.UUID
    activity_id: uuid.UUID
    member_id: uuid.UUID
    source: str
    occurred_at: datetime
    recorded_at: datetime
    recorded_by: uuid.UUID
    client_id: str | None
    distance_m: float | None


@dataclass(frozen=True, slots=True)
class CheckinInput:
    member_id: uuid.UUID | None = None
    token: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    accuracy_m: float | None = None


# What the check-in rules need about one member and each of some activities.
_CHECKIN_CONTEXT = text(
    "SELECT "
    "a.tenant_id, a.id, a.kind, a.status, a.starts_at, a.ends_at, a.latitude,"
    "  a.longitude, a.radius_m, a.qr_required, a.geofence_enabled, a.window_minutes,"
    "  EXISTS (SELECT 1 FROM activity_attendee x WHERE x.tenant_id = a.tenant_id"
    "    AND x.activity_id = a.id AND x.member_id = :m) AS expected,"
    "  (SELECT c.id FROM checkin c WHERE c.tenant_id = a.tenant_id AND c.activity_id = a.id"
    "    AND c.member_id = :m) AS checkin_id,"
    "  (SELECT c.client_id FROM checkin c WHERE c.tenant_id = a.tenant_id"
    "    AND c.activity_id = a.id AND c.member_id = :m) AS checkin_client_id,"
    "  EXISTS (SELECT 1 FROM activity_organization ao"
    "    CROSS JOIN LATERAL zhibu_organization_path(ao.tenant_id, ao.organization_id) o"
    "    WHERE ao.tenant_id = a.tenant_id AND ao.activity_id = a.id"
    "    AND o.path @> CAST(:mpath AS ltree)) AS in_org,"
    "  (SELECT jsonb_agg(s)::text FROM zhibu_settings_chain(a.tenant_id) AS s) AS settings"
    " FROM activity a WHERE a.tenant_id = :t AND a.id = ANY(:ids)"
)


@lru_cache(maxsize=256)
def _settings_from_json(chain: str) -> TenantSettings:
    """The settings chain as PostgreSQL prints it (stable for the same rows) keys the cache."""
    return effective_settings(json.loads(chain))


@dataclass(frozen=True, slots=True)
class _Ctx:
    """Everything one check-in decision needs about one (activity, member) pair."""

    tenant_id: uuid.UUID
    activity_id: uuid.UUID
    rules: CheckinRules
    visible: bool
    checkin_id: uuid.UUID | None = None
    checkin_client_id: str | None = None


def _rules(row: Any, member_id: uuid.UUID, secret: bytes) -> _Ctx:
    settings = _settings_from_json(row.settings or "[]")
    grace = timedelta(
        minutes=row.window_minutes
        if row.window_minutes is not None
        else settings.checkin_grace_minutes
    )
    geofence = None
    if row.geofence_enabled and row.latitude is not None and row.radius_m:
        geofence = Geofence(GeoPoint(row.latitude, row.longitude), float(row.radius_m))
    rules = CheckinRules(
        activity_id=row.id,
        status=ActivityStatus(row.status),
        starts_at=row.starts_at,
        ends_at=row.ends_at + grace,
        expected_member_ids=frozenset({member_id}) if row.expected else frozenset(),
        checked_in_member_ids=frozenset({member_id}) if row.checkin_id else frozenset(),
        qr_secret=secret if row.qr_required else None,
        geofence=geofence,
        settings=CheckinSettings(
            opens_before=grace,
            sync_grace=timedelta(hours=settings.sync_grace_hours),
            self_checkin_required=settings.self_checkin_required,
        ),
    )
    return _Ctx(
        row.tenant_id,
        row.id,
        rules,
        bool(row.in_org or row.expected),
        row.checkin_id,
        row.checkin_client_id,
    )


async def _checkin_contexts(
    uow: UnitOfWork,
    tenant_id: uuid.UUID,
    activity_ids: Sequence[uuid.UUID],
    member_id: uuid.UUID,
    member_path: str,
    secret: bytes,
) -> dict[uuid.UUID, _Ctx]:
    rows = (
        await uow.session.execute(
            _CHECKIN_CONTEXT,
            {"t": tenant_id, "ids": list(activity_ids), "m": member_id, "mpath": member_path},
        )
    ).all()
    return {r.id: _rules(r, member_id, secret) for r in rows}


def _reject(decision: CheckinDecision) -> DomainError:
    status = 409 if decision.outcome is CheckinOutcome.DUPLICATE else 422
    code = "already_checked_in" if decision.outcome is CheckinOutcome.DUPLICATE else decision.code
    return DomainError(code, decision.message, status=status)


def _source(method: CheckinMethod, rules: CheckinRules, offline: bool) -> str:
    if method is CheckinMethod.SECRETARY:
        return "secretary"
    if offline:
        return "offline_sync"
    return "self_qr" if rules.qr_secret is not None else "self"


async def check_in(
    uow: UnitOfWork,
    guard: Guard,
    caller: Caller,
    activity_id: uuid.UUID,
    data: CheckinInput,
    *,
    secret: bytes,
    now: datetime,
) -> CheckinView:
    """A check-in naming its member: marked by the secretary (代签), or the member themselves.

    A member's own check-in without `member_id` takes `fast_checkin.CheckinDesk` instead.
    """
    assert data.member_id is not None
    me = await caller_member(uow, caller)
    on_behalf = me is None or data.member_id != me.id
    if on_behalf:
        access = await load_access(uow, guard, caller, activity_id)
        _require_marking(guard, access.view.organizations)
        member_id = data.member_id
        member_path = (
            await uow.session.execute(
                text(
                    "SELECT o.path::text FROM member m JOIN organization o"
                    " ON o.tenant_id = m.tenant_id AND o.id = m.organization_id"
                    " WHERE m.tenant_id = :t AND m.id = :m"
                ),
                {"t": access.activity.tenant_id, "m": member_id},
            )
        ).scalar_one_or_none()
        if member_path is None:
            raise _invalid(
                "member_id", "member_not_found", "党员不存在。", "No such member.", status=404
            )
        method = CheckinMethod.SECRETARY
        tenant_id = access.activity.tenant_id
    else:
        assert me is not None
        member_id, member_path = me.id, me.organization_path
        method = CheckinMethod.SELF
        tenant_id = me.tenant_id
    contexts = await _checkin_contexts(
        uow, tenant_id, [activity_id], member_id, member_path, secret
    )
    ctx = contexts.get(activity_id)
    if ctx is None or not (on_behalf or ctx.visible):
        raise not_found()
    decision = evaluate_checkin(ctx.rules, checkin_attempt(data, member_id, method), now=now)
    if not decision.accepted:
        raise _reject(decision)
    row = Checkin(
        tenant_id=ctx.tenant_id,
        id=new_id(),
        activity_id=activity_id,
        member_id=member_id,
        source=_source(method, ctx.rules, offline=False),
        occurred_at=decision.effective_at,
        recorded_at=now,
        recorded_by=caller.user_id,
        latitude=data.latitude,
        longitude=data.longitude,
        accuracy_m=data.accuracy_m,
        distance_m=decision.distance_m,
    )
    inserted = await _insert_checkins(uow, [row])
    if not inserted:
        raise _reject(CheckinDecision(CheckinOutcome.DUPLICATE, now))
    checkin_records.audit_created(uow, row)
    return _checkin_view(row)


def checkin_attempt(
    data: CheckinInput, member_id: uuid.UUID, method: CheckinMethod
) -> CheckinAttempt:
    location = None
    if data.latitude is not None or data.longitude is not None:
        if data.latitude is None or data.longitude is None:
            raise _invalid(
                "longitude",
                "coordinates_incomplete",
                "经纬度须同时提供。",
                "Give both latitude and longitude.",
            )
        location = GeoPoint(data.latitude, data.longitude)
    return CheckinAttempt(
        member_id=member_id,
        method=method,
        token=data.token,
        location=location,
        accuracy_m=data.accuracy_m,
    )


def _not_a_member() -> DomainError:
    return DomainError(
        "not_a_member",
        Message(
            "您的账号未关联党员信息，不能本人签到；代签请指定 member_id。",
            "Your account is not linked to a member record; give member_id to mark someone else.",
        ),
        status=403,
    )


def _checkin_view(row: Checkin) -> CheckinView:
    return CheckinView(
        id=row.id,
        activity_id=row.activity_id,
        member_id=row.member_id,
        source=row.source,
        occurred_at=row.occurred_at,
        recorded_at=row.recorded_at,
        recorded_by=row.recorded_by,
        client_id=row.client_id,
        distance_m=row.distance_m,
    )


_INSERT_CHECKINS = text(
    "INSERT INTO checkin (tenant_id, id, activity_id, member_id, source, occurred_at,"
    "  recorded_at, recorded_by, client_id, latitude, longitude, accuracy_m, distance_m)"
    " SELECT * FROM unnest(CAST(:tenant_ids AS uuid[]), CAST(:ids AS uuid[]),"
    "  CAST(:activity_ids AS uuid[]), CAST(:member_ids AS uuid[]), CAST(:sources AS text[]),"
    "  CAST(:occurred AS timestamptz[]), CAST(:recorded AS timestamptz[]),"
    "  CAST(:recorded_by AS uuid[]), CAST(:client_ids AS text[]),"
    "  CAST(:lats AS float8[]), CAST(:lons AS float8[]), CAST(:accs AS float8[]),"
    "  CAST(:dists AS float8[]))"
    " ON CONFLICT DO NOTHING RETURNING id"
)


async def _insert_checkins(uow: UnitOfWork, rows: Sequence[Checkin]) -> set[uuid.UUID]:
    """Insert; a row clashing with an existing check-in (member or client id) is skipped.

    Each accepted check-in gets its `checkin.recorded` outbox event in the same transaction.
    Returns the ids actually inserted.
    """
    if not rows:
        return set()
    result = await uow.session.execute(
        _INSERT_CHECKINS,
        {
            "tenant_ids": [r.tenant_id for r in rows],
            "ids": [r.id for r in rows],
            "activity_ids": [r.activity_id for r in rows],
            "member_ids": [r.member_id for r in rows],
            "sources": [r.source for r in rows],
            "occurred": [r.occurred_at for r in rows],
            "recorded": [r.recorded_at for r in rows],
            "recorded_by": [r.recorded_by for r in rows],
            "client_ids": [r.client_id for r in rows],
            "lats": [r.latitude for r in rows],
            "lons": [r.longitude for r in rows],
            "accs": [r.accuracy_m for r in rows],
            "dists": [r.distance_m for r in rows],
        },
    )
    inserted = {r[0] for r in result}
    for r in rows:
        if r.id in inserted:
            checkin_records.emit_recorded(uow, r)
    return inserted


# ---------------------------------------------------------------- offline sync


@dataclass(frozen=True, slots=True)
class SyncItem:
    client_id: str
    activity_id: uuid.UUID
    occurred_at: datetime
    token: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    accuracy_m: float | None = None


@dataclass(frozen=True, slots=True)
class SyncResult:
    client_id: str
    activity_id: uuid.UUID
    outcome: str
    code: str
    message: Message
    checkin_id: uuid.UUID | None = None


@dataclass(slots=True)
class _Pending:
    item: SyncItem
    row: Checkin | None = None
    result: SyncResult | None = None
    extra: dict[str, Any] = field(default_factory=dict)


_ACCEPTED = Message("签到成功。", "Checked in.")
_WITHDRAWN = Message(
    "这条签到已被更正撤销，不再计入。",
    "This check-in was withdrawn by a correction; it does not count.",
)
_DUPLICATE = Message("您已签到。", "You have already checked in.")


async def sync_checkins(
    uow: UnitOfWork,
    caller: Caller,
    items: Sequence[SyncItem],
    *,
    secret: bytes,
    now: datetime,
) -> list[SyncResult]:
    """Upload a phone's offline check-ins; one result per item, in order.

    The same `client_id` always gives the same answer: an accepted item replayed (in this
    batch, a later one, or a concurrent one) is answered `accepted` with the same check-in
    id, because the database keeps one row per client id; once a secretary has removed
    that check-in, `withdrawn` with the same id (its client id is kept for this). Another
    item for a member already present is a `duplicate`. Rejected items write nothing and
    are judged again if sent again (the judgement rests on `occurred_at`, so it stays the
    same unless the activity changed).
    """
    if len(items) > SYNC_BATCH_LIMIT:
        raise _invalid(
            "items",
            "batch_too_large",
            f"每批最多同步 {SYNC_BATCH_LIMIT} 条签到。",
            f"A batch holds at most {SYNC_BATCH_LIMIT} check-ins.",
            status=413,
        )
    me = await caller_member(uow, caller)
    if me is None:
        raise DomainError(
            "not_a_member",
            Message("您的账号未关联党员信息，不能同步签到。", "Your account has no member record."),
            status=403,
        )
    client_ids = list(dict.fromkeys(i.client_id for i in items))
    # client ids already used: by a check-in, or by one a secretary has since withdrawn
    existing = {
        r[0]: (r[1], r[2], r[3], r[4])
        for r in (
            await uow.session.execute(
                text(
                    "SELECT client_id, id, activity_id, member_id, false FROM checkin"
                    " WHERE tenant_id = :t AND client_id = ANY(:c)"
                    " UNION ALL"
                    " SELECT client_id, checkin_id, activity_id, member_id, true"
                    " FROM checkin_withdrawal WHERE tenant_id = :t AND client_id = ANY(:c)"
                ),
                {"t": me.tenant_id, "c": client_ids},
            )
        ).all()
    }
    contexts = await _checkin_contexts(
        uow,
        me.tenant_id,
        list(dict.fromkeys(i.activity_id for i in items)),
        me.id,
        me.organization_path,
        secret,
    )
    pending: list[_Pending] = []
    first_by_client: dict[str, _Pending] = {}
    present: dict[uuid.UUID, uuid.UUID | None] = {
        a: (uuid.UUID(int=0) if c.rules.checked_in_member_ids else None)
        for a, c in contexts.items()
    }
    for item in items:
        p = _Pending(item)
        pending.append(p)
        if item.client_id in first_by_client:
            p.extra["same_as"] = first_by_client[item.client_id]
            continue
        first_by_client[item.client_id] = p
        if item.client_id in existing:
            checkin_id, activity_id, member_id, withdrawn = existing[item.client_id]
            if activity_id == item.activity_id and member_id == me.id:
                outcome, message = (
                    ("withdrawn", _WITHDRAWN) if withdrawn else ("accepted", _ACCEPTED)
                )
                p.result = SyncResult(
                    item.client_id, item.activity_id, outcome, outcome, message, checkin_id
                )
            else:
                p.result = _rejected(item, "client_id_conflict", _CLIENT_ID_CONFLICT)
            continue
        ctx = contexts.get(item.activity_id)
        if ctx is None or ctx.tenant_id != me.tenant_id or not ctx.visible:
            p.result = _rejected(item, "activity_not_found", _ACTIVITY_NOT_FOUND)
            continue
        try:
            location = (
                GeoPoint(item.latitude, item.longitude)
                if item.latitude is not None and item.longitude is not None
                else None
            )
            attempt = CheckinAttempt(
                member_id=me.id,
                method=CheckinMethod.SELF,
                occurred_at=item.occurred_at,
                token=item.token,
                location=location,
                accuracy_m=item.accuracy_m,
            )
        except DomainError as error:
            p.result = _rejected(item, error.code, error.message)
            continue
        rules = ctx.rules
        if present.get(item.activity_id) is not None:
            rules = CheckinRules(
                activity_id=rules.activity_id,
                status=rules.status,
                starts_at=rules.starts_at,
                ends_at=rules.ends_at,
                expected_member_ids=rules.expected_member_ids,
                checked_in_member_ids=frozenset({me.id}),
                qr_secret=rules.qr_secret,
                geofence=rules.geofence,
                settings=rules.settings,
            )
        decision = evaluate_checkin(rules, attempt, now=now)
        if (
            decision.outcome is CheckinOutcome.DUPLICATE
            and ctx.checkin_client_id == item.client_id
            and ctx.checkin_id is not None
        ):
            # Recorded by a concurrent upload of this very item since we looked it up.
            p.result = SyncResult(
                item.client_id, item.activity_id, "accepted", "accepted", _ACCEPTED, ctx.checkin_id
            )
            continue
        if decision.outcome is CheckinOutcome.DUPLICATE:
            p.result = SyncResult(
                item.client_id, item.activity_id, "duplicate", "duplicate", _DUPLICATE
            )
            continue
        if not decision.accepted:
            p.result = _rejected(item, decision.code, decision.message)
            continue
        p.row = Checkin(
            tenant_id=me.tenant_id,
            id=new_id(),
            activity_id=item.activity_id,
            member_id=me.id,
            source="offline_sync",
            occurred_at=decision.effective_at,
            recorded_at=now,
            recorded_by=caller.user_id,
            client_id=item.client_id,
            latitude=item.latitude,
            longitude=item.longitude,
            accuracy_m=item.accuracy_m,
            distance_m=decision.distance_m,
        )
        present[item.activity_id] = p.row.id
    rows = [p.row for p in pending if p.row is not None]
    inserted = await _insert_checkins(uow, rows)
    lost = [p for p in pending if p.row is not None and p.row.id not in inserted]
    if lost:
        # A concurrent upload got there first: answer as it was answered.
        await _settle_races(uow, me.tenant_id, me.id, lost)
    accepted_ids: list[str] = []
    for p in pending:
        if p.row is not None and p.result is None:
            p.result = SyncResult(
                p.item.client_id, p.item.activity_id, "accepted", "accepted", _ACCEPTED, p.row.id
            )
            accepted_ids.append(str(p.row.id))
    results = []
    for p in pending:
        same = p.extra.get("same_as")
        result = same.result if same is not None else p.result
        assert result is not None
        if result.activity_id != p.item.activity_id:
            result = _rejected(p.item, "client_id_conflict", _CLIENT_ID_CONFLICT)
        results.append(result)
    if accepted_ids:
        uow.audit(
            "checkin.sync",
            "checkin",
            None,
            tenant_id=me.tenant_id,
            detail={
                "member_id": str(me.id),
                "items": len(items),
                "accepted": accepted_ids,
            },
        )
    return results


async def _settle_races(
    uow: UnitOfWork, tenant_id: uuid.UUID, member_id: uuid.UUID, lost: Sequence[_Pending]
) -> None:
    rows = (
        await uow.session.execute(
            text(
                "SELECT client_id, id, activity_id, member_id FROM checkin"
                " WHERE tenant_id = :t AND (client_id = ANY(:c)"
                "   OR (member_id = :m AND activity_id = ANY(:a)))"
            ),
            {
                "t": tenant_id,
                "c": [p.item.client_id for p in lost],
                "m": member_id,
                "a": [p.item.activity_id for p in lost],
            },
        )
    ).all()
    by_client = {r[0]: r for r in rows if r[0] is not None}
    for p in lost:
        item = p.item
        hit = by_client.get(item.client_id)
        if hit is not None and hit[2] == item.activity_id and hit[3] == member_id:
            p.result = SyncResult(
                item.client_id, item.activity_id, "accepted", "accepted", _ACCEPTED, hit[1]
            )
        elif hit is not None:
            p.result = _rejected(item, "client_id_conflict", _CLIENT_ID_CONFLICT)
        else:
            p.result = SyncResult(
                item.client_id, item.activity_id, "duplicate", "duplicate", _DUPLICATE
            )
        p.row = None


_CLIENT_ID_CONFLICT = Message(
    "该客户端编号已用于另一条签到。", "This client_id was already used for another check-in."
)
_ACTIVITY_NOT_FOUND = Message(
    "活动不存在，或您不在该活动的范围内。", "No such activity, or it is not one of yours."
)


def _rejected(item: SyncItem, code: str, message: Message) -> SyncResult:
    return SyncResult(item.client_id, item.activity_id, "rejected", code, message)


# ---------------------------------------------------------------- check-in list and removal


async def list_checkins(
    uow: UnitOfWork, guard: Guard, caller: Caller, activity_id: uuid.UUID
) -> list[CheckinView]:
    access = await load_access(uow, guard, caller, activity_id)
    stmt = select(Checkin).where(
        Checkin.tenant_id == access.activity.tenant_id,  # type: ignore[arg-type]
        Checkin.activity_id == activity_id,  # type: ignore[arg-type]
    )
    if not any(guard.can("checkin", "read", o.domain) for o in access.view.organizations):
        if access.member is None or not access.member_visible:
            guard.require("checkin", "read", access.view.organizer.domain)
        assert access.member is not None
        stmt = stmt.where(Checkin.member_id == access.member.id)  # type: ignore[arg-type]
    rows = (await uow.session.execute(stmt.order_by(Checkin.occurred_at))).scalars()  # type: ignore[arg-type]
    return [_checkin_view(r) for r in rows]


async def delete_checkin(
    uow: UnitOfWork,
    guard: Guard,
    caller: Caller,
    activity_id: uuid.UUID,
    checkin_id: uuid.UUID,
) -> None:
    """更正: the secretary removes a check-in recorded in error (audited with its content)."""
    access = await load_access(uow, guard, caller, activity_id)
    _require_marking(guard, access.view.organizations)
    if access.activity.status == ActivityStatus.ARCHIVED.value:
        raise DomainError(
            "activity_closed",
            Message("已归档的活动不能更正签到。", "Archived activities are final."),
            status=409,
        )
    row = await uow.session.get(Checkin, (access.activity.tenant_id, checkin_id))
    if row is None or row.activity_id != activity_id:
        raise not_found("checkin")
    await uow.session.delete(row)
    await uow.session.flush()
    if row.client_id is not None:
        # the phone may upload it again: keep its client id, to answer "withdrawn"
        await uow.session.execute(
            text(
                "INSERT INTO checkin_withdrawal"
                " (tenant_id, client_id, checkin_id, activity_id, member_id, withdrawn_by)"
                " VALUES (:t, :c, :id, :a, :m, :by)"
            ),
            {
                "t": row.tenant_id,
                "c": row.client_id,
                "id": row.id,
                "a": row.activity_id,
                "m": row.member_id,
                "by": caller.user_id,
            },
        )
    uow.audit(
        "checkin.delete",
        "checkin",
        checkin_id,
        tenant_id=row.tenant_id,
        detail={
            "activity_id": str(activity_id),
            "member_id": str(row.member_id),
            "source": row.source,
            "occurred_at": display_time(row.occurred_at),
        },
    )


# ---------------------------------------------------------------- leave


def _leave_domain(row: LeaveRequestRow) -> LeaveRequest:
    return LeaveRequest(
        id=row.id,
        activity_id=row.activity_id,
        member_id=row.member_id,
        reason=row.reason,
        requested_at=row.requested_at,
        status=LeaveStatus(row.status),
        decided_by=row.decided_by,
        decided_at=row.decided_at,
        decision_note=row.decision_note,
    )


async def request_leave(
    uow: UnitOfWork,
    guard: Guard,
    caller: Caller,
    activity_id: uuid.UUID,
    *,
    reason: str,
    member_id: uuid.UUID | None,
    now: datetime,
) -> LeaveRequestRow:
    """A member asks to be excused; the secretary may also record a request for a member."""
    access = await load_access(uow, guard, caller, activity_id)
    activity = access.activity
    me = access.member
    if member_id is None or (me is not None and member_id == me.id):
        if me is None or not access.member_visible:
            raise DomainError(
                "not_a_member",
                Message("您的账号未关联党员信息。", "Your account has no member record."),
                status=403,
            )
        member_id = me.id
    else:
        _require_marking(guard, access.view.organizations)
    if ActivityStatus(activity.status) in (ActivityStatus.ARCHIVED, ActivityStatus.CANCELLED):
        raise DomainError(
            "activity_closed",
            Message("活动已归档或已取消，不能请假。", "The activity is archived or cancelled."),
            status=409,
        )
    if not await _is_expected(uow, activity, member_id):
        raise DomainError(
            "not_on_roster",
            Message("该党员不在本次活动的应到人员名单中。", "Not on this activity's list."),
            status=422,
        )
    leave = LeaveRequest.request(
        activity_id=activity_id, member_id=member_id, reason=reason, now=now
    )
    row = LeaveRequestRow(
        tenant_id=activity.tenant_id,
        id=leave.id,
        activity_id=activity_id,
        member_id=member_id,
        reason=leave.reason,
        status=leave.status.value,
        requested_at=now,
        requested_by=caller.user_id,
    )
    try:
        async with uow.session.begin_nested():
            uow.session.add(row)
            await uow.session.flush()
    except IntegrityError as exc:
        raise DomainError(
            "leave_already_requested",
            Message("已有待审批或已批准的请假申请。", "A leave request is already open."),
            status=409,
        ) from exc
    uow.audit(
        "leave.request",
        "leave_request",
        row.id,
        tenant_id=row.tenant_id,
        detail={"activity_id": str(activity_id), "member_id": str(member_id)},
    )
    return row


async def list_leave(
    uow: UnitOfWork, guard: Guard, caller: Caller, activity_id: uuid.UUID
) -> list[LeaveRequestRow]:
    access = await load_access(uow, guard, caller, activity_id)
    stmt = select(LeaveRequestRow).where(
        LeaveRequestRow.tenant_id == access.activity.tenant_id,  # type: ignore[arg-type]
        LeaveRequestRow.activity_id == activity_id,  # type: ignore[arg-type]
    )
    if not any(guard.can("checkin", "read", o.domain) for o in access.view.organizations):
        if access.member is None:
            guard.require("checkin", "read", access.view.organizer.domain)
        assert access.member is not None
        stmt = stmt.where(LeaveRequestRow.member_id == access.member.id)  # type: ignore[arg-type]
    rows = (await uow.session.execute(stmt.order_by(LeaveRequestRow.id))).scalars()  # type: ignore[arg-type]
    return list(rows)


async def decide_leave(
    uow: UnitOfWork,
    guard: Guard,
    caller: Caller,
    leave_id: uuid.UUID,
    decision: LeaveStatus,
    *,
    note: str | None,
    now: datetime,
) -> LeaveRequestRow:
    row = (
        await uow.session.execute(
            select(LeaveRequestRow).where(LeaveRequestRow.id == leave_id)  # type: ignore[arg-type]
        )
    ).scalar_one_or_none()
    if row is None:
        raise not_found("leave_request")
    access = await load_access(uow, guard, caller, row.activity_id)
    leave = _leave_domain(row)
    if decision is LeaveStatus.WITHDRAWN:
        if access.member is None or access.member.id != row.member_id:
            raise not_found("leave_request")
        leave = leave.withdraw(now=now)
    else:
        _require_marking(guard, access.view.organizations)
        if decision is LeaveStatus.APPROVED:
            leave = leave.approve(by=caller.user_id, now=now, note=note)
        else:
            leave = leave.reject(by=caller.user_id, now=now, note=note)
    row.status = leave.status.value
    row.decided_by = leave.decided_by
    row.decided_at = leave.decided_at
    row.decision_note = leave.decision_note
    uow.session.add(row)
    await uow.session.flush()
    uow.audit(
        f"leave.{leave.status.value}",
        "leave_request",
        row.id,
        tenant_id=row.tenant_id,
        detail={"activity_id": str(row.activity_id), "member_id": str(row.member_id)},
    )
    return row


# ---------------------------------------------------------------- attendance


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
    _require_any(guard, "checkin", "read", access.view.organizations)
    activity = access.activity
    attendees = await _attendees(uow, activity)
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
    result = attendance(_entries(attendees), checkins.keys(), list(on_leave))
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


# ---------------------------------------------------------------- compliance


@dataclass(frozen=True, slots=True)
class ComplianceRange:
    """The calendar range a compliance question is about (local dates)."""

    first_day: date
    last_day: date
    label: str


def parse_period(year: int | None, period: str | None, today: date) -> ComplianceRange:
    """`2026`, `2026-05`, `2026-Q2`, `2026-H1`; or the year (default this one)."""
    if period:
        text_ = period.strip().upper()
        try:
            y_part, _, rest = text_.partition("-")
            y = int(y_part)
            if not 2000 <= y <= 2100:
                raise ValueError
            if not rest:
                return ComplianceRange(date(y, 1, 1), date(y, 12, 31), f"{y}")
            if rest.startswith("Q"):
                q = int(rest[1:])
                months, label = range(3 * q - 2, 3 * q + 1), f"{y}-Q{q}"
            elif rest.startswith("H"):
                h = int(rest[1:])
                months, label = range(6 * h - 5, 6 * h + 1), f"{y}-H{h}"
            else:
                m = int(rest)
                months, label = range(m, m + 1), f"{y}-{m:02d}"
            if not months or months.start < 1 or months[-1] > 12:
                raise ValueError
            first = date(y, months.start, 1)
            end_month = months[-1]
            last = (
                date(y, 12, 31)
                if end_month == 12
                else date(y, end_month + 1, 1) - timedelta(days=1)
            )
            return ComplianceRange(first, last, label)
        except ValueError:
            raise _invalid(
                "period",
                "invalid_period",
                "期间格式应为 2026、2026-05、2026-Q2 或 2026-H1。",
                "The period is like 2026, 2026-05, 2026-Q2 or 2026-H1.",
                status=400,
            ) from None
    y = year or today.year
    if not 2000 <= y <= 2100:
        raise _invalid("year", "invalid_year", "年份超出范围。", "The year is out of range.", 400)
    return ComplianceRange(date(y, 1, 1), date(y, 12, 31), f"{y}")


# Kinds each organization kind is expected to hold: 党小组 hold 党小组会; the others hold
# the branch-level kinds (their own 党小组 report their group meetings themselves).
def _tracked_kinds(org_kind: str) -> frozenset[ActivityKind]:
    if org_kind == "party_group":
        return frozenset({ActivityKind.GROUP_MEETING})
    return frozenset(ActivityKind) - {ActivityKind.GROUP_MEETING}


@dataclass(frozen=True, slots=True)
class OrgCompliance:
    organization_id: uuid.UUID
    name: str
    tenant_id: uuid.UUID
    periods: list[PeriodCompliance]
    obligations: Obligations


@dataclass(frozen=True, slots=True)
class Obligations:
    """Since when an organization owes its activities: its establishment date, or the day
    it was registered here when that is unknown."""

    since: date
    basis: Literal["established_on", "created_at"]


@dataclass(frozen=True, slots=True)
class ComplianceSubject:
    id: uuid.UUID
    name: str
    tenant_id: uuid.UUID
    kind: str
    obligations: Obligations


def _subject(row: Sequence[Any]) -> ComplianceSubject:
    """From (id, name, tenant id, kind, established_on, local creation date)."""
    established_on, created_on = row[4], row[5]
    obligations = (
        Obligations(established_on, "established_on")
        if established_on is not None
        else Obligations(created_on, "created_at")
    )
    return ComplianceSubject(row[0], row[1], row[2], row[3], obligations)


async def _held(
    uow: UnitOfWork, org_ids: Sequence[uuid.UUID], since: datetime
) -> list[HeldActivity]:
    rows = (
        await uow.session.execute(
            text(
                "SELECT a.kind, a.status, a.starts_at, array_agg(ao.organization_id)"
                " FROM activity a JOIN activity_organization ao"
                "   ON ao.tenant_id = a.tenant_id AND ao.activity_id = a.id"
                " WHERE a.status IN ('finished', 'archived') AND a.starts_at >= :since"
                "   AND EXISTS (SELECT 1 FROM activity_organization x"
                "     WHERE x.tenant_id = a.tenant_id AND x.activity_id = a.id"
                "       AND x.organization_id = ANY(:orgs))"
                " GROUP BY a.tenant_id, a.id"
            ),
            {"since": since, "orgs": list(org_ids)},
        )
    ).all()
    return [
        HeldActivity(
            kind=ActivityKind(r[0]),
            organization_ids=frozenset(r[3]),
            finished_on=r[2].astimezone(SHANGHAI).date(),
            status=ActivityStatus(r[1]),
        )
        for r in rows
    ]


def _within(periods: Iterable[PeriodCompliance], rng: ComplianceRange) -> list[PeriodCompliance]:
    return [
        p
        for p in periods
        if p.period.first_day <= rng.last_day and p.period.last_day >= rng.first_day
    ]


async def _compliance_for(
    uow: UnitOfWork,
    orgs: Sequence[ComplianceSubject],
    rng: ComplianceRange,
    today: date,
    kind: ActivityKind | None = None,
) -> list[OrgCompliance]:
    """Each organization's periods overlapping the range, from its obligations' start."""
    if not orgs:
        return []
    since = datetime(rng.first_day.year, rng.first_day.month, 1, tzinfo=SHANGHAI) - timedelta(
        days=370
    )
    held = await _held(uow, [o.id for o in orgs], since)
    frequencies_by_tenant: dict[uuid.UUID, dict[ActivityKind, Any]] = {}
    result = []
    for org in orgs:
        tenant_id = org.tenant_id
        if tenant_id not in frequencies_by_tenant:
            settings = await _settings_of(uow, tenant_id)
            frequencies_by_tenant[tenant_id] = frequencies_from_settings(
                settings.meeting_frequencies.model_dump()
            )
        tracked = _tracked_kinds(org.kind)
        frequencies = {
            k: f
            for k, f in frequencies_by_tenant[tenant_id].items()
            if k in tracked and (kind is None or k is kind)
        }
        periods = compliance(
            frequencies,
            held,
            organization_id=org.id,
            period_start=rng.first_day,
            today=today,
            obligations_from=org.obligations.since,
        )
        result.append(
            OrgCompliance(org.id, org.name, tenant_id, _within(periods, rng), org.obligations)
        )
    return result


async def organization_compliance(
    uow: UnitOfWork,
    guard: Guard,
    organization_id: uuid.UUID,
    *,
    year: int | None,
    period: str | None,
    today: date,
) -> tuple[OrgCompliance, ComplianceRange]:
    org = await _org_for_write(uow, organization_id, "organization_id")
    guard.require("activity", "read", org.domain)
    row = (
        await uow.session.execute(
            text(
                "SELECT o.id, o.name, o.tenant_id, o.kind, o.established_on,"
                " (o.created_at AT TIME ZONE 'Asia/Shanghai')::date"
                " FROM organization o WHERE o.id = :o"
            ),
            {"o": org.id},
        )
    ).one()
    rng = parse_period(year, period, today)
    result = await _compliance_for(uow, [_subject(row)], rng, today)
    return result[0], rng


@dataclass(frozen=True, slots=True)
class RollupView:
    range: ComplianceRange
    organizations: int
    kinds: dict[ActivityKind, KindRollup]
    names: dict[uuid.UUID, str]


async def compliance_rollup(
    uow: UnitOfWork,
    guard: Guard,
    *,
    home_tenant_id: uuid.UUID,
    tenant_id: uuid.UUID | None,
    organization_id: uuid.UUID | None,
    kind: str | None,
    year: int | None,
    period: str | None,
    today: date,
) -> RollupView:
    """Branches of a tenant subtree (or an organization subtree) by their standing per kind."""
    rng = parse_period(year, period, today)
    if organization_id is not None:
        root = await _org_for_write(uow, organization_id, "organization_id")
        guard.require("activity", "read", root.domain)
        where = (
            "o.tenant_id = (SELECT tenant_id FROM organization WHERE id = :root)"
            " AND o.path <@ CAST(:root_path AS ltree)"
        )
        params: dict[str, Any] = {"root": root.id, "root_path": root.path}
    else:
        tenant_path = (
            await uow.session.execute(
                text("SELECT path::text FROM tenant WHERE id = :t"),
                {"t": tenant_id or home_tenant_id},
            )
        ).scalar_one_or_none()
        if tenant_path is None:
            raise not_found("tenant")
        guard.require("activity", "read", tenant_domain(tenant_path))
        where = "t.path <@ CAST(:tpath AS ltree)"
        params = {"tpath": tenant_path}
    rows = (
        await uow.session.execute(
            text(_BRANCHES_SQL.format(where=where)),
            {**params, "first": rng.first_day, "last": rng.last_day},
        )
    ).all()
    orgs = [_subject(r) for r in rows]
    wanted = ActivityKind(kind) if kind else None
    results = await _compliance_for(uow, orgs, rng, today, wanted)
    kinds = rollup({r.organization_id: r.periods for r in results})
    return RollupView(rng, len(orgs), kinds, {o.id: o.name for o in orgs})


_BRANCHES_SQL = (
    "SELECT o.id, o.name, o.tenant_id, o.kind, o.established_on,"
    " (o.created_at AT TIME ZONE 'Asia/Shanghai')::date FROM organization o"
    " JOIN tenant t ON t.id = o.tenant_id"
    " WHERE o.kind IN ('branch', 'temporary_branch') AND {where}"
    " AND (o.established_on IS NULL OR o.established_on <= :last)"
    " AND (o.end_date IS NULL OR o.end_date >= :first)"
    " ORDER BY o.path"
)


def period_label(p: CompliancePeriod) -> str:
    months = (p.last_day.year - p.first_day.year) * 12 + p.last_day.month - p.first_day.month + 1
    y = p.first_day.year
    if months == 1:
        return f"{y}-{p.first_day.month:02d}"
    if months == 3:
        return f"{y}-Q{(p.first_day.month - 1) // 3 + 1}"
    if months == 6:
        return f"{y}-H{(p.first_day.month - 1) // 6 + 1}"
    return f"{y}"
