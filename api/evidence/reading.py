"""Evidence reading endpoints: an activity's list, one file with its download link."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import get
from litestar.params import Parameter

from api.context import Ctx
from api.deps import Storage
from api.evidence import schemas as s
from api.evidence.presenters import EVIDENCE, absolute, caller_of, evidence_out
from api.openapi_common import LIST, READ, errors
from api.pagination import Cursor, Limit, Page, decode_cursor, page_of
from infra.evidence import downloads, listing


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
        activity, rows = await listing.list_evidence(
            uow,
            ctx,
            activity_id,
            caller=caller_of(ctx),
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
async def get_evidence(ctx: Ctx, storage: Storage, evidence_id: uuid.UUID) -> s.EvidenceOut:
    async with ctx.uow() as uow:
        row, activity, download = await downloads.read(
            uow, ctx, storage, evidence_id, caller=caller_of(ctx)
        )
    return evidence_out(
        row,
        activity,
        None
        if download is None
        else s.DownloadOut(url=absolute(ctx, download.url), expires_at=download.expires_at),
    )


ROUTES = [list_evidence, get_evidence]
