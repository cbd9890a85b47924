"""Background jobs on PostgreSQL: enqueue in the caller's transaction, run in any worker.

Each API worker runs a `JobRunner` loop. A job is claimed with SKIP LOCKED through a
SECURITY DEFINER function, then executed in the creating user's tenant scope, so a job
sees exactly what its creator could see. Progress is written in short transactions of
its own, so `GET /jobs/{id}` shows it while the job's work is still uncommitted.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, text, update

from domain.shared import DomainError, new_id
from infra.db.session import Actor, Database, Scope, UnitOfWork
from infra.platform.tables import Job

log = logging.getLogger(__name__)
STALE_AFTER = timedelta(minutes=5)


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
                .where(Job.tenant_id == self.tenant_id, Job.id == self.job_id)  # type: ignore[arg-type]
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
    return job


class JobRunner:
    def __init__(self, db: Database, *, poll_seconds: float = 1.0) -> None:
        self.db = db
        self.poll_seconds = poll_seconds
        self.handlers: dict[str, JobHandler] = {}
        self.wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def register(self, kind: str, handler: JobHandler) -> None:
        self.handlers[kind] = handler

    async def run_next(self) -> bool:
        """Claim and run one job; False when the queue is empty."""
        async with self.db.unit_of_work(None) as uow:
            row = (
                await uow.session.execute(
                    text(
                        "SELECT tenant_id, id, kind, created_by, tenant_path"
                        " FROM zhibu_claim_job(:stale)"
                    ),
                    {"stale": STALE_AFTER},
                )
            ).first()
        if row is None:
            return False
        tenant_id, job_id, kind, user_id, tenant_path = row
        scope = Scope(tenant_path, user_id)
        async with self.db.unit_of_work(scope) as uow:
            job = await uow.session.get(Job, (tenant_id, job_id))
            assert job is not None
            params, payload = job.params, job.input
        ctx = JobContext(self.db, tenant_id, job_id, user_id, tenant_path, params, payload)
        status, result, error = "succeeded", None, None
        handler = self.handlers.get(kind)
        try:
            if handler is None:
                raise RuntimeError(f"no handler for job kind {kind!r}")
            result = await handler(ctx)
        except DomainError as exc:
            status = "failed"
            error = {"code": exc.code, "message": exc.message.zh, "message_en": exc.message.en}
        except Exception:
            log.exception("job %s (%s) failed", job_id, kind)
            status = "failed"
            error = {"code": "internal_error", "message": "任务执行出错。", "message_en": "failed"}
        async with self.db.unit_of_work(scope) as uow:
            await uow.session.execute(
                update(Job)
                .where(Job.tenant_id == tenant_id, Job.id == job_id)  # type: ignore[arg-type]
                .values(
                    status=status,
                    result=result,
                    error=error,
                    finished_at=datetime.now(UTC),
                    input=None,
                )
            )
        return True

    async def _loop(self) -> None:
        while True:
            try:
                while await self.run_next():
                    pass
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("job runner error")
            self.wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), self.poll_seconds)

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


class Periodic:
    """Housekeeping that every API worker runs on a timer, e.g. clearing abandoned uploads.

    The work must tolerate running on several workers at once (claim rows with SKIP
    LOCKED); a failure is logged and the next period tries again.
    """

    def __init__(self, name: str, seconds: float, work: Callable[[], Awaitable[object]]) -> None:
        self.name = name
        self.seconds = seconds
        self.work = work
        self._task: asyncio.Task[None] | None = None

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self.seconds)
            try:
                await self.work()
            except Exception:
                log.exception("%s failed; trying again in %s s", self.name, self.seconds)

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


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
) -> list[Job]:
    """Newest first; `limit + 1` rows so the caller knows whether more exist."""
    stmt = select(Job)
    if created_by is not None:
        stmt = stmt.where(Job.created_by == created_by)  # type: ignore[arg-type]
    if kind:
        stmt = stmt.where(Job.kind == kind)  # type: ignore[arg-type]
    if before:
        stmt = stmt.where(Job.id < before)  # type: ignore[arg-type,operator]
    stmt = stmt.order_by(Job.id.desc()).limit(limit + 1)  # type: ignore[attr-defined]
    return list((await uow.session.execute(stmt)).scalars())
