"""Activity endpoints. Thin: parse, call the use case in the caller's transaction, present."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Annotated

from litestar import Response, delete, get, patch, post
from litestar.openapi.spec import Example
from litestar.params import HeaderParameter, Parameter

from api.activities import presenters as present
from api.activities import schemas as s
from api.context import Ctx
from api.idempotency import idempotent, replay, request_fingerprint
from api.openapi_common import LIST, READ, WRITE
from api.pagination import Cursor, Limit, Page, decode_cursor, page_of
from api.times import ApiResponse, encode_json
from domain.activities import ActivityStatus, LeaveStatus
from infra.activities import (
    activities,
    attendance,
    checkin,
    checkin_records,
    compliance,
    leave,
    qr,
    roster,
    visibility,
)
from infra.activities import fast_checkin as fast
from infra.db.session import UnitOfWork
from infra.platform.idempotency import check_key

ACTIVITIES = ["Activities"]
CHECKINS = ["Check-in"]
COMPLIANCE = ["Compliance"]

IDEMPOTENCY_KEY = HeaderParameter(
    name="Idempotency-Key",
    required=False,
    max_length=200,
    description="重放同一请求返回第一次的结果 Replays return the first response",
    examples=[Example(value="7f9c2a52-checkin-1")],
)
PeriodParam = Annotated[
    str | None,
    Parameter(
        max_length=10,
        description="期间：2026、2026-05、2026-Q2 或 2026-H1；不填则为 year 全年",
        examples=[Example(value="2026-05")],
    ),
]
YearParam = Annotated[
    int | None, Parameter(ge=2000, le=2100, description="年度", examples=[Example(value=2026)])
]


def _caller(ctx: Ctx) -> visibility.Caller:
    p = ctx.principal
    return visibility.Caller(user_id=p.user_id, tenant_id=p.tenant_id)


def _now() -> datetime:
    return datetime.now(UTC)


def _read_prefixes(ctx: Ctx) -> list[str]:
    """Domains (with their subtrees) where the caller's roles include `activity:read`."""
    prefixes = []
    for _role, pattern in ctx.authz.roles_of(ctx.principal.subject):
        if pattern.endswith("*") and ctx.can("activity", "read", pattern[:-1]):
            prefixes.append(pattern[:-1])
    return prefixes


# ---------------------------------------------------------------- activities


@post(
    "/activities",
    summary="安排活动 Plan an activity",
    description="主办党组织安排三会一课、主题党日等活动。应到人员由主办（及联合）党组织名册生成，"
    "支委会只含支委；之后可增删。每次活动单独设定是否扫码、是否限定签到范围和签到时段。",
    tags=ACTIVITIES,
    operation_id="createActivity",
    responses=WRITE,
)
async def create_activity(ctx: Ctx, data: s.ActivityIn) -> s.ActivityOut:
    async with ctx.uow() as uow:
        view = await activities.create_activity(
            uow,
            ctx,
            _caller(ctx),
            activities.ActivityDraft(
                kind=data.kind,
                organization_id=data.organization_id,
                title=data.title,
                starts_at=data.starts_at,
                ends_at=data.ends_at,
                joint_organization_ids=tuple(data.joint_organization_ids),
                agenda=data.agenda,
                place=data.place,
                latitude=data.latitude,
                longitude=data.longitude,
                radius_m=data.radius_m,
                qr_required=data.qr_required,
                geofence_enabled=data.geofence_enabled,
                window_minutes=data.window_minutes,
            ),
        )
        return present.activity_out(view)


