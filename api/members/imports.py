"""Member import endpoint (党员信息导入): Excel or CSV sheets into the registry.

`POST /members/import` answers small files at once with the import report and hands larger
ones to a background job ("members.import") whose result is the same report; both run the
one use case `infra.members.imports`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, cast

import msgspec
from litestar import Request, Response, post
from litestar.connection import ASGIConnection
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.handlers import BaseRouteHandler
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import Body
from msgspec import Meta

from api.context import Ctx
from api.deps import AppSettings, Protector, provide_ctx
from api.openapi_common import errors
from api.platform import JobOut, job_out
from api.times import ApiResponse
from infra.members import (
    ImportActor,
    Importer,
    ImportOptions,
    count_data_rows,
    file_kind,
    import_sheet,
    queue_import,
    read_table,
    sheet_limits,
)
from infra.offload import offload

MEMBERS = ["Members"]
SYNC_ROW_LIMIT = 2000
MAX_IMPORT_BYTES = 64 * 1024 * 1024


# ---------------------------------------------------------------- schemas


@dataclass
class ImportForm:
    """multipart/form-data 导入表单."""

    file: UploadFile = field(
        metadata={
            "description": "党员信息表 .xlsx 或 .csv（UTF-8 或 GBK）",
        }
    )
    organization_id: uuid.UUID | None = field(
        default=None,
        metadata={"description": "行中未填“所在党支部”时导入到的党组织 Default target"},
    )
    dry_run: bool = field(default=False, metadata={"description": "只校验不写入 Check only"})
    mode: Literal["all", "partial"] = field(
        default="all",
        metadata={
            "description": "all：任一行有误则全部不导入；partial：导入正确的行 "
            "All-or-nothing, or row by row"
        },
    )


class FieldProblemOut(msgspec.Struct):
    field: str
    code: str
    message: str


class RefusedRowOut(msgspec.Struct):
    """未导入的一行及全部原因 A refused row with every reason."""

    row: Annotated[int, Meta(description="表格中的行号 Row number as the sheet shows it")]
    name: str | None
    errors: list[FieldProblemOut]


class RowResultOut(msgspec.Struct):
    row: int
    action: Literal["create", "update", "unchanged", "refused"]
    name: str | None
    organization: str | None


class ImportReportOut(msgspec.Struct):
    """导入报告 The import report: counts and every refused row."""

    dry_run: bool
    mode: Literal["all", "partial"]
    committed: Annotated[
        bool, Meta(description="是否已写入；all 模式下有任一行被拒绝则不写入 Written or not")
    ]
    total: int
    created: Annotated[int, Meta(description="已新增 Rows written as new members")]
    updated: Annotated[int, Meta(description="已更新 Rows written as updates")]
    would_create: Annotated[
        int,
        Meta(description="未写入时（试导入或 all 模式有被拒绝的行）可新增的行数 Would create"),
    ]
    would_update: Annotated[
        int, Meta(description="未写入时可更新的行数 Rows that would update, nothing written")
    ]
    unchanged: int
    refused: int
    unknown_columns: list[str]
    refused_rows: list[RefusedRowOut]
    rows: Annotated[
        list[RowResultOut] | None, Meta(description="逐行结果，仅试导入时返回 Per row, dry run")
    ] = None


IMPORT_EXAMPLE = {
    "dry_run": False,
    "mode": "all",
    "committed": False,
    "total": 3,
    "created": 0,
    "updated": 0,
    "would_create": 2,
    "would_update": 0,
    "unchanged": 0,
    "refused": 1,
    "unknown_columns": [],
    "refused_rows": [
        {
            "row": 4,
            "name": "王五",
            "errors": [
                {
                    "field": "id_number",
                    "code": "id_number_checksum",
                    "message": "身份证号校验位错误",
                }
            ],
        }
    ],
}


# ---------------------------------------------------------------- import


async def may_import_somewhere(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    """Runs before the body is read: a caller holding member:import nowhere is refused
    at once (401 or 403), so that no upload of theirs is ever parsed."""
    ctx = await provide_ctx(cast(Request[Any, Any, Any], connection))
    if not ctx.scopes("member", "import"):
        ctx.require("member", "import")


@post(
    "/members/import",
    summary="导入党员 Import members",
    description=(
        "上传 .xlsx 或 .csv（UTF-8 含或不含 BOM，或 GBK）党员信息表，表头可用常见中文列名"
        "（姓名、性别、民族、出生日期、身份证号码、手机号、学历、入党时间、转正时间、所在党支部…）。"
        "`dry_run=true` 只报告每行将新增、更新还是拒绝及原因；正式导入时 `mode=all` 任一行有误则"
        "整个文件都不写入，`mode=partial` 写入正确的行。报告列出每一被拒绝的行、字段和原因。"
        f"不超过 {SYNC_ROW_LIMIT} 行的文件直接返回报告（200）；更大的文件转为后台任务（202），"
        "进度和汇总见 `GET /api/v1/jobs/{id}`，逐行报告（被拒绝的行，试导入时为每一行）分页见 "
        "`GET /api/v1/jobs/{id}/report`，下载见 `GET /api/v1/jobs/{id}/report/export`。"
        "需要目标党组织的 member:import 权限，"
        "无此权限者在上传内容被读取之前即被拒绝。超过行数、列数、单元格长度或解压后大小限制的"
        "文件（如压缩炸弹）以 413 `import_file_too_large` 拒绝。"
    ),
    tags=MEMBERS,
    operation_id="importMembers",
    status_code=200,
    request_max_body_size=MAX_IMPORT_BYTES,
    guards=[may_import_somewhere],
    responses={
        202: ResponseSpec(
            data_container=JobOut,
            description="大文件转为后台任务 A background job imports the large file",
        ),
        **errors(400, 401, 403, 404, 409, 413, 422),
    },
)
async def import_members(
    ctx: Ctx,
    app_settings: AppSettings,
    protector: Protector,
    data: Annotated[
        ImportForm,
        Body(
            media_type=RequestEncodingType.MULTI_PART,
        ),
    ],
) -> Response[ImportReportOut]:
    p = ctx.principal
    content = await data.file.read()
    filename = data.file.filename
    if data.organization_id is None:
        ctx.require("member", "import")
    limits = sheet_limits(app_settings)
    kind = file_kind(content, filename)
    rows = await offload(count_data_rows, content, filename, limits)
    options = ImportOptions(
        mode=data.mode,
        dry_run=data.dry_run,
        default_organization=data.organization_id,
        filename=filename,
    )
    importer = Importer(
        ImportActor(p.user_id, p.username, p.tenant_id),
        may_import=lambda domain: ctx.can("member", "import", domain),
    )
    if rows <= SYNC_ROW_LIMIT:
        table = await offload(read_table, content, filename, None, limits)
        async with ctx.uow() as uow:
            report = await import_sheet(uow, table, importer, protector, options)
        return ApiResponse(content=report.as_dict(ctx.lang), status_code=200)
    # A large file: check what can be checked now, then queue it.
    head = await offload(read_table, content, filename, 12, limits)
    async with ctx.uow() as uow:
        job = await queue_import(
            uow, head, content, importer, options, file_format=kind, rows=rows, lang=ctx.lang
        )
        body = job_out(job)
    return ApiResponse(content=body, status_code=202)  # type: ignore[arg-type]


ROUTES = [import_members]
