"""Job progress endpoints: long imports and batch runs report here."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec
from litestar import Response, get, post
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Example
from litestar.params import Parameter, QueryParameter
from msgspec import Meta

from api.context import Ctx
from api.openapi_common import LIST, READ, WRITE, errors
from api.pagination import Cursor, Limit, Page, page_of
from api.pagination import decode_cursor as decode_id_cursor
from domain.shared import decode_cursor, encode_cursor, invalid_cursor, not_found
from infra.offload import offload
from infra.platform import job_reports, jobs
from infra.platform.tables import Job

JOBS = ["Jobs"]


class JobOut(msgspec.Struct):
    """后台任务 A background job and its progress."""

    id: uuid.UUID
    tenant_id: uuid.UUID
    kind: str
    status: str
    progress_done: int
    progress_total: int | None
    percent: float | None
    result: dict[str, Any] | None
    error: dict[str, Any] | None
    # Runs so far, the current one included; a queued retry runs no earlier than run_after.
    attempts: int
    run_after: datetime
    created_by: uuid.UUID
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


def job_out(job: Job) -> JobOut:
    percent = round(100 * job.progress_done / job.progress_total, 1) if job.progress_total else None
    if job.status == "succeeded":
        percent = 100.0
    return JobOut(
        id=job.id,
        tenant_id=job.tenant_id,
        kind=job.kind,
        status=job.status,
        progress_done=job.progress_done,
        progress_total=job.progress_total,
        percent=percent,
        result=job.result,
        error=job.error,
        attempts=job.attempts,
        run_after=job.run_after,
        created_by=job.created_by,
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
    )


@get(
    "/jobs/{job_id:uuid}",
    summary="任务进度 Get a job",
    description="后台任务的状态、进度和结果（如导入报告）。",
    tags=JOBS,
    operation_id="getJob",
    responses=READ,
)
async def get_job(ctx: Ctx, job_id: uuid.UUID) -> JobOut:
    mine_only = None if ctx.can("job", "read") else ctx.principal.user_id
    async with ctx.uow() as uow:
        job = await jobs.find_job(uow, job_id, created_by=mine_only)
        if job is None:
            raise not_found("job")
        return job_out(job)


@get(
    "/jobs",
    summary="任务列表 List jobs",
    description="本人创建的后台任务（有 job:read 权限者可见本子树全部），新任务在前。",
    tags=JOBS,
    operation_id="listJobs",
    responses=LIST,
)
async def list_jobs(
    ctx: Ctx,
    limit: Limit = 50,
    cursor: Cursor = None,
    kind: Annotated[
        str | None, Parameter(max_length=64, examples=[Example(value="member_import")])
    ] = None,
    status: Annotated[
        Literal["queued", "running", "succeeded", "failed", "cancelled"] | None,
        Parameter(description="任务状态 Job status"),
    ] = None,
) -> Page[JobOut]:
    mine_only = None if ctx.can("job", "read") else ctx.principal.user_id
    async with ctx.uow() as uow:
        rows = await jobs.list_jobs(
            uow,
            limit=limit,
            before=decode_id_cursor(cursor),
            kind=kind,
            created_by=mine_only,
            status=status,
        )
    return page_of([job_out(r) for r in rows], limit, lambda j: j.id)


@post(
    "/jobs/{job_id:uuid}/retry",
    summary="重试任务 Retry a failed job",
    description="将失败的任务重新排队，重试次数重新计算。需要 job:retry 权限；记入审计日志。",
    tags=JOBS,
    operation_id="retryJob",
    responses=WRITE,
    status_code=200,
)
async def retry_job(ctx: Ctx, job_id: uuid.UUID) -> JobOut:
    ctx.require("job", "retry")
    async with ctx.uow() as uow:
        job = await jobs.find_job(uow, job_id, created_by=None)
        if job is None:
            raise not_found("job")
        return job_out(await jobs.retry_job(uow, job))


@post(
    "/jobs/{job_id:uuid}/cancel",
    summary="取消任务 Cancel a job",
    description=(
        "取消排队、运行中或失败的任务：排队的不再运行，运行中的在下一次心跳时停止，"
        "失败的不再重试；任务输入随之删除。需要 job:cancel 权限；记入审计日志。"
    ),
    tags=JOBS,
    operation_id="cancelJob",
    responses=WRITE,
    status_code=200,
)
async def cancel_job(ctx: Ctx, job_id: uuid.UUID) -> JobOut:
    ctx.require("job", "cancel")
    async with ctx.uow() as uow:
        job = await jobs.find_job(uow, job_id, created_by=None)
        if job is None:
            raise not_found("job")
        return job_out(await jobs.cancel_job(uow, job))


class ReportErrorOut(msgspec.Struct):
    field: str
    code: str
    message: str


class ReportRowOut(msgspec.Struct):
    """任务逐行报告的一行 One sheet row of a job's report, with every reason."""

    row: Annotated[int, Meta(description="表格中的行号 Row number as the sheet shows it")]
    action: Annotated[str, Meta(description="create / update / unchanged / refused")]
    name: str | None
    organization: str | None
    errors: list[ReportErrorOut]


