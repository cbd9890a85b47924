"""Member import and export endpoints (党员信息导入导出), and the import job.

`POST /members/import` answers small files at once with the import report and hands larger
ones to a background job ("members.import") whose result is the same report.
`GET /members/export` streams the caller's visible roll as CSV or xlsx.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any, Literal, cast
from urllib.parse import quote
from zoneinfo import ZoneInfo

import msgspec
from litestar import Request, Response, get, post
from litestar.connection import ASGIConnection
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.handlers import BaseRouteHandler
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import Body, Parameter, QueryParameter
from litestar.response import Stream
from msgspec import Meta

from api.context import Ctx, provide_ctx
from api.errors import ProblemError
from api.openapi_common import errors
from api.platform.controllers import JobOut, job_out
from api.times import ApiResponse
from domain.members import map_headers
from domain.shared import DomainError, Message
from infra.db.session import Scope
from infra.members.exporting import MEDIA_TYPES, plan_export, stream_csv, stream_xlsx
from infra.members.import_files import Table, count_data_rows, file_kind, read_table
from infra.members.import_job import JOB_KIND, sheet_limits, today
from infra.members.import_report import ImportActor, ImportOptions
from infra.members.import_rows import DEFAULT_ORG_HEADER, run_import
from infra.members.import_targets import load_org_access
from infra.members.protect import FieldProtector
from infra.members.sheets import SheetLimits
from infra.offload import offload
from infra.platform.jobs import enqueue
from infra.settings import Settings

MEMBERS = ["Members"]
SYNC_ROW_LIMIT = 2000
MAX_IMPORT_BYTES = 64 * 1024 * 1024
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _protector(settings: Settings) -> FieldProtector:
    return FieldProtector.from_settings(settings)


def _limits(settings: Settings) -> SheetLimits:
    return sheet_limits(settings)


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
    protector = _protector(ctx.settings)
    limits = _limits(ctx.settings)
    kind = file_kind(content, filename)
    rows = await offload(count_data_rows, content, filename, limits)
    options = ImportOptions(
        mode=data.mode,
        dry_run=data.dry_run,
        default_organization_id=data.organization_id,
        filename=filename,
    )
    actor = ImportActor(p.user_id, p.username, p.tenant_id)
    if rows <= SYNC_ROW_LIMIT:
        table = await offload(read_table, content, filename, None, limits)
        async with ctx.uow() as uow:
            access = await load_org_access(
                uow,
                lambda domain: ctx.can("member", "import", domain),
                home_tenant_id=p.tenant_id,
            )
            report = await run_import(uow, table, access, protector, options, actor, today=today())
        return ApiResponse(content=report.as_dict(ctx.lang), status_code=200)
    # A large file: check what can be checked now, then queue it.
    head = await offload(read_table, content, filename, 12, limits)
    _check_headers(head, data.organization_id is not None)
    async with ctx.uow() as uow:
        access = await load_org_access(
            uow, lambda domain: ctx.can("member", "import", domain), home_tenant_id=p.tenant_id
        )
        if data.organization_id is not None:
            if data.organization_id not in access.orgs:
                raise DomainError(
                    "organization_not_found",
                    Message("未找到该资源，或您无权查看。", "Not found, or not visible to you."),
                    status=404,
                )
            if data.organization_id not in access.importable:
                raise ProblemError(403, "forbidden")
        job = await enqueue(
            uow,
            tenant_id=p.tenant_id,
            created_by=p.user_id,
            kind=JOB_KIND,
            params={
                "filename": filename,
                "format": kind,
                "mode": data.mode,
                "dry_run": data.dry_run,
                "organization_id": str(data.organization_id) if data.organization_id else None,
                "importable": [str(i) for i in sorted(access.importable)],
                "lang": ctx.lang,
                "actor_name": p.username,
            },
            input=content,
            total=rows,
        )
        body = job_out(job)
    ctx.request.app.state.jobs.wake.set()
    return ApiResponse(content=body, status_code=202)  # type: ignore[arg-type]


def _check_headers(table: Table, has_default: bool) -> None:
    headers = list(table.headers)
    if has_default:
        headers.append(DEFAULT_ORG_HEADER)
        from domain.members import field_for_header

        if sum(1 for h in headers if h and field_for_header(h) == "organization_name") > 1:
            headers.pop()
    map_headers(headers)


# ---------------------------------------------------------------- export


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
    protector = _protector(ctx.settings)

    def require(domain: str | None) -> None:
        ctx.require("member", "export", domain)

    def sensitive(domain: str | None) -> bool:
        return ctx.can("member", "read_sensitive", domain)

    plan = await plan_export(
        ctx.db,
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
        body(ctx.db, plan, protector),
        media_type=MEDIA_TYPES[export_format],
        headers={
            "Content-Disposition": f'attachment; filename="members-{stamp}.{export_format}"; '
            f"filename*=UTF-8''{quote(name)}",
            "X-Row-Count": str(plan.rows),
        },
    )


ROUTES = [import_members, export_members]
