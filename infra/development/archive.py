"""The file's archive for step 25 (材料归档): one zip, made as a durable job.

The zip (`archive_zip`) holds `档案.pdf`, `scans/` and `manifest.json`. It is stored under
the job's id, and a link to it is handed out to whoever may read the applicant. The job
belongs to the tenant of whoever queued it (its creator is keyed there); the archive is a
row of the file's tenant, which its job keeps up to date, so a province administrator's
archive of a county's file is the county's to see, and a sibling county sees nothing of it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from domain.shared import DomainError, Guard, not_found
from domain.shared.retries import RetryPolicy
from infra.db.session import UnitOfWork
from infra.development.applicants import read_applicant
from infra.development.archive_zip import make_zip
from infra.development.tables import ApplicantArchive
from infra.platform.jobs import JobContext, enqueue, find_job
from infra.storage import ObjectStorage

JOB_KIND = "development.archive"
# Every attempt starts afresh in a temporary directory and replaces the stored zip.
RETRIES = RetryPolicy(max_attempts=3, base_seconds=10, cap_seconds=300)
LINK_TTL = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class ArchiveLink:
    """An archive as the caller sees it, with a download link only when one was asked for."""

    archive: ApplicantArchive
    status: str
    url: str | None
    expires_at: datetime | None


async def queue_archive(
    uow: UnitOfWork,
    guard: Guard,
    applicant_id: uuid.UUID,
    *,
    created_by: uuid.UUID,
    home_tenant_id: uuid.UUID,
) -> ApplicantArchive:
    """Queue the archive of one file (applicant:write in the branch): the job in the
    caller's tenant, the archive in the file's."""
    record = await read_applicant(uow, guard, applicant_id)
    guard.require("applicant", "write", record.organization.domain)
    job = await enqueue(
        uow,
        tenant_id=home_tenant_id,
        created_by=created_by,
        kind=JOB_KIND,
        params={"applicant_id": str(applicant_id), "tenant_id": str(record.applicant.tenant_id)},
    )
    archive = ApplicantArchive(
        tenant_id=record.applicant.tenant_id,
        id=job.id,
        applicant_id=applicant_id,
        created_by=created_by,
    )
    uow.session.add(archive)
    await uow.session.flush()
    uow.audit(
        "applicant.archive",
        "applicant",
        applicant_id,
        tenant_id=record.applicant.tenant_id,
        detail={"job_id": str(job.id)},
    )
    return archive


async def list_archives(
    uow: UnitOfWork,
    guard: Guard,
    applicant_id: uuid.UUID,
    *,
    before: uuid.UUID | None,
    limit: int,
) -> list[ArchiveLink]:
    """The file's archives, newest first (applicant:read in the branch), limit + 1 rows."""
    record = await read_applicant(uow, guard, applicant_id)
    stmt = select(ApplicantArchive).where(
        ApplicantArchive.tenant_id == record.applicant.tenant_id,  # type: ignore[arg-type]
        ApplicantArchive.applicant_id == applicant_id,  # type: ignore[arg-type]
    )
    if before is not None:
        stmt = stmt.where(ApplicantArchive.id < before)  # type: ignore[arg-type,operator]
    stmt = stmt.order_by(ApplicantArchive.id.desc()).limit(limit + 1)  # type: ignore[attr-defined]
    rows = list((await uow.session.execute(stmt)).scalars())
    return [ArchiveLink(a, await _status(uow, a), None, None) for a in rows]


async def archive_link(
    uow: UnitOfWork,
    guard: Guard,
    storage: ObjectStorage,
    applicant_id: uuid.UUID,
    archive_id: uuid.UUID,
) -> ArchiveLink:
    """An archive of this file, with a short-lived link once the zip is made
    (applicant:read in the branch; each link handed out is audited)."""
    record = await read_applicant(uow, guard, applicant_id)
    archive = await uow.session.get(ApplicantArchive, (record.applicant.tenant_id, archive_id))
    if archive is None or archive.applicant_id != applicant_id:
        raise not_found("archive")
    status = await _status(uow, archive)
    if status != "succeeded" or not archive.result:
        return ArchiveLink(archive, status, None, None)
    expires_at = datetime.now(UTC) + LINK_TTL
    url = await storage.presign_get(
        archive.result["key"], expires=LINK_TTL, download_name=archive.result["filename"]
    )
    uow.audit(
        "applicant.archive_download",
        "applicant",
        applicant_id,
        tenant_id=record.applicant.tenant_id,
        detail={"job_id": str(archive.id)},
    )
    return ArchiveLink(archive, status, url, expires_at)


async def _status(uow: UnitOfWork, archive: ApplicantArchive) -> str:
    """An unfinished archive's status as its job stands, where the caller sees the job: a
    job an administrator cancelled, or one whose workers died every time, never reports."""
    if archive.status in ("succeeded", "failed"):
        return archive.status
    job = await find_job(uow, archive.id, created_by=None)
    if job is not None and job.status in ("failed", "cancelled"):
        return job.status
    return archive.status


class _Report:
    """Tells the file's archive (in the file's tenant) what the job tells its own row."""

    def __init__(self, job: JobContext) -> None:
        self.job = job
        tenant = job.params.get("tenant_id")  # absent from jobs queued before 0056
        self.tenant_id = uuid.UUID(tenant) if tenant else None

    async def _write(self, **values: Any) -> None:
        if self.tenant_id is None:
            return
        async with self.job.db.unit_of_work(self.job.scope) as uow:
            await uow.session.execute(
                update(ApplicantArchive)
                .where(
                    ApplicantArchive.tenant_id == self.tenant_id,  # type: ignore[arg-type]
                    ApplicantArchive.id == self.job.job_id,  # type: ignore[arg-type]
                )
                .values(**values)
            )

    async def progress(self, done: int, total: int | None = None) -> None:
        await self.job.progress(done, total)
        # An attempt starts with its total: a retried archive is unfinished again.
        extra = {} if total is None else {"progress_total": total, "finished_at": None}
        await self._write(status="running", progress_done=done, **extra)

    async def finish(self, status: str, result: dict[str, Any] | None = None) -> None:
        await self._write(status=status, result=result, finished_at=datetime.now(UTC))


async def run_archive_job(job: JobContext, storage: ObjectStorage) -> dict[str, Any]:
    """Make the zip; the archive learns how it went, a failure once it is the last."""
    report = _Report(job)
    try:
        result = await make_zip(job, storage, report)
    except DomainError:
        await report.finish("failed")
        raise
    except Exception:
        if job.attempt >= RETRIES.max_attempts:
            await report.finish("failed")
        raise
    await report.finish("succeeded", result)
    return result
