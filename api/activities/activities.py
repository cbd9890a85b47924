"""Endpoints that plan and run activities: create, list, read, edit, delete, start, finish,
archive, cancel."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from litestar import delete, get, patch, post
from litestar.openapi.spec import Example
from litestar.params import Parameter

from api.activities import presenters as present
from api.activities import schemas as s
from api.activities.params import (
    ACTIVITIES,
    caller_of,
    read_prefixes,
    utc_now,
)
from api.context import Ctx
from api.openapi_common import LIST, READ, WRITE
from api.pagination import Cursor, Limit, Page, decode_cursor, page_of
from domain.activities import ActivityStatus
from infra.activities import activities


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
            caller_of(ctx),
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
            caller_of(ctx),
            read_prefixes=read_prefixes(ctx),
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
            await activities.read_activity(uow, ctx, caller_of(ctx), activity_id)
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
            uow, ctx, caller_of(ctx), activity_id, s.sent_fields(data)
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
        await activities.delete_activity(uow, ctx, caller_of(ctx), activity_id)


async def _transition(
    ctx: Ctx, activity_id: uuid.UUID, target: ActivityStatus, reason: str | None = None
) -> s.ActivityOut:
    async with ctx.uow() as uow:
        view = await activities.transition(
            uow, ctx, caller_of(ctx), activity_id, target, reason=reason, now=utc_now()
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
]
