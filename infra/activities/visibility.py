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

from sqlalchemy import select

from domain.activities import MESSAGES, on_path
from domain.shared import DomainError, ErrorKind
from domain.shared import Guard as CallerGuard
from domain.shared import not_found as shared_not_found
from infra.activities.tables import Activity, ActivityAttendee, ActivityOrganization
from infra.authz import org_domain, tenant_domain
from infra.db.session import UnitOfWork
from infra.members import MemberPlace, member_of_user
from infra.tenancy import OrganizationRef, organization_ref, organization_refs

SHANGHAI = ZoneInfo("Asia/Shanghai")


class Guard(CallerGuard, Protocol):
    """The caller's permissions, and the question 代签 asks: granted inside a boundary?"""

    def can_within(self, obj: str, act: str, domain: str, boundary: str) -> bool: ...


@dataclass(frozen=True, slots=True)
class Caller:
    """Who calls: their account and home tenant."""

    user_id: uuid.UUID
    tenant_id: uuid.UUID


def not_found(what: str = "activity") -> DomainError:
    """Absent or not visible to the caller: one answer (an activity unless told)."""
    return shared_not_found(what)


def invalid_field(
    field_name: str, key: str, kind: ErrorKind = ErrorKind.INVALID, *, code: str | None = None
) -> DomainError:
    """The catalogue's error `key`, shown on the field that caused it."""
    return MESSAGES.error(key, kind, code=code, errors=[MESSAGES.field(field_name, key, code=code)])


@dataclass(frozen=True, slots=True)
class OrgRef:
    """An organization an activity counts for, and whether it organizes it."""

    id: uuid.UUID
    tenant_id: uuid.UUID
    name: str
    path: str
    tenant_path: str
    is_organizer: bool

    @classmethod
    def of(cls, ref: OrganizationRef, *, is_organizer: bool = False) -> OrgRef:
        return cls(ref.id, ref.tenant_id, ref.name, ref.path, ref.tenant_path, is_organizer)

    @property
    def domain(self) -> str:
        return org_domain(self.tenant_path, self.path)


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
    member: MemberPlace | None
    staff_read: bool
    member_visible: bool

    @property
    def activity(self) -> Activity:
        return self.view.activity


async def caller_member(uow: UnitOfWork, caller: Caller) -> MemberPlace | None:
    """The caller's own active member record, as the activity rules need it."""
    return await member_of_user(uow, caller.tenant_id, caller.user_id)


async def organizations_of(
    uow: UnitOfWork, activities: Sequence[Activity]
) -> dict[uuid.UUID, list[OrgRef]]:
    """Each activity's organizations: the organizer first, then the joint ones by name."""
    if not activities:
        return {}
    links = (
        await uow.session.execute(
            select(
                ActivityOrganization.activity_id,
                ActivityOrganization.organization_id,
                ActivityOrganization.is_organizer,
            ).where(
                ActivityOrganization.activity_id.in_([a.id for a in activities])  # type: ignore[attr-defined]
            )
        )
    ).all()
    refs = await organization_refs(uow, list({link[1] for link in links}))
    by_org: dict[uuid.UUID, list[tuple[uuid.UUID, bool]]] = {}
    for activity_id, organization_id, is_organizer in links:
        by_org.setdefault(organization_id, []).append((activity_id, is_organizer))
    result: dict[uuid.UUID, list[OrgRef]] = {}
    for ref in refs.values():  # in name order
        for activity_id, is_organizer in by_org.get(ref.id, []):
            result.setdefault(activity_id, []).append(OrgRef.of(ref, is_organizer=is_organizer))
    for orgs in result.values():
        orgs.sort(key=lambda o: not o.is_organizer)
    return result


async def is_expected(uow: UnitOfWork, activity: Activity, member_id: uuid.UUID) -> bool:
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
    orgs = (await organizations_of(uow, [activity])).get(activity.id, [])
    staff = any(guard.can("activity", "read", o.domain) for o in orgs)
    member = await caller_member(uow, caller)
    visible = False
    if member is not None and member.tenant_id == activity.tenant_id:
        visible = any(on_path(member.organization_path, o.path) for o in orgs) or (
            await is_expected(uow, activity, member.id)
        )
    if not (staff or visible):
        raise not_found()
    return Access(ActivityView(activity, orgs), member, staff, visible)


def require_any(guard: Guard, obj: str, act: str, orgs: Sequence[OrgRef]) -> None:
    """Allowed in the domain of any of `orgs` (the organizer first), else a 403."""
    if not any(guard.can(obj, act, o.domain) for o in orgs):
        guard.require(obj, act, orgs[0].domain)


def require_marking(guard: Guard, orgs: Sequence[OrgRef]) -> None:
    """代签, 更正 and leave decisions belong to the organizing tenant: a role granted inside
    it on the subtree of an organization the activity counts for. Staff of a superior
    tenant, whose grants cover it from above, need the explicit `checkin:supervise` there."""
    boundary = tenant_domain(orgs[0].tenant_path)
    if any(guard.can_within("checkin", "manage", o.domain, boundary) for o in orgs):
        return
    if any(guard.can("checkin", "supervise", o.domain) for o in orgs):
        return
    require_any(guard, "checkin", "manage", orgs)
    guard.require("checkin", "supervise", orgs[0].domain)


def require_write(guard: Guard, access: Access) -> None:
    organizer = access.view.organizer
    guard.require("activity", "write", organizer.domain)


async def named_organization(
    uow: UnitOfWork, org_id: uuid.UUID, field_name: str
) -> OrganizationRef:
    """An organization named in the request (as `field_name`); 404 if it is not visible."""
    ref = await organization_ref(uow, org_id)
    if ref is None:
        raise invalid_field(
            field_name,
            "activity_organization_not_found",
            ErrorKind.NOT_FOUND,
            code="organization_not_found",
        )
    return ref


async def organization_for(uow: UnitOfWork, org_id: uuid.UUID, field_name: str) -> OrgRef:
    """An organization named in the request, as an activity refers to it."""
    return OrgRef.of(await named_organization(uow, org_id, field_name))
