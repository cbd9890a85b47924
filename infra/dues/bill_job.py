"""The bill run as a job ("dues.generate_bills", queued by an administrator for one tenant
and month) and as the monthly schedule (every tenant, the new Beijing month), registered
with the runner by this context."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, date, datetime
from typing import Any

from domain.dues import check_bill_month, format_month, month_of, parse_month
from domain.shared import Guard, not_found
from domain.shared.retries import RetryPolicy
from domain.tenancy import PLATFORM_PATH, tenant_domain
from infra.db.session import Actor, Database, Scope, UnitOfWork
from infra.dues.bill_runs import generate_bills
from infra.dues.clock import today
from infra.platform.jobs import JobContext, enqueue
from infra.platform.runner import JobRunner
from infra.platform.tables import Job
from infra.tenancy import tenant_ref, visible_tenants

log = logging.getLogger(__name__)

JOB_KIND = "dues.generate_bills"
# A run commits batch by batch and skips members already billed: a rerun finishes the job.
RETRIES = RetryPolicy(max_attempts=5, base_seconds=10, cap_seconds=600)
SYSTEM = Actor(user_id=None, name="system", tenant_id=None, client_addr=None, request_id=None)


async def run_bill_job(job: JobContext) -> dict[str, Any]:
    return await generate_bills(
        job.db,
        job.scope,
        job.actor,
        tenant_id=uuid.UUID(job.params["tenant_id"]),
        month=parse_month(job.params["month"]),
        now=datetime.now(UTC),
        progress=job.progress,
    )


async def bill_every_tenant(db: Database, *, now: datetime) -> list[dict[str, Any]]:
    """This month's bills for every tenant, one tenant after another; one tenant's failure
    is logged and does not stop the others (the next run makes what is missing)."""
    scope = Scope(PLATFORM_PATH)
    async with db.unit_of_work(scope, SYSTEM) as uow:
        tenants = await visible_tenants(uow)
    month = month_of(today(now))
    reports = []
    for tenant in tenants:
        try:
            reports.append(
                await generate_bills(db, scope, SYSTEM, tenant_id=tenant.id, month=month, now=now)
            )
        except Exception:
            log.exception("dues bill run failed for tenant %s", tenant.code)
    return reports


async def queue_bill_run(
    uow: UnitOfWork,
    guard: Guard,
    *,
    tenant_id: uuid.UUID,
    month: date,
    now: datetime,
    created_by: uuid.UUID,
    home_tenant_id: uuid.UUID,
) -> Job:
    """Queue a bill run for one tenant and month; the job runs in the caller's scope and
    belongs to the caller's tenant."""
    tenant = await tenant_ref(uow, tenant_id)
    if tenant is None:
        raise not_found("tenant")
    guard.require("dues", "write", tenant_domain(tenant.path))
    check_bill_month(month, month_of(today(now)))
    return await enqueue(
        uow,
        tenant_id=home_tenant_id,
        created_by=created_by,
        kind=JOB_KIND,
        params={"tenant_id": str(tenant_id), "month": format_month(month)},
    )


def register_jobs(runner: JobRunner, *, db: Database, cron: str) -> None:
    runner.register(JOB_KIND, run_bill_job, RETRIES)

    async def monthly(_slot: datetime) -> None:
        await bill_every_tenant(db, now=datetime.now(UTC))

    runner.schedule("dues.monthly_bills", cron, monthly)