@get(
    "/activities",
    summary="活动列表 List activities",
    description="调用者可见的活动：管理人员见其管辖范围，党员见本组织及上级组织的活动。"
    "按创建时间倒序，游标分页。",
    tags=ACTIVITIES,
    operation_id="listActivities",
    responses=LIST,
)
async def list_activities(
    ctx: Ctx,
    limit: Limit = 50,
    cursor: Cursor = None,
    organization_id: Annotated[
        uuid.UUID | None, Parameter(description="该党组织及其下级组织的活动")
    ] = None,
    kind: Annotated[
        s.KindName | None, Parameter(examples=[Example(value="committee_meeting")])
    ] = None,
    status: Annotated[s.StatusName | None, Parameter(examples=[Example(value="planned")])] = None,
    starts_from: Annotated[
        datetime | None,
        Parameter(
            description="开始时间不早于", examples=[Example(value="2026-01-01T00:00:00+08:00")]
        ),
    ] = None,
    starts_before: Annotated[
        datetime | None,
        Parameter(
            description="开始时间早于", examples=[Example(value="2027-01-01T00:00:00+08:00")]
        ),
    ] = None,
) -> Page[s.ActivityOut]:
    async with ctx.uow() as uow:
        rows = await activities.list_activities(
            uow,
            ctx,
            _caller(ctx),
            read_prefixes=_read_prefixes(ctx),
            limit=limit,
            cursor=decode_cursor(cursor),
            organization_id=organization_id,
            kind=kind,
            status=status,
            starts_from=starts_from,
            starts_before=starts_before,
        )
    return page_of([present.activity_out(r) for r in rows], limit, lambda a: a.id)


@get(
    "/activities/{activity_id:uuid}",
    summary="活动详情 Get an activity",
    tags=ACTIVITIES,
    operation_id="getActivity",
    responses=READ,
)
async def get_activity(ctx: Ctx, activity_id: uuid.UUID) -> s.ActivityOut:
    async with ctx.uow() as uow:
        return present.activity_out(
            await activities.read_activity(uow, ctx, _caller(ctx), activity_id)
        )


@patch(
    "/activities/{activity_id:uuid}",
    summary="修改活动 Update an activity",
    description="修改时间、地点、议程和签到设置；已归档或已取消的活动不能修改。",
    tags=ACTIVITIES,
    operation_id="updateActivity",
    responses=WRITE,
)
async def update_activity(ctx: Ctx, activity_id: uuid.UUID, data: s.ActivityPatch) -> s.ActivityOut:
    async with ctx.uow() as uow:
        view = await activities.update_activity(
            uow, ctx, _caller(ctx), activity_id, s.sent_fields(data)
        )
        return present.activity_out(view)


@delete(
    "/activities/{activity_id:uuid}",
    summary="删除活动 Delete a planned activity",
    description="只能删除尚无签到记录的计划中活动；已开展的活动请取消并说明原因。",
    tags=ACTIVITIES,
    operation_id="deleteActivity",
    status_code=204,
    responses=WRITE,
)
async def delete_activity(ctx: Ctx, activity_id: uuid.UUID) -> None:
    async with ctx.uow() as uow:
        await activities.delete_activity(uow, ctx, _caller(ctx), activity_id)


async def _transition(
    ctx: Ctx, activity_id: uuid.UUID, target: ActivityStatus, reason: str | None = None
) -> s.ActivityOut:
    async with ctx.uow() as uow:
        view = await activities.transition(
            uow, ctx, _caller(ctx), activity_id, target, reason=reason, now=_now()
        )
        return present.activity_out(view)


@post(
    "/activities/{activity_id:uuid}/start",
    summary="开始活动 Start",
    description="计划中 → 进行中。",
    tags=ACTIVITIES,
    operation_id="startActivity",
    status_code=200,
    responses=WRITE,
)
async def start_activity(ctx: Ctx, activity_id: uuid.UUID) -> s.ActivityOut:
    return await _transition(ctx, activity_id, ActivityStatus.ONGOING)


@post(
    "/activities/{activity_id:uuid}/finish",
    summary="结束活动 Finish",
    description="进行中 → 已结束。结束后的活动计入组织生活落实情况；"
    "仍可补录代签和离线签到，直至归档。",
    tags=ACTIVITIES,
    operation_id="finishActivity",
    status_code=200,
    responses=WRITE,
)
async def finish_activity(ctx: Ctx, activity_id: uuid.UUID) -> s.ActivityOut:
    return await _transition(ctx, activity_id, ActivityStatus.FINISHED)


@post(
    "/activities/{activity_id:uuid}/archive",
    summary="归档活动 Archive",
    description="已结束 → 已归档；归档后签到和佐证材料不再变更。",
    tags=ACTIVITIES,
    operation_id="archiveActivity",
    status_code=200,
    responses=WRITE,
)
async def archive_activity(ctx: Ctx, activity_id: uuid.UUID) -> s.ActivityOut:
    return await _transition(ctx, activity_id, ActivityStatus.ARCHIVED)


