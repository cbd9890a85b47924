"""Reviewing the check-ins of an activity: the list (a member sees only their own) and 更正
(removing one recorded in error, audited with its content)."""

from __future__ import annotations

import uuid

from sqlalchemy import select, text

from domain.activities import MESSAGES, ActivityStatus
from domain.shared import ErrorKind, display_time
from infra.activities.checkin import (
    CheckinView,
    _checkin_view,
)
from infra.activities.checkin_records import emit_withdrawn
from infra.activities.tables import Checkin
from infra.activities.visibility import (
    Caller,
    Guard,
    load_access,
    not_found,
    require_marking,
)
from infra.db.session import UnitOfWork


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
    require_marking(guard, access.view.organizations)
    if access.activity.status == ActivityStatus.ARCHIVED.value:
        raise MESSAGES.error(
            "activity_closed_for_corrections", ErrorKind.CONFLICT, code="activity_closed"
        )
    row = await uow.session.get(Checkin, (access.activity.tenant_id, checkin_id))
    if row is None or row.activity_id != activity_id:
        raise not_found("checkin")
    await uow.session.delete(row)
    await uow.session.flush()
    emit_withdrawn(uow, row, access.activity.organization_id)
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
