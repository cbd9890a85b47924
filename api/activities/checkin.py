"""Check-in endpoints: the rotating code, checking in (self or 代签), the list, 更正, and
offline sync."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Response, delete, get, post

from api.activities import presenters as present
from api.activities import schemas as s
from api.activities.params import (
    CHECKINS,
    IDEMPOTENCY_KEY,
    caller_of,
    utc_now,
)
from api.context import Ctx
from api.deps import AppSettings, Desk
from api.idempotency import idempotent, replay, request_fingerprint
from api.openapi_common import READ, WRITE
from api.times import ApiResponse, encode_json
from infra.activities import (
    checkin,
    checkin_review,
    qr,
)
from infra.activities import fast_checkin as fast
from infra.db.session import UnitOfWork
from infra.platform.idempotency import check_key


@get(
    "/activities/{activity_id:uuid}/checkin-token",
    summary="签到二维码 Rotating check-in code",
    description="组织者屏幕上显示的签到码，每 30 秒更换；扫描时只接受当前和上一个码。"
    "客户端应在 refresh_after 时刷新。",
    tags=CHECKINS,
    operation_id="getCheckinToken",
    responses=READ,
)
async def get_checkin_token(
    ctx: Ctx, app_settings: AppSettings, activity_id: uuid.UUID
) -> Response[s.CheckinTokenOut]:
    async with ctx.uow() as uow:
        t = await qr.checkin_token(
            uow,
            ctx,
            caller_of(ctx),
            activity_id,
            secret=app_settings.secret_bytes("checkin_secret"),
            now=utc_now(),
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
    app_settings: AppSettings,
    checkin_desk: Desk,
    activity_id: uuid.UUID,
    data: s.CheckinIn,
    idempotency_key: Annotated[str | None, IDEMPOTENCY_KEY] = None,
) -> Response[s.CheckinOut]:
    if data.member_id is None:
        return await _self_check_in(ctx, checkin_desk, activity_id, data, idempotency_key)
    caller = caller_of(ctx)
    secret = app_settings.secret_bytes("checkin_secret")

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
            now=utc_now(),
        )
        return present.checkin_out(view)

    return await idempotent(ctx, work, fingerprint_of=data)


async def _self_check_in(
    ctx: Ctx,
    checkin_desk: Desk,
    activity_id: uuid.UUID,
    data: s.CheckinIn,
    idempotency_key: str | None,
) -> Response[s.CheckinOut]:
    """The member's own check-in, written together with others arriving at the same time."""
    p = ctx.principal
    idem = None
    if idempotency_key is not None:
        idem = fast.IdempotencyRequest(check_key(idempotency_key), request_fingerprint(ctx, data))
    stored, replayed = await checkin_desk.check_in(
        ctx.actor(),
        p.tenant_path,
        activity_id,
        checkin.CheckinInput(
            token=data.token,
            latitude=data.latitude,
            longitude=data.longitude,
            accuracy_m=data.accuracy_m,
        ),
        now=utc_now(),
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
        rows = await checkin_review.list_checkins(uow, ctx, caller_of(ctx), activity_id)
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
        await checkin_review.delete_checkin(uow, ctx, caller_of(ctx), activity_id, checkin_id)


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
    app_settings: AppSettings,
    data: s.SyncIn,
    idempotency_key: Annotated[str | None, IDEMPOTENCY_KEY] = None,
) -> Response[s.SyncOut]:
    caller = caller_of(ctx)
    secret = app_settings.secret_bytes("checkin_secret")
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
        results = await checkin.sync_checkins(uow, caller, items, secret=secret, now=utc_now())
        return present.sync_out(results, ctx.lang)

    return await idempotent(ctx, work, status_code=200, fingerprint_of=data)


ROUTES = [
    get_checkin_token,
    create_checkin,
    list_checkins,
    delete_checkin,
    sync_checkins,
]