_MAX_ROW = 2**31 - 1
_REPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _row_cursor(cursor: str | None) -> int:
    """The sheet row the previous page ended at (0 before the first page)."""
    if not cursor:
        return 0
    after = decode_cursor(cursor).get("row")
    if type(after) is not int or not 0 <= after <= _MAX_ROW:
        raise invalid_cursor()
    return after


async def _visible_job(ctx: Ctx, job_id: uuid.UUID) -> Job:
    mine_only = None if ctx.can("job", "read") else ctx.principal.user_id
    async with ctx.uow() as uow:
        job = await jobs.find_job(uow, job_id, created_by=mine_only)
    if job is None:
        raise not_found("job")
    return job


@get(
    "/jobs/{job_id:uuid}/report",
    summary="任务逐行报告 A job's row report",
    description="按表格行号顺序分页列出任务的逐行结果（导入：被拒绝的行及全部原因，试导入时为"
    "每一行）。",
    tags=JOBS,
    operation_id="listJobReportRows",
    responses=READ,
)
async def job_report(
    ctx: Ctx, job_id: uuid.UUID, limit: Limit = 200, cursor: Cursor = None
) -> Page[ReportRowOut]:
    after = _row_cursor(cursor)
    job = await _visible_job(ctx, job_id)
    async with ctx.uow() as uow:
        rows = await job_reports.page_rows(uow, job.tenant_id, job.id, after=after, limit=limit)
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor(row=rows[-1].row_number)
    items = [
        ReportRowOut(
            row=r.row_number,
            action=r.action,
            name=r.name,
            organization=r.organization,
            errors=[ReportErrorOut(e.field, e.code, e.message.pick(ctx.lang)) for e in r.errors],
        )
        for r in rows
    ]
    return Page(items=items, next_cursor=next_cursor)


@get(
    "/jobs/{job_id:uuid}/report/export",
    summary="下载任务逐行报告 Download a job's row report",
    description="逐行报告的 xlsx 或 CSV（UTF-8 带 BOM）文件：每个原因一行，列为行号、姓名、"
    "结果、党组织、字段、代码、原因。",
    tags=JOBS,
    operation_id="exportJobReport",
    responses={
        200: ResponseSpec(
            data_container=bytes,
            description="逐行报告文件 The report as a file",
            media_type=_REPORT_TYPES["xlsx"],
            generate_examples=False,
        ),
        **errors(400, 401, 403, 404),
    },
)
async def export_job_report(
    ctx: Ctx,
    job_id: uuid.UUID,
    report_format: Annotated[
        Literal["xlsx", "csv"], QueryParameter(name="format", description="文件格式 File format")
    ] = "xlsx",
) -> Response[bytes]:
    job = await _visible_job(ctx, job_id)
    async with ctx.uow() as uow:
        rows = await job_reports.all_rows(uow, job.tenant_id, job.id)
    render = job_reports.render_csv if report_format == "csv" else job_reports.render_xlsx
    body = await offload(render, rows, ctx.lang)
    return Response(
        body,
        media_type=_REPORT_TYPES[report_format],
        headers={
            "Content-Disposition": f'attachment; filename="job-{job.id}-report.{report_format}"'
        },
    )


ROUTES = [get_job, list_jobs, retry_job, cancel_job, job_report, export_job_report]
