"""Leave (请假) endpoints: request, list, approve, reject, withdraw."""

from __future__ import annotations

import uuid

from litestar import get, post

from api.activities import presenters as present
from api.activities import schemas as s
from api.activities.params import (
    CHECKINS,
    caller_of,
    utc_now,
)
from api.context import Ctx
from api.openapi_common import READ, WRITE
from domain.activities import LeaveStatus
from infra.activities import leave


@post(
    "/activities/{activity_id:uuid}/leave-requests",
    summary="请假 Ask to be excused",
    description="党员本人请假须写明事由，由书记审批；书记也可代为登记（member_id）。",
    tags=CHECKINS,
    operation_id="requestLeave",
    responses=WRITE,
)
async def request_leave(ctx: Ctx, activity_id: uuid.UUID, data: s.LeaveIn) -> s.LeaveOut:
    async with ctx.uow() as uow:
        row = await leave.request_leave(
            uow,
            ctx,
            caller_of(ctx),
            activity_id,
            reason=data.reason,
            member_id=data.member_id,
            now=utc_now(),
        )
        return present.leave_out(row)


@get(
    "/activities/{activity_id:uuid}/leave-requests",
    summary="请假申请 Leave requests of an activity",
    description="管理人员见全部；党员只见本人的申请。",
    tags=CHECKINS,
    operation_id="listLeaveRequests",
    responses=READ,
)
async def list_leave(ctx: Ctx, activity_id: uuid.UUID) -> list[s.LeaveOut]:
    async with ctx.uow() as uow:
        rows = await leave.list_leave(uow, ctx, caller_of(ctx), activity_id)
    return [present.leave_out(r) for r in rows]


async def _decide(
    ctx: Ctx, leave_id: uuid.UUID, decision: LeaveStatus, note: str | None
) -> s.LeaveOut:
    async with ctx.uow() as uow:
        row = await leave.decide_leave(
            uow, ctx, caller_of(ctx), leave_id, decision, note=note, now=utc_now()
        )
        return present.leave_out(row)


@post(
    "/leave-requests/{leave_id:uuid}/approve",
    summary="批准请假 Approve",
    tags=CHECKINS,
    operation_id="approveLeave",
    status_code=200,
    responses=WRITE,
)
async def approve_leave(
    ctx: Ctx, leave_id: uuid.UUID, data: s.LeaveDecisionIn | None = None
) -> s.LeaveOut:
    return await _decide(ctx, leave_id, LeaveStatus.APPROVED, data.note if data else None)


@post(
    "/leave-requests/{leave_id:uuid}/reject",
    summary="不批准请假 Reject",
    tags=CHECKINS,
    operation_id="rejectLeave",
    status_code=200,
    responses=WRITE,
)
async def reject_leave(
    ctx: Ctx, leave_id: uuid.UUID, data: s.LeaveDecisionIn | None = None
) -> s.LeaveOut:
    return await _decide(ctx, leave_id, LeaveStatus.REJECTED, data.note if data else None)


@post(
    "/leave-requests/{leave_id:uuid}/withdraw",
    summary="撤回请假 Withdraw",
    description="只有申请人本人可撤回，且须尚未审批。",
    tags=CHECKINS,
    operation_id="withdrawLeave",
    status_code=200,
    responses=WRITE,
)
async def withdraw_leave(ctx: Ctx, leave_id: uuid.UUID) -> s.LeaveOut:
    return await _decide(ctx, leave_id, LeaveStatus.WITHDRAWN, None)


ROUTES = [
    request_leave,
    list_leave,
    approve_leave,
    reject_leave,
    withdraw_leave,
]
