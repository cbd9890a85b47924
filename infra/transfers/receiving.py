"""The receiving side (转入): accept a sent transfer, which moves the member, or return it
with a reason. Both go through `zhibu_transfer_answer`, which writes the whole step (the
audit entry and event recorded here too) and changes the sending record only while it is
still `sent` (locking it first), so an accept racing a cancel, an expiry or another accept
changes nothing and is told the state it lost to."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.exc import DBAPIError

from domain.shared import ErrorKind, Guard, new_id, not_found
from domain.transfers import MESSAGES, Action, TransferState, move, state_refused
from infra.db.session import UnitOfWork
from infra.tenancy import organization_ref
from infra.transfers.common import (
    ANSWER,
    REFUSED_MOVE,
    Who,
    find_arrival,
    through_door,
    transfer_event,
)
from infra.transfers.sending import record_receipt


def _sqlstate(error: DBAPIError) -> str | None:
    return getattr(error.orig, "sqlstate", None)


async def answer_transfer(
    uow: UnitOfWork,
    guard: Guard,
    who: Who,
    transfer_id: uuid.UUID,
    *,
    accept: bool,
    reason: str | None,
    now: datetime,
) -> None:
    """Accept or return an arrival; for a transfer out of the platform the sending side's
    accept records the paper receipt instead."""
    arrival = await find_arrival(uow, transfer_id)
    if arrival is None:
        if not accept:
            raise not_found("transfer")
        await record_receipt(uow, guard, who, transfer_id, note=reason, now=now)
        return
    org = await organization_ref(uow, arrival.to_organization_id, tenant_id=arrival.tenant_id)
    if org is None:
        raise not_found("transfer")
    if not guard.can("transfer", "receive", org.domain):
        guard.require("transfer", "read", org.domain)
        guard.require("transfer", "receive", org.domain)
    action = Action.ACCEPT if accept else Action.RETURN
    target = move(
        TransferState(arrival.state), action, approvals_done=0, approvals_required=0, reason=reason
    ).state
    new_member = new_id() if accept and arrival.from_tenant_id != arrival.tenant_id else None
    uow.audit(
        f"transfer.{action.value}",
        "transfer",
        arrival.id,
        tenant_id=arrival.tenant_id,
        detail={"from_tenant_id": str(arrival.from_tenant_id), "reason": reason},
    )
    # On acceptance the door puts the member's id where they now are into the event.
    event = transfer_event(
        arrival.tenant_id,
        arrival.id,
        arrival.to_organization_id,
        f"transfer.{target.value}",
        member_id=None,
    )
    try:
        found = await through_door(
            uow,
            ANSWER,
            {
                "tenant": arrival.tenant_id,
                "id": arrival.id,
                "state": target.value,
                "reason": reason,
                "actor": who.name,
                "new_member": new_member,
            },
            events=[event],
        )
    except DBAPIError as error:
        if _sqlstate(error) == REFUSED_MOVE:
            raise MESSAGES.error("transfer_member_moved", ErrorKind.CONFLICT) from None
        raise
    if found is None:
        raise not_found("transfer")
    if found != target.value:
        raise state_refused(TransferState(found), action)
