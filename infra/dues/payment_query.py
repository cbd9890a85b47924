"""The order-query fallback ("dues.payment_query"): when no notification settles a
payment, a job asks the provider — 1, 2, 5 and 10 minutes after the order, then every 10
minutes — and settles it as a notification would; once the order has expired unpaid it
closes it with the provider and here, releasing its bills.

Each query is one job; a payment still pending queues the next (so one slow answer delays
nothing else, and a failing query is retried by the runner's own policy).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlmodel import col

from domain.dues import PaymentProvider, PaymentStatus, TradeState
from domain.shared.retries import RetryPolicy
from infra.db.session import UnitOfWork
from infra.dues.settlement import apply_transaction, close_payment
from infra.dues.tables import DuesPaymentRow
from infra.platform.jobs import JobContext, enqueue
from infra.platform.runner import JobRunner

JOB_KIND = "dues.payment_query"
QUERY_SECONDS = (60, 120, 300, 600)
RETRIES = RetryPolicy(max_attempts=5, base_seconds=10, cap_seconds=300)


async def queue_query(
    uow: UnitOfWork, payment: DuesPaymentRow, *, now: datetime, scale: float, number: int = 0
) -> None:
    job = await enqueue(
        uow,
        tenant_id=payment.tenant_id,
        created_by=payment.created_by,
        kind=JOB_KIND,
        params={
            "tenant_id": str(payment.tenant_id),
            "payment_id": str(payment.id),
            "number": number,
        },
    )
    wait = QUERY_SECONDS[min(number, len(QUERY_SECONDS) - 1)] * scale
    job.run_after = now + timedelta(seconds=wait)
    uow.session.add(job)
    await uow.session.flush()


async def _payment(uow: UnitOfWork, tenant_id: uuid.UUID, payment_id: uuid.UUID) -> DuesPaymentRow:
    return (
        await uow.session.execute(
            select(DuesPaymentRow).where(
                col(DuesPaymentRow.tenant_id) == tenant_id, col(DuesPaymentRow.id) == payment_id
            )
        )
    ).scalar_one()


def register_queries(
    runner: JobRunner, *, providers: Mapping[str, PaymentProvider], scale: float
) -> None:
    async def run(job: JobContext) -> dict[str, Any]:
        tenant_id = uuid.UUID(job.params["tenant_id"])
        payment_id = uuid.UUID(job.params["payment_id"])
        async with job.unit_of_work() as uow:
            payment = await _payment(uow, tenant_id, payment_id)
        if payment.status != PaymentStatus.PENDING.value:
            return {"status": payment.status}
        provider = providers[payment.provider]
        now = datetime.now(UTC)
        expired = now >= payment.expires_at
        if expired:
            await provider.close(payment.out_trade_no)
        transaction = await provider.query(payment.out_trade_no)
        async with job.unit_of_work() as uow:
            if transaction is not None and transaction.trade_state is TradeState.SUCCESS:
                outcome = await apply_transaction(
                    uow, transaction, tenant_id=tenant_id, provider=provider.name, now=now
                )
                return {"outcome": outcome.value}
            if expired:
                await close_payment(uow, payment, now)
                return {"status": PaymentStatus.CLOSED.value}
            number = int(job.params["number"]) + 1
            await queue_query(uow, payment, now=now, scale=scale, number=number)
            return {"status": payment.status, "next_query": number}

    runner.register(JOB_KIND, run, RETRIES)
