"""Who may do what with an activity's evidence, and loading one file the caller may see.

Whether the caller sees the activity is the activities context's answer
(`infra.activities.activity_seen_by`); what that means for its evidence is
`domain.evidence.rights`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import col

from domain.evidence import EvidenceRights, EvidenceStatus, evidence_rights
from domain.evidence.messages import MESSAGES
from domain.shared import DomainError, ErrorKind, Guard, not_found
from infra.activities import Caller, SeenActivity, activity_seen_by
from infra.db.session import UnitOfWork
from infra.evidence.tables import Evidence


@dataclass(frozen=True, slots=True)
class ActivityAccess:
    """An activity as the caller may see it, and what they may do with its evidence."""

    activity: SeenActivity
    rights: EvidenceRights


async def activity_access(
    uow: UnitOfWork, guard: Guard, activity_id: uuid.UUID, *, caller: Caller
) -> ActivityAccess:
    """The activity if the caller may see it (`activity_not_found`, 404, if not), with
    what they may do with its evidence."""
    activity = await activity_seen_by(uow, guard, caller, activity_id)

    def anywhere(act: str) -> bool:
        return any(guard.can("evidence", act, domain) for domain in activity.domains)

    rights = evidence_rights(
        member_visible=activity.member_visible,
        read_anywhere=anywhere("read"),
        upload_anywhere=anywhere("upload"),
        delete_at_organizer=guard.can("evidence", "delete", activity.organizer_domain),
    )
    return ActivityAccess(activity, rights)


def refuse(guard: Guard, act: str, access: ActivityAccess) -> DomainError:
    """403 through the guard (so the refusal is audited); the error is a fallback only."""
    guard.require("evidence", act, access.activity.organizer_domain)
    return MESSAGES.error("evidence_refused", ErrorKind.FORBIDDEN, code="forbidden")


async def load(uow: UnitOfWork, evidence_id: uuid.UUID, *, lock: bool = False) -> Evidence:
    """The file by id; with `lock`, locked by (tenant_id, id) once its tenant is known
    (a lock by id alone is a query on every shard, which Citus refuses)."""
    live = col(Evidence.status) != EvidenceStatus.DELETED.value
    stmt = select(Evidence).where(col(Evidence.id) == evidence_id, live)
    row = (await uow.session.execute(stmt)).scalar_one_or_none()
    if row is not None and lock:
        locked = (
            select(Evidence)
            .where(col(Evidence.tenant_id) == row.tenant_id, col(Evidence.id) == evidence_id, live)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        row = (await uow.session.execute(locked)).scalar_one_or_none()
    if row is None:
        raise not_found("evidence")
    return row


async def readable(
    uow: UnitOfWork, guard: Guard, evidence_id: uuid.UUID, *, caller: Caller, lock: bool = False
) -> tuple[Evidence, ActivityAccess]:
    """The file if the caller may see it; `evidence_not_found` otherwise (never a 403 that
    would confirm it exists)."""
    row = await load(uow, evidence_id, lock=lock)
    try:
        access = await activity_access(uow, guard, row.activity_id, caller=caller)
    except DomainError as exc:
        raise not_found("evidence") from exc
    if not access.rights.sees(row.status, mine=row.uploaded_by == caller.user_id):
        raise not_found("evidence")
    return row, access