@post(
    "/activities/{activity_id:uuid}/cancel",
    summary="取消活动 Cancel",
    description="计划中或进行中 → 已取消，须说明原因；取消的活动不计入落实情况。",
    tags=ACTIVITIES,
    operation_id="cancelActivity",
    status_code=200,
    responses=WRITE,
)
async def cancel_activity(ctx: Ctx, activity_id: uuid.UUID, data: s.CancelIn) -> s.ActivityOut:
    return await _transition(ctx, activity_id, ActivityStatus.CANCELLED, data.reason)


# ---------------------------------------------------------------- expected attendees


@get(
    "/activities/{activity_id:uuid}/attendees",
    summary="应到人员 Expected attendees",
    tags=ACTIVITIES,
    operation_id="listActivityAttendees",
    responses=READ,
)
async def list_attendees(ctx: Ctx, activity_id: uuid.UUID) -> list[s.AttendeeOut]:
    async with ctx.uow() as uow:
        rows = await roster.list_attendees(uow, ctx, _caller(ctx), activity_id)
    return [present.attendee_out(r) for r in rows]


@post(
    "/activities/{activity_id:uuid}/attendees",
    summary="添加应到人员 Add an expected attendee",
    tags=ACTIVITIES,
    operation_id="addActivityAttendee",
    responses=WRITE,
)
async def add_attendee(ctx: Ctx, activity_id: uuid.UUID, data: s.AttendeeIn) -> list[s.AttendeeOut]:
    async with ctx.uow() as uow:
        rows = await roster.add_attendee(uow, ctx, _caller(ctx), activity_id, data.member_id)
        return [present.attendee_out(r) for r in rows]


@delete(
    "/activities/{activity_id:uuid}/attendees/{member_id:uuid}",
    summary="移出应到人员 Remove an expected attendee",
    description="例如持《流动党员活动证》在外的党员；移出后不计入应到人数和表决基数。",
    tags=ACTIVITIES,
    operation_id="removeActivityAttendee",
    status_code=204,
    responses=WRITE,
)
async def remove_attendee(ctx: Ctx, activity_id: uuid.UUID, member_id: uuid.UUID) -> None:
    async with ctx.uow() as uow:
        await roster.remove_attendee(uow, ctx, _caller(ctx), activity_id, member_id)


# ---------------------------------------------------------------- check-in


@get(
    "/activities/{activity_id:uuid}/checkin-token",
    summary="签到二维码 Rotating check-in code",
    description="组织者屏幕上显示的签到码，每 30 秒更换；扫描时只接受当前和上一个码。"
    "客户端应在 refresh_after 时刷新。",
    tags=CHECKINS,
    operation_id="getCheckinToken",
    responses=READ,
)
async def get_checkin_token(ctx: Ctx, activity_id: uuid.UUID) -> Response[s.CheckinTokenOut]:
    async with ctx.uow() as uow:
        t = await qr.checkin_token(
            uow,
            ctx,
            _caller(ctx),
            activity_id,
            secret=ctx.settings.secret_bytes("checkin_secret"),
            now=_now(),
        )
    body = s.CheckinTokenOut(
        token=t.token,
        step_seconds=t.step_seconds,
        expires_at=t.expires_at,
        refresh_after=t.refresh_after,
    )
    return ApiResponse(body, headers={"Cache-Control": "no-store"})


@post(
    "/activities/{activity_id:uuid}/checkins",
    summary="签到 Check in",
    description="党员本人签到（按活动设置扫码和/或定位），或书记、支委代签（填 member_id，"
    "须有 checkin:manage）。是否强制本人签到由租户配置 self_checkin_required 决定，默认不强制。"
    "支持 Idempotency-Key。拒绝时返回 422，code 为 token_expired、outside_window、"
    "outside_geofence、not_on_roster 等；已签到返回 409 already_checked_in。",
    tags=CHECKINS,
    operation_id="createCheckin",
    responses=WRITE,
)
async def create_checkin(
    ctx: Ctx,
    activity_id: uuid.UUID,
    data: s.CheckinIn,
    idempotency_key: Annotated[str | None, IDEMPOTENCY_KEY] = None,
) -> Response[s.CheckinOut]:
    if data.member_id is None:
        return await _self_check_in(ctx, activity_id, data, idempotency_key)
    caller = _caller(ctx)
    secret = ctx.settings.secret_bytes("checkin_secret")

    async def work(uow: UnitOfWork) -> s.CheckinOut:
        view = await checkin.check_in(
            uow,
            ctx,
            caller,
            activity_id,
            checkin.CheckinInput(
                member_id=data.member_id,
                token=data.token,
                latitude=data.latitude,
                longitude=data.longitude,
                accuracy_m=data.accuracy_m,
            ),
            secret=secret,
            now=_now(),
        )
        return present.checkin_out(view)

    return await idempotent(ctx, work, fingerprint_of=data)


