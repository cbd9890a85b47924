"""Letters expire (介绍信有效期): a schedule closes every transfer still `sent` after its
validity, on both sides, so a stale letter cannot be accepted."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from sqlalchemy import select
from sqlmodel import col

from domain.tenancy import PLATFORM_PATH
from domain.transfers import TransferState
from infra.db.session import Actor, Database, Scope
from infra.platform.runner import JobRunner
from infra.transfers.common import Who
from infra.transfers.sending import expire_transfer
from infra.transfers.tables import TransferRow

log = logging.getLogger(__name__)

SYSTEM = Actor(user_id=None, name="system", tenant_id=None, client_addr=None, request_id=None)
BATCH = 200


async def expire_due(db: Database, *, now: datetime) -> int:
    """Expire what is due, one transaction per transfer; returns how many expired."""
    scope = Scope(PLATFORM_PATH)
    async with db.unit_of_work(scope, SYSTEM) as uow:
        due = list(
            (
                await uow.session.execute(
                    select(TransferRow)
                    .where(
                        col(TransferRow.state) == TransferState.SENT.value,
                        col(TransferRow.expires_at) <= now,
                    )
                    .order_by(col(TransferRow.expires_at))
                    .limit(BATCH)
                )
            ).scalars()
        )
    expired = 0
    for row in due:
        try:
            async with db.unit_of_work(scope, SYSTEM) as uow:
                await expire_transfer(uow, row, Who(None, None, "system"), now=now)
            expired += 1
        except Exception:
            log.exception("transfer %s did not expire", row.id)
    return expired


def register_schedules(runner: JobRunner, *, db: Database, cron: str) -> None:
    async def hourly(_slot: datetime) -> None:
        await expire_due(db, now=datetime.now(UTC))

    runner.schedule("transfers.expire_letters", cron, hourly)
