"""Evidence upload endpoints: ask for an upload slot, then confirm the uploaded file."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Response, post
from litestar.openapi.spec import Example
from litestar.params import HeaderParameter

from api.context import Ctx
from api.deps import Storage
from api.evidence import schemas as s
from api.evidence.presenters import EVIDENCE, caller_of, evidence_out, upload_out
from api.idempotency import idempotent
from api.openapi_common import WRITE
from infra.db.session import UnitOfWork
from infra.evidence import confirmation, uploads

IDEMPOTENCY_KEY = HeaderParameter(
    name="Idempotency-Key",
    required=False,
    max_length=200,
    description="重放同一请求返回第一次的结果 Replays return the first response",
    examples=[Example(value="3b1d7c2e-evidence-1")],
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
    storage: Storage,
    activity_id: uuid.UUID,
    data: s.EvidenceSlotIn,
    idempotency_key: Annotated[str | None, IDEMPOTENCY_KEY] = None,
) -> Response[s.EvidenceSlotOut]:
    async def work(uow: UnitOfWork) -> s.EvidenceSlotOut:
        slot = await uploads.request_slot(
            uow,
            ctx,
            storage,
            activity_id,
            caller=caller_of(ctx),
            kind=data.kind,
            filename=data.filename,
            content_type=data.content_type,
            size_bytes=data.size_bytes,
            sha256=data.sha256,
        )
        return s.EvidenceSlotOut(
            evidence=evidence_out(slot.evidence, slot.activity),
            upload=upload_out(ctx, slot.upload),
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
async def confirm_evidence(ctx: Ctx, storage: Storage, evidence_id: uuid.UUID) -> s.EvidenceOut:
    async with ctx.uow() as uow:
        row, activity = await confirmation.confirm(
            uow, ctx, storage, evidence_id, caller=caller_of(ctx)
        )
        return evidence_out(row, activity)


ROUTES = [request_upload, confirm_evidence]
