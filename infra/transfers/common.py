"""What every transfer use case shares: who acts, loading a side's row, the sending
organization's levels, steps, events and the doors' SQL."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, text
from sqlmodel import col

from domain.shared import ErrorKind, new_id, not_found
from domain.tenancy import org_domain, tenant_domain
from domain.transfers import MESSAGES
from infra.db.routing import locked
from infra.db.session import UnitOfWork
from infra.platform.outbox import emit
from infra.tenancy import OrganizationRef, organization_ref
from infra.transfers.tables import TransferArrivalRow, TransferRow, TransferStepRow

DELIVER = text("SELECT zhibu_transfer_deliver(:tenant, :id, :actor)")
ANSWER = text("SELECT zhibu_transfer_answer(:tenant, :id, :state, :reason, :actor, :new_member)")
WITHDRAW = text("SELECT zhibu_transfer_withdraw(:tenant, :id, :reason, :actor)")
REFUSED_MOVE = "ZB409"
"""SQLSTATE the move raises when the member is no longer where the letter says."""


def through_door(uow: UnitOfWork) -> None:
    """Refuse a step that passes a door on Citus (its transaction is rolled back): the
    doors are definer functions writing in the transaction in which the app role writes,
    which Citus refuses ("placements that were modified in this transaction by a different
    user"). 503 with a reason rather than a failure midway, until they are reshaped."""
    if uow.distributed:
        raise MESSAGES.error("transfer_doors_closed", ErrorKind.UNAVAILABLE)


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


def add_step(
    uow: UnitOfWork,
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
) -> None:
    """Append one step of the history; steps are never changed (the app may only insert)."""
    uow.session.add(
        TransferStepRow(
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
    )


def emit_transfer_event(
    uow: UnitOfWork,
    tenant_id: uuid.UUID,
    transfer_id: uuid.UUID,
    organization_id: uuid.UUID,
    topic: str,
    **payload: Any,
) -> None:
    """A `transfer.*` event in the acting side's tenant, placed at that side's organization;
    only `member_id` (of an answer) names a person (personal in the event catalogue)."""
    emit(
        uow,
        tenant_id=tenant_id,
        topic=topic,
        aggregate_type="transfer",
        aggregate_id=transfer_id,
        payload={"transfer_id": str(transfer_id), **payload},
        organization_id=organization_id,
    )
