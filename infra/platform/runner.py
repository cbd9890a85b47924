"""The job runner every API worker runs: jobs with retries and leases, schedules per slot.

- A job is claimed through `zhibu_claim_job` (workers have no tenant scope until they
  hold one) and runs in its creator's scope. Its runner extends the job's lease while the
  handler works; if the worker dies, the lease runs out and another worker claims the job
  again, with its progress reset to zero (the attempt starts over).
- A handler that raises a `DomainError` failed for good (bad input). Any other exception
  is retried after an exponential, jittered delay until the kind's `RetryPolicy` gives up;
  the last error stays on the job, which an admin may retry or cancel.
- A schedule (cron expression) runs once per slot across all workers and hosts: the
  worker whose insert of (schedule, slot) into `job_schedule_run` succeeds runs it.
- Enqueuing NOTIFYs `zhibu_jobs` on commit; every runner LISTENs and wakes at once.
- A runner that stops cleanly hands its running job back to the queue at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import socket
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
from croniter import croniter
from sqlalchemy import func, text, update

from domain.shared import DomainError
from domain.shared.retries import RetryPolicy
from infra.db.session import Database, Scope
from infra.platform.jobs import CHANNEL, JobContext, JobHandler, notify
from infra.platform.tables import Job

log = logging.getLogger(__name__)
# Slots older than this are forgotten; a schedule never looks further back than its last slot.
KEEP_SLOTS = timedelta(days=7)
_CLAIM = text(
    "SELECT tenant_id, id, kind, created_by, tenant_path, attempts"
    " FROM zhibu_claim_job(CAST(:kinds AS text[]), :lease)"
)
_SLOT = text(
    "INSERT INTO job_schedule_run (schedule, slot, worker) VALUES (:name, :slot, :worker)"
    " ON CONFLICT DO NOTHING RETURNING slot"
)
_FORGET = text("DELETE FROM job_schedule_run WHERE schedule = :name AND slot < :before")


@dataclass(frozen=True)
class Schedule:
    """Housekeeping run once per slot of a cron expression (a sixth field counts seconds).

    A slot's work may still be running when the next slot starts elsewhere, so work that
    takes rows claims them (SKIP LOCKED), as the evidence sweeps do.
    """

    name: str
    cron: str
    work: Callable[[datetime], Awaitable[object]]

    def slot(self, now: datetime) -> datetime:
        """The start of the slot `now` lies in."""
        start: datetime = croniter(self.cron, now + timedelta(microseconds=1)).get_prev(datetime)
        return start


@dataclass(frozen=True)
class _Claimed:
    tenant_id: uuid.UUID
    job_id: uuid.UUID
    kind: str
    user_id: uuid.UUID
    scope: Scope
    attempt: int


def _error(code: str, zh: str, en: str, **extra: Any) -> dict[str, Any]:
    return {"code": code, "message": zh, "message_en": en, **extra}


class JobRunner:
    def __init__(
        self,
        db: Database,
        *,
        poll_seconds: float = 1.0,
        lease_seconds: float = 60.0,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self.db = db
        self.poll_seconds = poll_seconds
        self.lease = timedelta(seconds=lease_seconds)
        self.rand = rand
        self.worker = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.handlers: dict[str, tuple[JobHandler, RetryPolicy]] = {}
        self.schedules: list[Schedule] = []
        self.wake = asyncio.Event()
        self._last_slot: dict[str, datetime] = {}
        self._running: set[asyncio.Task[None]] = set()
        self._tasks: list[asyncio.Task[None]] = []
        self._listening = asyncio.Event()
        self._stopping = False

    def register(self, kind: str, handler: JobHandler, policy: RetryPolicy | None = None) -> None:
        self.handlers[kind] = (handler, policy or RetryPolicy())

    def schedule(self, name: str, cron: str, work: Callable[[datetime], Awaitable[object]]) -> None:
        if not croniter.is_valid(cron):
            raise ValueError(f"schedule {name!r}: invalid cron expression {cron!r}")
        self.schedules.append(Schedule(name, cron, work))

    # ------------------------------------------------------------------ schedules

    async def run_schedules(self) -> None:
        """Start the work of every schedule whose current slot this worker wins."""
        now = datetime.now(UTC)
        for schedule in self.schedules:
            slot = schedule.slot(now)
            if self._last_slot.get(schedule.name) == slot:
                continue  # this worker already tried for this slot
            async with self.db.unit_of_work(None) as uow:
                won = (
                    await uow.session.execute(
                        _SLOT, {"name": schedule.name, "slot": slot, "worker": self.worker}
                    )
                ).first()
                if won is not None:
                    await uow.session.execute(
                        _FORGET, {"name": schedule.name, "before": slot - KEEP_SLOTS}
                    )
            self._last_slot[schedule.name] = slot  # settled; a database error above asks again
            if won is not None:
                task = asyncio.create_task(self._run_slot(schedule, slot))
                self._running.add(task)
                task.add_done_callback(self._running.discard)

    async def _run_slot(self, schedule: Schedule, slot: datetime) -> None:
        try:
            await schedule.work(slot)
        except Exception:
            log.exception(
                "schedule %s failed for slot %s; the next slot runs again", schedule.name, slot
            )

    # ------------------------------------------------------------------ jobs

    async def run_next(self) -> bool:
        """Claim and run one job; False when no job is ready."""
        claimed = await self._claim()
        if claimed is None:
            return False
        handler, policy = self.handlers[claimed.kind]
        if claimed.attempt > policy.max_attempts:  # its workers died on every attempt
            await self._finish(
                claimed,
                status="failed",
                error=_error(
                    "job_attempts_exhausted",
                    "任务多次因进程中断未能完成，已停止重试。",
                    "The job was interrupted too many times; it is no longer retried.",
                    attempts=claimed.attempt - 1,
                ),
            )
            return True
        async with self.db.unit_of_work(claimed.scope) as uow:
            job = await uow.session.get(Job, (claimed.tenant_id, claimed.job_id))
            assert job is not None
            params, payload = job.params, job.input
        ctx = JobContext(
            self.db,
            claimed.tenant_id,
            claimed.job_id,
            claimed.user_id,
            claimed.scope.tenant_path,
            params,
            payload,
            attempt=claimed.attempt,
        )
        work = asyncio.create_task(handler(ctx))
        beat = asyncio.create_task(self._heartbeat(claimed, work))
        try:
            result = await work
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if current is None or not current.cancelling():
                return True  # cancelled by an admin: the row already says so
            if self._stopping:  # a clean shutdown hands the job back, its attempt unspent
                await self._release(claimed)
            raise  # otherwise, as if the worker died: the lease runs out, another retries
        except DomainError as exc:  # running it again would fail alike: its input goes
            await self._finish(
                claimed,
                status="failed",
                error=_error(exc.code, exc.message.zh, exc.message.en, attempts=claimed.attempt),
                input=None,
            )
        except Exception as exc:
            log.exception("job %s (%s) failed", claimed.job_id, claimed.kind)
            await self._failed(claimed, policy, type(exc).__name__)
        else:
            await self._finish(claimed, status="succeeded", result=result, error=None, input=None)
        finally:
            beat.cancel()
        return True

    async def _claim(self) -> _Claimed | None:
        if not self.handlers:
            return None
        async with self.db.unit_of_work(None) as uow:
            row = (
                await uow.session.execute(
                    _CLAIM, {"kinds": sorted(self.handlers), "lease": self.lease}
                )
            ).first()
        if row is None:
            return None
        tenant_id, job_id, kind, user_id, tenant_path, attempt = row
        return _Claimed(tenant_id, job_id, kind, user_id, Scope(tenant_path, user_id), attempt)

    async def _heartbeat(self, claimed: _Claimed, work: asyncio.Task[Any]) -> None:
        """Extend the lease while the handler works; stop it once the job is cancelled."""
        while True:
            await asyncio.sleep(self.lease.total_seconds() / 3)
            try:
                async with self.db.unit_of_work(claimed.scope) as uow:
                    held = (
                        await uow.session.execute(
                            self._fenced(claimed)
                            .values(heartbeat_at=func.now(), lease_until=func.now() + self.lease)
                            .returning(Job.id)  # type: ignore[arg-type]
                        )
                    ).first()
            except Exception:
                log.exception("could not extend the lease of job %s", claimed.job_id)
                continue
            if held is None:
                work.cancel()
                return

    async def _failed(self, claimed: _Claimed, policy: RetryPolicy, exception: str) -> None:
        if policy.gives_up_after(claimed.attempt):
            await self._finish(
                claimed,
                status="failed",
                error=_error(
                    "internal_error",
                    "任务执行出错，重试次数已用完。",
                    "The job failed; no attempts are left.",
                    exception=exception,
                    attempts=claimed.attempt,
                ),
            )
            return
        delay = timedelta(seconds=policy.delay(claimed.attempt, self.rand()))
        async with self.db.unit_of_work(claimed.scope) as uow:
            await uow.session.execute(
                self._fenced(claimed).values(
                    status="queued",
                    run_after=func.now() + delay,
                    lease_until=None,
                    progress_done=0,
                    error=_error(
                        "internal_error",
                        "任务执行出错，稍后自动重试。",
                        "The job failed; it will be retried.",
                        exception=exception,
                        attempts=claimed.attempt,
                    ),
                )
            )

    async def _release(self, claimed: _Claimed) -> None:
        try:
            async with self.db.unit_of_work(claimed.scope) as uow:
                await uow.session.execute(
                    self._fenced(claimed).values(
                        status="queued",
                        attempts=claimed.attempt - 1,
                        run_after=func.now(),
                        lease_until=None,
                        progress_done=0,
                    )
                )
                await notify(uow, claimed.kind)
        except Exception:
            log.exception("could not hand back job %s; its lease will run out", claimed.job_id)

    async def _finish(self, claimed: _Claimed, *, status: str, **values: Any) -> None:
        async with self.db.unit_of_work(claimed.scope) as uow:
            await uow.session.execute(
                self._fenced(claimed).values(
                    status=status, finished_at=func.now(), lease_until=None, **values
                )
            )

    @staticmethod
    def _fenced(claimed: _Claimed) -> Any:
        """Only the attempt that claimed the job may change it: a worker presumed dead
        that wakes up later must not overwrite the attempt that replaced it."""
        return update(Job).where(
            Job.tenant_id == claimed.tenant_id,  # type: ignore[arg-type]
            Job.id == claimed.job_id,  # type: ignore[arg-type]
            Job.attempts == claimed.attempt,  # type: ignore[arg-type]
            Job.status == "running",  # type: ignore[arg-type]
        )

    # ------------------------------------------------------------------ the loop

    async def _loop(self) -> None:
        while True:
            self.wake.clear()
            try:
                await self.run_schedules()
                while await self.run_next():
                    pass
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("job runner error")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), self.poll_seconds)

    async def _listen(self, conninfo: str) -> None:
        """Wake on every NOTIFY from any process; reconnect when the connection drops."""
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    self._listening.set()
                    self.wake.set()  # anything enqueued while not listening
                    async for _ in conn.notifies():
                        self.wake.set()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("job listener lost its connection; retrying")
                await asyncio.sleep(1.0)

    async def start(self, conninfo: str | None = None) -> None:
        """Run the loop; with `conninfo`, also LISTEN for enqueues (returns once listening)."""
        if conninfo is not None:
            self._tasks.append(asyncio.create_task(self._listen(conninfo)))
            await self._listening.wait()
        self._tasks.append(asyncio.create_task(self._loop()))

    async def stop(self) -> None:
        self._stopping = True
        for task in [*self._tasks, *self._running]:
            task.cancel()
        for task in [*self._tasks, *self._running]:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
