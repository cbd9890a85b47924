"""The tenancy context's housekeeping, run once per slot of its schedule across all workers."""

from __future__ import annotations

from datetime import datetime

from infra.db.session import Database
from infra.platform.runner import JobRunner
from infra.tenancy.auth import sweep_throttle


def register_schedules(runner: JobRunner, *, db: Database) -> None:
    """Drop failed-login records no lockout counts any more, hourly."""

    async def throttle(_slot: datetime) -> None:
        await sweep_throttle(db)

    runner.schedule("tenancy.sweep_login_throttle", "41 * * * *", throttle)
