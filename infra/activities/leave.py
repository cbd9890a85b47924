"""Leave (请假): a member asks to be excused, the secretary approves or rejects."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from domain.activities import (
    LEAVE_APPROVED,
    MESSAGES,
    ActivityStatus,
    LeaveRequest,
    LeaveStatus,
)
from domain.shared import ErrorKind
from infra.activities.tables import LeaveRequestRow
from infra.activities.visibility import (
    Caller,
    Guard,
    is_expected,
    load_access,
    not_found,
    require_marking,
)
from infra.db.session import UnitOfWork
from infra.platform.outbox import emit


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
            raise MESSAGES.error(
                "not_a_member_to_ask_leave", ErrorKind.FORBIDDEN, code="not_a_member"
            )
        member_id = me.id
    else:
        require_marking(guard, access.view.organizations)
    if ActivityStatus(activity.status) in (ActivityStatus.ARCHIVED, ActivityStatus.CANCELLED):
        raise MESSAGES.error(
            "activity_closed_for_leave", ErrorKind.CONFLICT, code="activity_closed"
        )
    if not await is_expected(uow, activity, member_id):
        raise MESSAGES.error("leave_not_on_roster", ErrorKind.INVALID, code="not_on_roster")
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
        raise MESSAGES.error("leave_already_requested", ErrorKind.CONFLICT) from exc
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
        require_marking(guard, access.view.organizations)
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
    if leave.status is LeaveStatus.APPROVED:
        emit(
            uow,
            tenant_id=row.tenant_id,
            topic=LEAVE_APPROVED,
            aggregate_type="activity",
            aggregate_id=row.activity_id,
            payload={
                "leave_id": str(row.id),
                "activity_id": str(row.activity_id),
                "member_id": str(row.member_id),
                "activity_kind": access.activity.kind,
                "starts_at": access.activity.starts_at.isoformat(),
            },
            organization_id=access.activity.organization_id,
        )
    return row
