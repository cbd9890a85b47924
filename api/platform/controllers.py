"""Job progress endpoints: long imports and batch runs report here."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec
from litestar import get, post
from litestar.openapi.spec import Example
from litestar.params import Parameter

from api.context import Ctx
from api.openapi_common import LIST, READ, WRITE
from api.pagination import Cursor, Limit, Page, decode_cursor, page_of
from infra.platform import jobs
from infra.platform.tables import Job
from infra.tenancy.service import not_found

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
            before=decode_cursor(cursor),
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


ROUTES = [get_job, list_jobs, retry_job, cancel_job]
