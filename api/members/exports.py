"""Member export endpoint (党员名册导出): `GET /members/export` streams the caller's visible
roll as CSV or xlsx, in the columns the import reads."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal
from urllib.parse import quote
from zoneinfo import ZoneInfo

from litestar import get
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import Parameter, QueryParameter
from litestar.response import Stream

from api.context import Ctx
from api.deps import Db, Protector
from api.openapi_common import errors
from infra.db.session import Scope
from infra.members.exporting import MEDIA_TYPES, plan_export, stream_csv, stream_xlsx

MEMBERS = ["Members"]
SHANGHAI = ZoneInfo("Asia/Shanghai")


@get(
    "/members/export",
    summary="导出党员名册 Export members",
    description=(
        "以与导入相同的中文列导出调用者可见范围内的党员（可再导入）。身份证号、手机号默认脱敏，"
        "有 member:read_sensitive 权限者导出全文，并按次记入审计日志（含行数）。"
        "以流式响应输出：CSV 为带 BOM 的 UTF-8，xlsx 为 Excel 工作簿。需要 member:export 权限。"
    ),
    tags=MEMBERS,
    operation_id="exportMembers",
    responses={
        200: ResponseSpec(
            data_container=bytes,
            description="党员名册文件 The roll as a file",
            media_type=MEDIA_TYPES["xlsx"],
            generate_examples=False,
        ),
        **errors(400, 401, 403, 404),
    },
)
async def export_members(
    ctx: Ctx,
    db: Db,
    protector: Protector,
    export_format: Annotated[
        Literal["xlsx", "csv"], QueryParameter(name="format", description="文件格式 File format")
    ] = "xlsx",
    organization_id: Annotated[
        uuid.UUID | None,
        Parameter(description="只导出该党组织（默认含下级） Only this organization"),
    ] = None,
    include_descendants: Annotated[
        bool, Parameter(description="包含下级党组织 Include child organizations")
    ] = True,
    status: Annotated[
        Literal["probationary", "full", "suspended", "removed"] | None,
        Parameter(description="党员状态 Member status"),
    ] = None,
) -> Stream:
    p = ctx.principal

    def require(domain: str | None) -> None:
        ctx.require("member", "export", domain)

    def sensitive(domain: str | None) -> bool:
        return ctx.can("member", "read_sensitive", domain)

    plan = await plan_export(
        db,
        Scope(p.tenant_path, p.user_id),
        organization_id=organization_id,
        include_descendants=include_descendants,
        status=status,
        export_format=export_format,
        actor=ctx.actor(),
        require=require,
        may_read_sensitive=sensitive,
    )
    stamp = datetime.now(SHANGHAI).strftime("%Y%m%d")
    name = f"党员名册-{stamp}.{export_format}"
    body = stream_csv if export_format == "csv" else stream_xlsx
    return Stream(
        body(db, plan, protector),
        media_type=MEDIA_TYPES[export_format],
        headers={
            "Content-Disposition": f'attachment; filename="members-{stamp}.{export_format}"; '
            f"filename*=UTF-8''{quote(name)}",
            "X-Row-Count": str(plan.rows),
        },
    )


ROUTES = [export_members]
