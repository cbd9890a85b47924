"""Member import (党员信息批量导入): the one use case the endpoint, its job and the CLI call.

`import_sheet` runs an import in the caller's unit of work and returns its report;
`queue_import` checks what can be checked before a large file is read in full and queues it
as a "members.import" job, whose handler (`run_import_job`) calls `import_sheet` again in
the creator's scope. Who imports and where they may is an `Importer`, so the three callers
differ only in how they say it; the default organization is checked once, in
`domain.members.default_organization`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from domain.members import OrgAccess, default_organization, import_headers, map_headers
from domain.members.messages import MESSAGES
from domain.shared import DomainError
from infra.db.session import UnitOfWork
from infra.members.import_files import Table, read_table
from infra.members.import_report import ImportActor, ImportOptions, ImportReport, Progress
from infra.members.import_rows import run_import
from infra.members.import_targets import load_org_access
from infra.members.sheets import SheetLimits
from infra.offload import offload
from infra.platform.job_reports import save_rows
from infra.platform.jobs import JobContext, enqueue
from infra.platform.tables import Job
from infra.protection import FieldProtector

JOB_KIND = "members.import"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def today() -> date:
    """The day an import's dates are checked against (Asia/Shanghai)."""
    return datetime.now(SHANGHAI).date()


@dataclass(frozen=True, slots=True)
class Importer:
    """Who imports, and where: `may_import(domain)` for a caller whose rights are checked
    now, `importable` organization ids for a job (checked when it was queued), neither for
    the operator's CLI (everything visible in the tenant's scope)."""

    actor: ImportActor
    may_import: Callable[[str], bool] | None = None
    importable: tuple[uuid.UUID, ...] | None = None

    async def access(self, uow: UnitOfWork) -> OrgAccess:
        return await load_org_access(
            uow,
            self.may_import,
            home_tenant_id=self.actor.tenant_id,
            only_importable=self.importable,
        )


async def import_sheet(
    uow: UnitOfWork,
    table: Table,
    importer: Importer,
    protector: FieldProtector,
    options: ImportOptions,
    *,
    progress: Progress | None = None,
) -> ImportReport:
    """Import a sheet: plan every row, and unless it is a dry run (or refused as a whole),
    write it in `uow`."""
    access = await importer.access(uow)
    return await run_import(
        uow, table, access, protector, options, importer.actor, today=today(), progress=progress
    )


async def queue_import(
    uow: UnitOfWork,
    head: Table,
    content: bytes,
    importer: Importer,
    options: ImportOptions,
    *,
    file_format: str,
    rows: int,
    lang: str,
) -> Job:
    """Queue a large file as a job, after the checks its first rows allow: the headers, and
    the default organization. The job keeps the ids it may import into, not the rights."""
    if importer.actor.user_id is None:
        raise ValueError("a queued import belongs to a user")
    map_headers(import_headers(head.headers, options.default_organization is not None))
    access = await importer.access(uow)
    default = default_organization(access, options.default_organization)
    return await enqueue(
        uow,
        tenant_id=importer.actor.tenant_id,
        created_by=importer.actor.user_id,
        kind=JOB_KIND,
        params={
            "filename": options.filename,
            "format": file_format,
            "mode": options.mode,
            "dry_run": options.dry_run,
            "organization_id": str(default.id) if default else None,
            "importable": [str(i) for i in sorted(access.importable)],
            "lang": lang,
            "actor_name": importer.actor.name,
        },
        input=content,
        total=rows,
    )


async def run_import_job(
    job: JobContext, protector: FieldProtector, limits: SheetLimits
) -> dict[str, Any]:
    """The "members.import" job: the queued file imported in the creator's scope; its row
    report saved with the job, its summary the job's result."""
    params = job.params
    if job.input is None:
        raise DomainError("import_input_missing", MESSAGES.message("members.import_input_missing"))
    table = await offload(read_table, job.input, params.get("filename"), None, limits)
    await job.progress(0, len(table.rows))
    organization = params.get("organization_id")
    options = ImportOptions(
        mode=params.get("mode", "all"),
        dry_run=bool(params.get("dry_run")),
        default_organization=uuid.UUID(organization) if organization else None,
        filename=params.get("filename"),
    )
    importer = Importer(
        ImportActor(job.user_id, params.get("actor_name"), job.tenant_id),
        importable=tuple(uuid.UUID(i) for i in params.get("importable", [])),
    )
    async with job.unit_of_work() as uow:
        report = await import_sheet(uow, table, importer, protector, options, progress=job.progress)
        rows = report.report_rows()
        await save_rows(uow, job.tenant_id, job.job_id, rows)
    return {**report.summary(), "report_rows": len(rows)}
