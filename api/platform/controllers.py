"""Job progress endpoints: long imports and batch runs report here."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import get
from litestar.openapi.spec import Example
from litestar.params import Parameter

from api.context import Ctx
from api.openapi_common import LIST, READ
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
) -> Page[JobOut]:
    mine_only = None if ctx.can("job", "read") else ctx.principal.user_id
    async with ctx.uow() as uow:
        rows = await jobs.list_jobs(
            uow, limit=limit, before=decode_cursor(cursor), kind=kind, created_by=mine_only
        )
    return page_of([job_out(r) for r in rows], limit, lambda j: j.id)


ROUTES = [get_job, list_jobs]
