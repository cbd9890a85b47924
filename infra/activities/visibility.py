"""Who sees an activity and who may act on it.

Staff act through Casbin roles granted on an organization or tenant domain. Ordinary members
hold no Casbin grouping: they see the activities of their organization and its ancestors (and
joint activities listing any of those, or listing them as expected attendees). Anything else
is answered as if it did not exist (404).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import select, text

from domain.shared import DomainError, FieldError, Message
from domain.tenancy import TenantSettings, effective_settings
from infra.activities.tables import (
    Activity,
    ActivityAttendee,
)
from infra.authz import org_domain, tenant_domain
from infra.db.session import UnitOfWork

SHANGHAI = ZoneInfo("Asia/Shanghai")

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
