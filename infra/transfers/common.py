"""What every transfer use case shares: who acts, loading a side's row, the sending
organization's levels, steps, events and the doors' SQL with the way through them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import msgspec
from sqlalchemy import TextClause, select, text
from sqlmodel import col

from domain.shared import new_id, not_found
from domain.tenancy import org_domain, tenant_domain
from infra.db.routing import locked
from infra.db.session import UnitOfWork
from infra.platform.outbox import emit, event_row
from infra.tenancy import OrganizationRef, organization_ref
from infra.transfers.tables import TransferArrivalRow, TransferRow, TransferStepRow

ADVANCE = text(
    "SELECT zhibu_transfer_advance(:tenant, :from_state, CAST(:row AS jsonb),"
    " CAST(:step AS jsonb), CAST(:audit AS jsonb), CAST(:outbox AS jsonb))"
)
ANSWER = text(
    "SELECT zhibu_transfer_answer(:tenant, :id, :state, :reason, :actor, :new_member,"
    " CAST(:audit AS jsonb), CAST(:outbox AS jsonb))"
)
REFUSED_MOVE = "ZB409"
"""SQLSTATE the move raises when the member is no longer where the letter says."""


def as_json(value: Any) -> str:
    return msgspec.json.encode(value).decode()


async def through_door(
    uow: UnitOfWork, door: TextClause, params: dict[str, Any], *, events: list[dict[str, Any]]
) -> str | None:
    """Run a door as the only writer of this transaction: it also writes the audit rows
    recorded so far and `events` (outbox rows), as the unit of work would have. On Citus
    a definer function may not write where the app role wrote in the same transaction,
    nor may the app role touch what it wrote, so the caller reads before and writes
    nothing; the answer is read in a transaction of its own. Returns the door's answer."""
    session = uow.session
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("a transfer door must be the only writer of its transaction")
    audit = uow.take_audit()
    return (
        await session.execute(door, {**params, "audit": as_json(audit), "outbox": as_json(events)})
    ).scalar_one()


@dataclass(frozen=True, slots=True)
class Who:
    """The person (or client) acting: their account, home tenant and name for the record."""

    user_id: uuid.UUID | None
    tenant_id: uuid.UUID | None
    name: str


async def find_transfer(
    uow: UnitOfWork, transfer_id: uuid.UUID, *, lock: bool = False
) -> TransferRow | None:
    """The sending side's record, if the caller's scope holds it; locked by (tenant, id)."""
    found = (
        await uow.session.execute(select(TransferRow).where(col(TransferRow.id) == transfer_id))
    ).scalar_one_or_none()
    if found is not None and lock:
        found = await locked(uow.session, found)
    return found


async def find_arrival(uow: UnitOfWork, transfer_id: uuid.UUID) -> TransferArrivalRow | None:
    return (
        await uow.session.execute(
            select(TransferArrivalRow).where(col(TransferArrivalRow.id) == transfer_id)
        )
    ).scalar_one_or_none()


@dataclass(frozen=True, slots=True)
class Sender:
    """The member's organization on the sending side, and the levels above its branch."""

    organization: OrganizationRef

    @property
    def domain(self) -> str:
        return self.organization.domain

    def approval_domain(self, level: int) -> str:
        """Level 1 is the organization above the member's branch (a 党小组 counts as its
        branch), level 2 the one above that; above the tree's top, the tenant."""
        labels = self.organization.path.split(".")
        if self.organization.kind == "party_group":
            labels = labels[:-1]
        kept = labels[: len(labels) - level]
        tenant_path = self.organization.tenant_path
        return org_domain(tenant_path, ".".join(kept)) if kept else tenant_domain(tenant_path)


async def sender_of(uow: UnitOfWork, row: TransferRow) -> Sender:
    org = await organization_ref(uow, row.from_organization_id, tenant_id=row.tenant_id)
    if org is None:
        raise not_found("transfer")
    return Sender(org)


def step_row(
    *,
    tenant_id: uuid.UUID,
    transfer_id: uuid.UUID,
    side: str,
    action: str,
    from_state: str | None,
    to_state: str,
    who: Who,
    level: int | None = None,
    reason: str | None = None,
) -> TransferStepRow:
    """One step of the history; steps are never changed (the app may only insert)."""
    return TransferStepRow(
        tenant_id=tenant_id,
        id=new_id(),
        transfer_id=transfer_id,
        side=side,
        action=action,
        from_state=from_state,
        to_state=to_state,
        level=level,
        actor_id=who.user_id,
        actor_name=who.name,
        reason=reason,
    )


def transfer_event(
    tenant_id: uuid.UUID,
    transfer_id: uuid.UUID,
    organization_id: uuid.UUID,
    topic: str,
    **payload: Any,
) -> dict[str, Any]:
    """A `transfer.*` event's outbox row in the acting side's tenant, placed at that side's
    organization; only `member_id` (of an answer) names a person (personal in the event
    catalogue)."""
    return event_row(
        tenant_id=tenant_id,
        topic=topic,
        aggregate_type="transfer",
        aggregate_id=transfer_id,
        payload={"transfer_id": str(transfer_id), **payload},
        organization_id=organization_id,
    )


def emit_transfer_event(
    uow: UnitOfWork,
    tenant_id: uuid.UUID,
    transfer_id: uuid.UUID,
    organization_id: uuid.UUID,
    topic: str,
    **payload: Any,
) -> None:
    """`transfer_event`, queued in the unit of work."""
    emit(
        uow,
        tenant_id=tenant_id,
        topic=topic,
        aggregate_type="transfer",
        aggregate_id=transfer_id,
        payload={"transfer_id": str(transfer_id), **payload},
        organization_id=organization_id,
    )
