"""The bill run (生成缴费单): one bill per paying member of a tenant for a month, and its
charge in the dues ledger, in batches of members, each batch one transaction (two in flight).

Idempotent: a bill is unique per (tenant, member, month), inserted with
`ON CONFLICT DO NOTHING … RETURNING`, and only the bills this run inserted get ledger
entries, so running it twice (or two at once) makes nothing twice. A member who came by
a transfer from another tenant is billed from the month after their carried 党费交至.
Citus-safe: every statement names the tenant; on Citus rows are written with
`INSERT … VALUES` (`batches`). A closed month gets no new bills. The standard is read in a
transaction of its own first (its function reads as the owner, which Citus does not mix
with the app role's writes to the same shards).
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import col

from domain.dues import (
    BaseMode,
    BillDraft,
    Payer,
    Rounding,
    Skip,
    Terms,
    check_bill_month,
    draft_bill,
    format_month,
    in_force,
    month_of,
)
from infra.db.session import Actor, Database, Scope, UnitOfWork
from infra.dues.bases import approved_bases
from infra.dues.batches import among, insert_bills_and_charges
from infra.dues.carried import carried_paid_to
from infra.dues.clock import today
from infra.dues.close import require_not_closed
from infra.dues.exceptions import exceptions_from
from infra.dues.reliefs import approved_reliefs
from infra.dues.standards import standards_chain
from infra.dues.tables import DuesBillRow
from infra.members import MemberStanding, active_members_page
from infra.platform.outbox import emit
from infra.tenancy import effective_settings_of

BATCH = 2000
AT_ONCE = 2
"""Batches in flight, each its own transaction: one drafts in Python while the database
writes the other (a batch's time was about a third Python, two thirds database)."""
Progress = Callable[[int], Awaitable[None]]


async def _terms(
    db: Database, scope: Scope, actor: Actor, tenant_id: uuid.UUID, month: date, current: date
) -> Terms:
    async with db.unit_of_work(scope, actor) as uow:
        await require_not_closed(uow, tenant_id, month)
        standard = in_force(await standards_chain(uow, tenant_id), month)
        settings = await effective_settings_of(uow, tenant_id)
    return Terms(
        month,
        current,
        standard,
        Rounding(settings.dues_rounding),
        BaseMode(settings.dues_base_mode),
    )


async def generate_bills(
    db: Database,
    scope: Scope,
    actor: Actor,
    *,
    tenant_id: uuid.UUID,
    month: date,
    now: datetime,
    progress: Progress | None = None,
    batch: int = BATCH,
) -> dict[str, Any]:
    """Bill a tenant's paying members for `month`; returns what was made and skipped."""
    current = month_of(today(now))
    check_bill_month(month, current)
    terms = await _terms(db, scope, actor, tenant_id, month, current)
    counts: Counter[str] = Counter()

    async def bill(payers: Sequence[MemberStanding]) -> int:
        async with db.unit_of_work(scope, actor) as uow:
            await _bill_batch(uow, tenant_id, terms, payers, counts)
        return len(payers)

    after: uuid.UUID | None = None
    seen = 0
    running: list[asyncio.Task[int]] = []
    try:
        while True:
            async with db.unit_of_work(scope, actor) as uow:
                payers = await active_members_page(uow, tenant_id, after=after, limit=batch)
            if not payers:
                break
            after = payers[-1].id
            running.append(asyncio.create_task(bill(payers)))
            while len(running) >= AT_ONCE:
                seen += await running.pop(0)
                if progress is not None:
                    await progress(seen)
        while running:
            seen += await running.pop(0)
            if progress is not None:
                await progress(seen)
    finally:
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)
    return {
        "tenant_id": str(tenant_id),
        "month": format_month(month),
        "members": seen,
        "created": counts.pop("created", 0),
        "existing": counts.pop("existing", 0),
        "skipped": dict(sorted(counts.items())),
    }


async def _already_billed(
    uow: UnitOfWork, tenant_id: uuid.UUID, month: date, member_ids: Sequence[uuid.UUID]
) -> set[uuid.UUID]:
    """Which of these members have the month's bill: the range of the batch's ids in
    (tenant_id, month, member_id), so a batch reads its own bills only (0063)."""
    b = DuesBillRow
    found = await uow.session.execute(
        select(b.member_id).where(
            col(b.tenant_id) == tenant_id,
            col(b.month) == month,
            among(col(b.member_id), member_ids),
        )
    )
    return set(found.scalars()).intersection(member_ids)


async def _bill_batch(
    uow: UnitOfWork,
    tenant_id: uuid.UUID,
    terms: Terms,
    payers: Sequence[MemberStanding],
    counts: Counter[str],
) -> None:
    ids = [p.id for p in payers]
    billed = await _already_billed(uow, tenant_id, terms.month, ids)
    todo = [p for p in payers if p.id not in billed]
    counts["existing"] += len(billed)
    if not todo:
        return
    todo_ids = [p.id for p in todo]
    bases = await approved_bases(uow, tenant_id, todo_ids)
    reliefs = await approved_reliefs(uow, tenant_id, todo_ids)
    exceptions = await exceptions_from(uow, tenant_id, todo_ids)
    carried = await carried_paid_to(uow, tenant_id, todo_ids)
    drafts: list[BillDraft] = []
    for p in todo:
        made = draft_bill(
            Payer(p.id, p.organization_id, p.status, p.admitted_on, carried.get(p.id)),
            terms,
            bases.get(p.id, []),
            reliefs.get(p.id, []),
            exceptions.get(p.id),
        )
        if isinstance(made, Skip):
            counts[made.value] += 1
        else:
            drafts.append(made)
    inserted = await insert_bills_and_charges(uow, tenant_id, drafts)
    counts["created"] += len(inserted)
    counts["existing"] += len(drafts) - len(inserted)
    if not inserted:
        return
    uow.audit(
        "dues_bill.generate",
        "dues_bill",
        tenant_id=tenant_id,
        detail={"month": format_month(terms.month), "created": len(inserted)},
    )
    emit(
        uow,
        tenant_id=tenant_id,
        topic="dues.bills_generated",
        aggregate_type="tenant",
        aggregate_id=tenant_id,
        payload={
            "month": format_month(terms.month),
            "bill_ids": sorted(str(i) for i in inserted.values()),
        },
        organization_id=None,  # a month's bills of the whole tenant
    )