async def _self_check_in(
    ctx: Ctx,
    activity_id: uuid.UUID,
    data: s.CheckinIn,
    idempotency_key: str | None,
) -> Response[s.CheckinOut]:
    """The member's own check-in, written together with others arriving at the same time."""
    p = ctx.principal
    idem = None
    if idempotency_key is not None:
        idem = fast.IdempotencyRequest(check_key(idempotency_key), request_fingerprint(ctx, data))
    stored, replayed = await ctx.checkins.check_in(
        ctx.actor(),
        p.tenant_path,
        activity_id,
        checkin.CheckinInput(
            token=data.token,
            latitude=data.latitude,
            longitude=data.longitude,
            accuracy_m=data.accuracy_m,
        ),
        now=_now(),
        idempotency=idem,
    )
    return replay(stored, replayed=replayed)


def render_checkin(view: checkin.CheckinView) -> bytes:
    """The 201 body of a check-in, as stored for Idempotency-Key replays."""
    return encode_json(present.checkin_out(view))


@get(
    "/activities/{activity_id:uuid}/checkins",
    summary="签到记录 Check-ins of an activity",
    description="管理人员见全部；党员只见本人的签到。",
    tags=CHECKINS,
    operation_id="listActivityCheckins",
    responses=READ,
)
async def list_checkins(ctx: Ctx, activity_id: uuid.UUID) -> list[s.CheckinOut]:
    async with ctx.uow() as uow:
        rows = await checkin_records.list_checkins(uow, ctx, _caller(ctx), activity_id)
    return [present.checkin_out(r) for r in rows]


@delete(
    "/activities/{activity_id:uuid}/checkins/{checkin_id:uuid}",
    summary="更正签到 Remove a check-in recorded in error",
    description="删除误记的签到（审计留痕）。离线签到的客户端编号会保留，手机重传时答复 "
    "withdrawn，不会重新记录。",
    tags=CHECKINS,
    operation_id="deleteCheckin",
    status_code=204,
    responses=WRITE,
)
async def delete_checkin(ctx: Ctx, activity_id: uuid.UUID, checkin_id: uuid.UUID) -> None:
    async with ctx.uow() as uow:
        await checkin_records.delete_checkin(uow, ctx, _caller(ctx), activity_id, checkin_id)


@post(
    "/checkins/sync",
    summary="同步离线签到 Upload offline check-ins",
    description="手机无信号时保存的签到，带客户端编号和签到时刻，一次最多 500 条。"
    "每条单独给出结果：accepted、duplicate 或 rejected（附 code，如 token_expired、"
    "outside_window、not_on_roster）。同一 client_id 重复上传结果相同，不会重复计入；"
    "已被书记更正删除的签到再次上传时答复 withdrawn（原签到编号），不会重新记录；"
    "二维码和签到时段按签到时刻判断。支持 Idempotency-Key。",
    tags=CHECKINS,
    operation_id="syncCheckins",
    status_code=200,
    responses=WRITE,
)
async def sync_checkins(
    ctx: Ctx,
    data: s.SyncIn,
    idempotency_key: Annotated[str | None, IDEMPOTENCY_KEY] = None,
) -> Response[s.SyncOut]:
    caller = _caller(ctx)
    secret = ctx.settings.secret_bytes("checkin_secret")
    items = [
        checkin.SyncItem(
            client_id=i.client_id,
            activity_id=i.activity_id,
            occurred_at=i.occurred_at,
            token=i.token,
            latitude=i.latitude,
            longitude=i.longitude,
            accuracy_m=i.accuracy_m,
        )
        for i in data.items
    ]

    async def work(uow: UnitOfWork) -> s.SyncOut:
        results = await checkin.sync_checkins(uow, caller, items, secret=secret, now=_now())
        return present.sync_out(results, ctx.lang)

    return await idempotent(ctx, work, status_code=200, fingerprint_of=data)


