"""Background jobs on PostgreSQL: enqueue in the caller's transaction, run in any worker.

A job row is tenant data (RLS): its parameters carry ids, its result the report, and
its creator's scope is the one it runs in, so a job sees exactly what its creator could.
Progress is written in short transactions of its own, so `GET /jobs/{id}` shows it while
the job's work is still uncommitted. Running them is `infra.platform.runner`'s part.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text, update

from domain.shared import DomainError, ErrorKind, new_id
from infra.db.session import Actor, Database, Scope, UnitOfWork
from infra.messages import MESSAGES
from infra.platform.tables import Job

CHANNEL = "zhibu_jobs"


@dataclass
class JobContext:
    """What a job handler gets: its parameters, its input and a way to report progress."""

    db: Database
    tenant_id: uuid.UUID
    job_id: uuid.UUID
    user_id: uuid.UUID
    tenant_path: str
    params: dict[str, Any]
    input: bytes | None
    attempt: int

    @property
    def scope(self) -> Scope:
        return Scope(self.tenant_path, self.user_id)

    @property
    def actor(self) -> Actor:
        return Actor(self.user_id, None, self.tenant_id, None, f"job:{self.job_id}")

    def unit_of_work(self) -> contextlib.AbstractAsyncContextManager[UnitOfWork]:
        return self.db.unit_of_work(self.scope, self.actor)

    async def progress(self, done: int, total: int | None = None) -> None:
        async with self.db.unit_of_work(self.scope) as uow:
            values: dict[str, Any] = {"progress_done": done, "heartbeat_at": datetime.now(UTC)}
            if total is not None:
                values["progress_total"] = total
            await uow.session.execute(
                update(Job)
                .where(
                    Job.tenant_id == self.tenant_id,  # type: ignore[arg-type]
                    Job.id == self.job_id,  # type: ignore[arg-type]
                    Job.attempts == self.attempt,  # type: ignore[arg-type]
                    Job.status == "running",  # type: ignore[arg-type]
                )
                .values(**values)
            )


JobHandler = Callable[[JobContext], Awaitable[dict[str, Any]]]


async def enqueue(
    uow: UnitOfWork,
    *,
    tenant_id: uuid.UUID,
    created_by: uuid.UUID,
    kind: str,
    params: dict[str, Any],
    input: bytes | None = None,
    total: int | None = None,
) -> Job:
    job = Job(
        tenant_id=tenant_id,
        id=new_id(),
        kind=kind,
        created_by=created_by,
        params=params,
        input=input,
        progress_total=total,
    )
    uow.session.add(job)
    await uow.session.flush()
    uow.audit("job.enqueue", "job", job.id, tenant_id=tenant_id, detail={"kind": kind})
    await notify(uow, kind)
    return job


async def notify(uow: UnitOfWork, kind: str) -> None:
    """Wake every worker's runner once this transaction commits (nothing if it rolls back)."""
    await uow.session.execute(
        text("SELECT pg_notify(:channel, :kind)"), {"channel": CHANNEL, "kind": kind}
    )


async def find_job(
    uow: UnitOfWork, job_id: uuid.UUID, *, created_by: uuid.UUID | None
) -> Job | None:
    """A visible job; with `created_by`, only if that user created it."""
    stmt = select(Job).where(Job.id == job_id)  # type: ignore[arg-type]
    if created_by is not None:
        stmt = stmt.where(Job.created_by == created_by)  # type: ignore[arg-type]
    return (await uow.session.execute(stmt)).scalar_one_or_none()


async def list_jobs(
    uow: UnitOfWork,
    *,
    limit: int,
    before: uuid.UUID | None,
    kind: str | None,
    created_by: uuid.UUID | None,
    status: str | None = None,
) -> list[Job]:
    """Newest first; `limit + 1` rows so the caller knows whether more exist."""
    stmt = select(Job)
    if created_by is not None:
        stmt = stmt.where(Job.created_by == created_by)  # type: ignore[arg-type]
    if kind:
        stmt = stmt.where(Job.kind == kind)  # type: ignore[arg-type]
    if status:
        stmt = stmt.where(Job.status == status)  # type: ignore[arg-type]
    if before:
        stmt = stmt.where(Job.id < before)  # type: ignore[arg-type,operator]
    stmt = stmt.order_by(Job.id.desc()).limit(limit + 1)  # type: ignore[attr-defined]
    return list((await uow.session.execute(stmt)).scalars())


def _conflict(job: Job, key: str) -> DomainError:
    return MESSAGES.error(key, ErrorKind.CONFLICT, code="job_state_conflict", state=job.status)


async def retry_job(uow: UnitOfWork, job: Job) -> Job:
    """An admin runs a failed job again, with a fresh attempt budget."""
    if job.status != "failed":
        raise _conflict(job, "job_retry_refused")
    job.status, job.attempts, job.run_after = "queued", 0, datetime.now(UTC)
    job.progress_done, job.lease_until, job.finished_at = 0, None, None
    uow.session.add(job)
    await uow.session.flush()
    uow.audit("job.retry", "job", job.id, tenant_id=job.tenant_id, detail={"kind": job.kind})
    await notify(uow, job.kind)
    return job


async def cancel_job(uow: UnitOfWork, job: Job) -> Job:
    """An admin stops a job: queued ones never run, a running one is stopped by its
    runner's next heartbeat, a failed one is not retried; its input is dropped."""
    if job.status not in ("queued", "running", "failed"):
        raise _conflict(job, "job_cancel_refused")
    job.status, job.input, job.lease_until = "cancelled", None, None
    job.finished_at = datetime.now(UTC)
    uow.session.add(job)
    await uow.session.flush()
    uow.audit("job.cancel", "job", job.id, tenant_id=job.tenant_id, detail={"kind": job.kind})
    return job
