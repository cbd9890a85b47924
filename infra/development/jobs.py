"""The development context's job and schedule, registered with the runner by the context."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from infra.db.session import Database
from infra.development.archive import JOB_KIND, RETRIES, run_archive_job
from infra.development.reminders import remind_every_tenant
from infra.platform.jobs import JobContext
from infra.platform.runner import JobRunner
from infra.storage import ObjectStorage


def register_jobs(
    runner: JobRunner, *, db: Database, storage: ObjectStorage, reminders_cron: str
) -> None:
    """The archive job (step 25) and the deadline reminders, once per slot of their cron."""

    async def archive(job: JobContext) -> dict[str, Any]:
        return await run_archive_job(job, storage)

    async def remind(_slot: datetime) -> None:
        await remind_every_tenant(db, now=datetime.now(UTC))

    runner.register(JOB_KIND, archive, RETRIES)
    runner.schedule("development.deadline_reminders", reminders_cron, remind)
