"""Paying ahead (预交党费): a member paying more months than they have bills gets the
bills of the months after their last one made on demand, as the monthly run would make
them (the standard in force that month, their base and reliefs), within the months ahead
the branch allows (`dues_months_ahead`). The run later finds them made and bills nothing
again (a bill is unique per member and month).

The caller reads the standards chain (`standards.standards_chain`) in a transaction of its
own first: its function reads as another role, which Citus refuses after this
transaction's writes (the idempotency key's) to the same shards.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import col

from domain.dues import (
    MESSAGES,
    BaseMode,
    DuesStandard,
    Payer,
    Rounding,
    Skip,
    Terms,
    draft_bill,
    format_month,
    in_force,
    month_of,
    prepay_months,
)
from domain.shared import ErrorKind
from infra.db.session import UnitOfWork
from infra.dues.bases import approved_bases
from infra.dues.batches import insert_bills_and_charges
from infra.dues.clock import today
from infra.dues.exceptions import exceptions_from
from infra.dues.reliefs import approved_reliefs
from infra.dues.tables import DuesBillRow
from infra.members import member_standing
from infra.tenancy import effective_settings_of

Chain = Sequence[Sequence[DuesStandard]]
"""The standards of a tenant and its ancestors, nearest first (`standards_chain`)."""


async def bill_ahead(
    uow: UnitOfWork,
    tenant_id: uuid.UUID,
    member_id: uuid.UUID,
    count: int,
    *,
    chain: Chain,
    now: datetime,
) -> None:
    """Make the member's bills of the `count` months after their last bill."""
    settings = await effective_settings_of(uow, tenant_id)
    current = month_of(today(now))
    last = (
        await uow.session.execute(
            select(func.max(DuesBillRow.month)).where(
                col(DuesBillRow.tenant_id) == tenant_id, col(DuesBillRow.member_id) == member_id
            )
        )
    ).scalar_one()
    months = prepay_months(last, current, count, settings.dues_months_ahead)
    standing = await member_standing(uow, tenant_id, member_id)
    if standing is None:
        raise MESSAGES.error("dues_bill_not_payable", ErrorKind.CONFLICT)
    payer = Payer(standing.id, standing.organization_id, standing.status, standing.admitted_on)
    bases = (await approved_bases(uow, tenant_id, [member_id])).get(member_id, [])
    reliefs = (await approved_reliefs(uow, tenant_id, [member_id])).get(member_id, [])
    exception = (await exceptions_from(uow, tenant_id, [member_id])).get(member_id)
    drafts = []
    for month in months:
        terms = Terms(
            month,
            current,
            in_force(chain, month),
            Rounding(settings.dues_rounding),
            BaseMode(settings.dues_base_mode),
        )
        made = draft_bill(payer, terms, bases, reliefs, exception)
        if isinstance(made, Skip):
            raise MESSAGES.error(
                "dues_prepay_not_billable",
                ErrorKind.CONFLICT,
                month=format_month(month),
                reason=made.value,
            )
        drafts.append(made)
    await insert_bills_and_charges(uow, tenant_id, drafts)
    uow.audit(
        "dues_bill.prepay",
        "dues_bill",
        tenant_id=tenant_id,
        detail={"member_id": str(member_id), "months": [format_month(m) for m in months]},
    )
