"""Who may do what with an activity's evidence, and loading one file the caller may see."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import col

from domain.shared import DomainError, Message
from infra.activities.service import Caller, load_access
from infra.activities.tables import Activity
from infra.db.session import UnitOfWork
from infra.evidence.tables import Evidence
from infra.tenancy.service import Guard, not_found


@dataclass(frozen=True, slots=True)
class ActivityAccess:
    """An activity as the caller may see it, and what they may do with its evidence."""

    activity: Activity
    domain: str
    can_read: bool
    can_upload: bool
    can_delete: bool
    staff: bool
    """Holds `evidence:upload` as staff: sees and confirms others' pending uploads."""


async def activity_access(
    uow: UnitOfWork, guard: Guard, activity_id: uuid.UUID, *, caller: Caller
) -> ActivityAccess:
    """The activity if the caller may see it (`activity_not_found`, 404, if not), with
    what they may do with its evidence.

    Staff act through `evidence:*` in the domain of an organization the activity counts
    for (deleting: the organizer's); members who see the activity (activities' own rule:
    their organization or an ancestor takes part, or they are expected) may read and add.
    """
    access = await load_access(uow, guard, caller, activity_id)
    orgs = access.view.organizations
    organizer = access.view.organizer.domain

    def anywhere(act: str) -> bool:
        return any(guard.can("evidence", act, o.domain) for o in orgs)

    member = access.member_visible
    staff = anywhere("upload")
    return ActivityAccess(
        activity=access.activity,
        domain=organizer,
        can_read=member or anywhere("read"),
        can_upload=member or staff,
        can_delete=guard.can("evidence", "delete", organizer),
        staff=staff,
    )


def refuse(guard: Guard, act: str, access: ActivityAccess) -> DomainError:
    """403 through the guard (so the refusal is audited); the error is a fallback only."""
    guard.require("evidence", act, access.domain)
    return DomainError(
        "forbidden",
        Message("您没有执行此操作的权限。", "You are not allowed to do this."),
        status=403,
    )


async def load(uow: UnitOfWork, evidence_id: uuid.UUID, *, lock: bool = False) -> Evidence:
    stmt = select(Evidence).where(
        col(Evidence.id) == evidence_id,
        col(Evidence.status) != "deleted",
    )
    if lock:
        stmt = stmt.with_for_update()
    row = (await uow.session.execute(stmt)).scalar_one_or_none()
    if row is None:
        raise not_found("evidence")
    return row


async def readable(
    uow: UnitOfWork, guard: Guard, evidence_id: uuid.UUID, *, caller: Caller, lock: bool = False
) -> tuple[Evidence, ActivityAccess]:
    row = await load(uow, evidence_id, lock=lock)
    try:
        access = await activity_access(uow, guard, row.activity_id, caller=caller)
    except DomainError as exc:
        raise not_found("evidence") from exc
    mine = row.uploaded_by == caller.user_id
    # Pending slots are the uploader's business (and their organizers'), not every reader's.
    visible = mine or (access.staff if row.status == "pending" else access.can_read)
    if not visible:
        raise not_found("evidence")
    return row, access
