"""Evidence endpoints. Thin: parse, call the use case in the caller's transaction, present."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Response, delete, get, post
from litestar.openapi.spec import Example
from litestar.params import HeaderParameter, Parameter

from api.context import Ctx
from api.evidence import schemas as s
from api.idempotency import idempotent
from api.openapi_common import LIST, READ, WRITE, errors
from api.pagination import Cursor, Limit, Page, decode_cursor, page_of
from infra.activities import Caller
from infra.activities.tables import Activity
from infra.db.session import UnitOfWork
from infra.evidence import service as svc
from infra.evidence.tables import Evidence
from infra.storage import ObjectStorage, PresignedRequest

EVIDENCE = ["Evidence"]
IDEMPOTENCY_KEY = HeaderParameter(
    name="Idempotency-Key",
    required=False,
    max_length=200,
    description="重放同一请求返回第一次的结果 Replays return the first response",
    examples=[Example(value="3b1d7c2e-evidence-1")],
)


def _caller(ctx: Ctx) -> Caller:
    return Caller(user_id=ctx.principal.user_id, tenant_id=ctx.principal.tenant_id)


def _storage(ctx: Ctx) -> ObjectStorage:
    storage: ObjectStorage = ctx.request.app.state.storage
    return storage


def _absolute(ctx: Ctx, url: str) -> str:
    """Local-storage URLs are root-relative unless ZHIBU_PUBLIC_URL is set: complete them
    with the address the caller used."""
    if url.startswith("/"):
        return str(ctx.request.base_url).rstrip("/") + url
    return url


def _upload_out(ctx: Ctx, presigned: PresignedRequest) -> s.UploadOut:
    return s.UploadOut(
        url=_absolute(ctx, presigned.url),
        method=presigned.method,
        headers=dict(presigned.headers),
        expires_at=presigned.expires_at,
    )


def evidence_out(
    row: Evidence, activity: Activity, download: s.DownloadOut | None = None
) -> s.EvidenceOut:
    hint = svc.photo_hint(row, activity)
    return s.EvidenceOut(
        id=row.id,
        tenant_id=row.tenant_id,
        activity_id=row.activity_id,
        kind=row.kind,
        filename=row.filename,
        content_type=row.content_type,
        size_bytes=row.size_bytes,
        sha256=row.sha256,
        status=row.status,
        uploaded_by=row.uploaded_by,
        created_at=row.created_at,
        confirmed_at=row.confirmed_at,
        last_error_code=row.last_error_code,
        photo=None
        if hint is None
        else s.PhotoHintOut(
            taken_at=hint.taken_at,
            latitude=hint.latitude,
            longitude=hint.longitude,
            taken_during_activity=hint.taken_during_activity,
            distance_m=hint.distance_m,
            activity_starts_at=activity.starts_at,
            activity_ends_at=activity.ends_at,
            activity_place=activity.place,
        ),
        download=download,
    )


@post(
    "/activities/{activity_id:uuid}/evidence",
    summary="申请上传佐证材料 Ask for an evidence upload slot",
    description=(
        "声明要上传的文件（类型、文件名、MIME 类型、大小、SHA-256），按本租户的大小和数量上限"
        "校验后返回上传链接：客户端用返回的 `method`、`url` 和 `headers` 直接上传文件内容"
        "（配置 MinIO/S3 时直传存储），再调用 `POST /api/v1/evidence/{id}/confirm`。"
        "链接 30 分钟内有效；未确认的文件不会出现在活动的佐证材料中。支持 Idempotency-Key："
        "网络不稳时重试返回同一个上传槽位。"
    ),
    tags=EVIDENCE,
    operation_id="requestEvidenceUpload",
    responses=WRITE,
)
async def request_upload(
    ctx: Ctx,
    activity_id: uuid.UUID,
    data: s.EvidenceSlotIn,
    idempotency_key: Annotated[str | None, IDEMPOTENCY_KEY] = None,
) -> Response[s.EvidenceSlotOut]:
    async def work(uow: UnitOfWork) -> s.EvidenceSlotOut:
        slot = await svc.request_slot(
            uow,
            ctx,
            _storage(ctx),
            activity_id,
            caller=_caller(ctx),
            kind=data.kind,
            filename=data.filename,
            content_type=data.content_type,
            size_bytes=data.size_bytes,
            sha256=data.sha256,
        )
        activity = await uow.session.get(Activity, (slot.evidence.tenant_id, activity_id))
        assert activity is not None
        return s.EvidenceSlotOut(
            evidence=evidence_out(slot.evidence, activity),
            upload=_upload_out(ctx, slot.upload),
        )

    return await idempotent(ctx, work, fingerprint_of=data)


@post(
    "/evidence/{evidence_id:uuid}/confirm",
    summary="确认上传 Confirm an uploaded file",
    description=(
        "服务器读取已上传的对象并核验：存在、大小与声明一致、SHA-256 一致、按文件内容判断的类型"
        "被允许且与声明一致（改名为 photo.jpg 的程序会被拒绝）。通过后挂到活动上；照片的 EXIF "
        "拍摄时间和地点作为参考与活动对照显示，不作为条件。重复确认返回同一结果。核验失败时返回 "
        "422，材料保持待确认状态并记下原因（`last_error_code`），可重新上传后再确认。"
    ),
    tags=EVIDENCE,
    operation_id="confirmEvidence",
    status_code=200,
    responses=WRITE,
)
async def confirm_evidence(ctx: Ctx, evidence_id: uuid.UUID) -> s.EvidenceOut:
    async with ctx.uow() as uow:
        row = await svc.confirm(uow, ctx, _storage(ctx), evidence_id, caller=_caller(ctx))
        activity = await uow.session.get(Activity, (row.tenant_id, row.activity_id))
        assert activity is not None
        return evidence_out(row, activity)


@get(
    "/activities/{activity_id:uuid}/evidence",
    summary="活动的佐证材料 List an activity's evidence",
    description=(
        "已核验挂上的佐证材料，游标分页。`include_pending=true` 时一并列出待确认的："
        "有上传权限者看到全部，其他人只看到自己的。"
    ),
    tags=EVIDENCE,
    operation_id="listEvidence",
    responses={**LIST, **errors(404)},
)
async def list_evidence(
    ctx: Ctx,
    activity_id: uuid.UUID,
    limit: Limit = 50,
    cursor: Cursor = None,
    kind: s.KindName | None = None,
    include_pending: Annotated[
        bool, Parameter(description="包括待确认的 Include pending uploads")
    ] = False,
) -> Page[s.EvidenceOut]:
    async with ctx.uow() as uow:
        activity, rows = await svc.list_evidence(
            uow,
            ctx,
            activity_id,
            caller=_caller(ctx),
            limit=limit,
            cursor=decode_cursor(cursor),
            kind=kind,
            include_pending=include_pending,
        )
    return page_of([evidence_out(r, activity) for r in rows], limit, lambda e: e.id)


@get(
    "/evidence/{evidence_id:uuid}",
    summary="佐证材料详情 Get evidence",
    description=(
        "元数据；已挂上的材料另附限时下载链接（10 分钟有效）。存储中的文件与核验时不一致时"
        "返回 409 `evidence_object_changed`，不提供下载。"
    ),
    tags=EVIDENCE,
    operation_id="getEvidence",
    responses={**READ, **errors(409)},
)
async def get_evidence(ctx: Ctx, evidence_id: uuid.UUID) -> s.EvidenceOut:
    async with ctx.uow() as uow:
        row, activity, download = await svc.read(
            uow, ctx, _storage(ctx), evidence_id, caller=_caller(ctx)
        )
    return evidence_out(
        row,
        activity,
        None
        if download is None
        else s.DownloadOut(url=_absolute(ctx, download.url), expires_at=download.expires_at),
    )


@delete(
    "/evidence/{evidence_id:uuid}",
    summary="删除佐证材料 Delete evidence",
    description=(
        "需要 evidence:delete 权限（上传者可撤回自己尚未确认的）。记录保留并标为已删除，"
        "留有审计记录；文件内容从存储中删除。"
    ),
    tags=EVIDENCE,
    operation_id="deleteEvidence",
    responses=errors(400, 401, 403, 404),
)
async def delete_evidence(ctx: Ctx, evidence_id: uuid.UUID) -> None:
    async with ctx.uow() as uow:
        row = await svc.delete(uow, ctx, evidence_id, caller=_caller(ctx))
    await svc.remove_object(_storage(ctx), row.object_key)


ROUTES = [request_upload, confirm_evidence, list_evidence, get_evidence, delete_evidence]