# ---------------------------------------------------------------- leave


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
            _caller(ctx),
            activity_id,
            reason=data.reason,
            member_id=data.member_id,
            now=_now(),
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
        rows = await leave.list_leave(uow, ctx, _caller(ctx), activity_id)
    return [present.leave_out(r) for r in rows]


async def _decide(
    ctx: Ctx, leave_id: uuid.UUID, decision: LeaveStatus, note: str | None
) -> s.LeaveOut:
    async with ctx.uow() as uow:
        row = await leave.decide_leave(
            uow, ctx, _caller(ctx), leave_id, decision, note=note, now=_now()
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


# ---------------------------------------------------------------- attendance, compliance


@get(
    "/activities/{activity_id:uuid}/attendance",
    summary="出勤情况 Attendance and quorum",
    description="每位应到人员为出席、请假或缺席；出勤率；支部党员大会和支委会给出到会人数是否过半"
    "（支部党员大会以有表决权的正式党员为基数，预备党员不计）。",
    tags=CHECKINS,
    operation_id="getActivityAttendance",
    responses=READ,
)
async def get_attendance(ctx: Ctx, activity_id: uuid.UUID) -> s.AttendanceOut:
    async with ctx.uow() as uow:
        view = await attendance.attendance_of(uow, ctx, _caller(ctx), activity_id)
    return present.attendance_out(view)


@get(
    "/organizations/{organization_id:uuid}/compliance",
    summary="组织生活落实情况 Compliance calendar",
    description="按租户配置的频次（meeting_frequencies），逐期列出各类组织生活已开展、待开展、逾期。"
    "完全由活动记录推算，无需填报。义务自党组织成立日期（未填时为建立日期）所在的一期起计算，"
    "见 obligations_from。",
    tags=COMPLIANCE,
    operation_id="getOrganizationCompliance",
    responses=READ,
)
async def get_compliance(
    ctx: Ctx, organization_id: uuid.UUID, year: YearParam = None, period: PeriodParam = None
) -> s.ComplianceOut:
    async with ctx.uow() as uow:
        result, rng = await compliance.organization_compliance(
            uow, ctx, organization_id, year=year, period=period, today=_today()
        )
    return present.compliance_out(result, rng)


def _today() -> date:
    return datetime.now(visibility.SHANGHAI).date()


@get(
    "/stats/compliance",
    summary="组织生活落实汇总 Compliance roll-up",
    description="租户子树（或某党组织之下）各党支部按类别汇总：最近一期已开展、待开展、"
    "有逾期的支部，例如“本月有多少支部未开支委会”。",
    tags=COMPLIANCE,
    operation_id="getComplianceRollup",
    responses=LIST,
)
async def get_compliance_rollup(
    ctx: Ctx,
    tenant_id: Annotated[uuid.UUID | None, Parameter(description="默认本租户")] = None,
    organization_id: Annotated[uuid.UUID | None, Parameter(description="只统计该组织之下")] = None,
    kind: Annotated[
        s.KindName | None, Parameter(examples=[Example(value="committee_meeting")])
    ] = None,
    year: YearParam = None,
    period: PeriodParam = None,
) -> s.ComplianceRollupOut:
    async with ctx.uow() as uow:
        view = await compliance.compliance_rollup(
            uow,
            ctx,
            home_tenant_id=ctx.principal.tenant_id,
            tenant_id=tenant_id,
            organization_id=organization_id,
            kind=kind,
            year=year,
            period=period,
            today=_today(),
        )
    return present.rollup_out(view)


ROUTES = [
    create_activity,
    list_activities,
    get_activity,
    update_activity,
    delete_activity,
    start_activity,
    finish_activity,
    archive_activity,
    cancel_activity,
    list_attendees,
    add_attendee,
    remove_attendee,
    get_checkin_token,
    create_checkin,
    list_checkins,
    delete_checkin,
    sync_checkins,
    request_leave,
    list_leave,
    approve_leave,
    reject_leave,
    withdraw_leave,
    get_attendance,
    get_compliance,
    get_compliance_rollup,
]
__all__ = ["ROUTES"]
