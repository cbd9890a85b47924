"""The evidence context's housekeeping, run once per slot of its schedule across all workers."""

from __future__ import annotations

from datetime import UTC, datetime

from infra.db.session import Database
from infra.evidence.sweeps import sweep_abandoned, sweep_late_uploads
from infra.platform.runner import JobRunner
from infra.storage import ObjectStorage


def register_schedules(
    runner: JobRunner, *, db: Database, storage: ObjectStorage, cron: str
) -> None:
    """Clear abandoned upload slots, and bytes PUT late to confirmed slots' upload keys."""

    async def abandoned(_slot: datetime) -> int:
        return await sweep_abandoned(db, storage, now=datetime.now(UTC))

    async def late_uploads(_slot: datetime) -> int:
        return await sweep_late_uploads(db, storage, now=datetime.now(UTC))

    runner.schedule("evidence.sweep_abandoned", cron, abandoned)
    runner.schedule("evidence.sweep_late_uploads", cron, late_uploads)
