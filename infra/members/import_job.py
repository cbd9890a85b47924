"""The member import job ("members.import"), registered with the runner by this context.

The job's parameters carry ids and options; the uploaded file is the job's input, in the
RLS-protected job row. It runs the same import as the synchronous path, in the creator's
scope, reporting progress; its result is the import report.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from domain.shared import DomainError, Message
from domain.shared.retries import RetryPolicy
from infra.members.import_files import read_table
from infra.members.import_report import ImportActor, ImportOptions
from infra.members.import_rows import run_import
from infra.members.import_targets import load_org_access
from infra.members.protect import FieldProtector
from infra.members.sheets import MiB, SheetLimits
from infra.offload import offload
from infra.platform.job_reports import save_rows
from infra.platform.jobs import JobContext, JobHandler
from infra.platform.runner import JobRunner
from infra.settings import Settings

JOB_KIND = "members.import"
# An import writes in one transaction: a failed attempt left nothing behind, so it may rerun.
RETRIES = RetryPolicy(max_attempts=3, base_seconds=10, cap_seconds=300)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def today() -> date:
    return datetime.now(SHANGHAI).date()


def sheet_limits(settings: Settings) -> SheetLimits:
    return SheetLimits(
        max_rows=settings.import_max_rows,
        max_unpacked_bytes=settings.import_max_unpacked_mb * MiB,
    )


def import_job(protector: FieldProtector, limits: SheetLimits) -> JobHandler:
    """The handler, given the field protector it encrypts identity numbers with and the
    limits a file must keep to."""

    async def run(job: JobContext) -> dict[str, Any]:
        params = job.params
        if job.input is None:
            raise DomainError("import_input_missing", Message("导入文件已丢失", "The file is gone"))
        table = await offload(read_table, job.input, params.get("filename"), None, limits)
        await job.progress(0, len(table.rows))
        options = ImportOptions(
            mode=params.get("mode", "all"),
            dry_run=bool(params.get("dry_run")),
            default_organization_id=(
                uuid.UUID(params["organization_id"]) if params.get("organization_id") else None
            ),
            filename=params.get("filename"),
        )
        actor = ImportActor(job.user_id, params.get("actor_name"), job.tenant_id)
        async with job.unit_of_work() as uow:
            access = await load_org_access(
                uow,
                None,
                home_tenant_id=job.tenant_id,
                only_importable=[uuid.UUID(i) for i in params.get("importable", [])],
            )
            report = await run_import(
                uow,
                table,
                access,
                protector,
                options,
                actor,
                today=today(),
                progress=job.progress,
            )
            rows = report.report_rows()
            await save_rows(uow, job.tenant_id, job.job_id, rows)
        return {**report.summary(), "report_rows": len(rows)}

    return run


def register_jobs(runner: JobRunner, settings: Settings) -> None:
    protector = FieldProtector.from_settings(settings)
    runner.register(JOB_KIND, import_job(protector, sheet_limits(settings)), RETRIES)
