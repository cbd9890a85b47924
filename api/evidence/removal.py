"""Evidence removal endpoint: the row is kept as deleted, the bytes go."""

from __future__ import annotations

import uuid

from litestar import delete

from api.context import Ctx
from api.deps import Storage
from api.evidence.presenters import EVIDENCE, caller_of
from api.openapi_common import errors
from infra.evidence import removal


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
async def delete_evidence(ctx: Ctx, storage: Storage, evidence_id: uuid.UUID) -> None:
    async with ctx.uow() as uow:
        row = await removal.delete(uow, ctx, evidence_id, caller=caller_of(ctx))
    await removal.remove_object(storage, row.object_key)


ROUTES = [delete_evidence]
