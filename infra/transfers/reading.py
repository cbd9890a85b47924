"""Reading a transfer from either side, as README "Transfers" says: the sending side its
whole record; the receiving side the letter's member fields, and the member's new record's
id and the points carried only once it has accepted; anyone else nothing (404)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import false, or_, select, tuple_
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from domain.shared import Guard, not_found
from domain.tenancy import org_domain
from domain.transfers import TransferState
from infra.db.session import UnitOfWork
from infra.members import member_of_user
from infra.tenancy import organization_ids_in_domains, organization_ref, within_scopes
from infra.transfers.common import Who, find_arrival, find_transfer, sender_of
from infra.transfers.tables import TransferArrivalRow, TransferRow, TransferStepRow


@dataclass(frozen=True, slots=True)
class TransferView:
    """One side's view of a transfer."""

    side: str
    id: uuid.UUID
    kind: str
    reason: str
    reason_note: str | None
    state: str
    member_id: uuid.UUID | None
    from_tenant_id: uuid.UUID
    from_tenant_name: str
    from_organization_id: uuid.UUID | None
    from_organization_name: str
    to_tenant_id: uuid.UUID | None
    to_tenant_name: str | None
    to_organization_id: uuid.UUID | None
    to_organization_name: str
    approvals_required: int | None
    approvals_done: int | None
    hold: dict[str, object] | None
    letter_number: int | None
    letter_issued_on: date | None
    validity_days: int
    expires_at: datetime | None
    member_name: str
    member_gender: str
    member_birth_date: date
    member_ethnicity: str | None
    member_status: str
    member_id_number_masked: str
    member_phone_masked: str | None
    dues_paid_to: date | None
    points_carried: int | None
    new_member_id: uuid.UUID | None
    sent_at: datetime | None
    updated_at: datetime


def sending_view(row: TransferRow) -> TransferView:
    return TransferView(
        side="sending",
        id=row.id,
        kind=row.kind,
        reason=row.reason,
        reason_note=row.reason_note,
        state=row.state,
        member_id=row.member_id,
        from_tenant_id=row.tenant_id,
        from_tenant_name=row.from_tenant_name,
        from_organization_id=row.from_organization_id,
        from_organization_name=row.from_organization_name,
        to_tenant_id=row.to_tenant_id,
        to_tenant_name=row.to_tenant_name,
        to_organization_id=row.to_organization_id,
        to_organization_name=row.to_organization_name,
        approvals_required=row.approvals_required,
        approvals_done=row.approvals_done,
        hold=row.hold,
        letter_number=row.letter_number,
        letter_issued_on=row.letter_issued_on,
        validity_days=row.validity_days,
        expires_at=row.expires_at,
        member_name=row.member_name,
        member_gender=row.member_gender,
        member_birth_date=row.member_birth_date,
        member_ethnicity=row.member_ethnicity,
        member_status=row.member_status,
        member_id_number_masked=row.member_id_number_masked,
        member_phone_masked=row.member_phone_masked,
        dues_paid_to=row.dues_paid_to,
        points_carried=row.points_carried,
        new_member_id=row.new_member_id,
        sent_at=row.sent_at,
        updated_at=row.updated_at,
    )


def receiving_view(row: TransferArrivalRow) -> TransferView:
    accepted = row.state == TransferState.ACCEPTED.value
    return TransferView(
        side="receiving",
        id=row.id,
        kind=row.kind,
        reason=row.reason,
        reason_note=None,
        state=row.state,
        member_id=row.new_member_id if accepted else None,
        from_tenant_id=row.from_tenant_id,
        from_tenant_name=row.from_tenant_name,
        from_organization_id=None,
        from_organization_name=row.from_organization_name,
        to_tenant_id=row.tenant_id,
        to_tenant_name=None,
        to_organization_id=row.to_organization_id,
        to_organization_name=row.to_organization_name,
        approvals_required=None,
        approvals_done=None,
        hold=None,
        letter_number=row.letter_number,
        letter_issued_on=row.letter_issued_on,
        validity_days=row.validity_days,
        expires_at=row.expires_at,
        member_name=row.member_name,
        member_gender=row.member_gender,
        member_birth_date=row.member_birth_date,
        member_ethnicity=row.member_ethnicity,
        member_status=row.member_status,
        member_id_number_masked=row.member_id_number_masked,
        member_phone_masked=row.member_phone_masked,
        dues_paid_to=row.dues_paid_to,
        points_carried=row.points_carried if accepted else None,
        new_member_id=row.new_member_id if accepted else None,
        sent_at=row.sent_at,
        updated_at=row.updated_at,
    )


async def _own_member(uow: UnitOfWork, who: Who) -> uuid.UUID | None:
    if who.user_id is None or who.tenant_id is None:
        return None
    place = await member_of_user(uow, who.tenant_id, who.user_id)
    return place.id if place else None


async def sending_row_for(
    uow: UnitOfWork, guard: Guard, who: Who, transfer_id: uuid.UUID
) -> TransferRow | None:
    """The sending record if the caller reads it: `transfer:read` on the member's
    organization, an approver of the levels above, or the member."""
    row = await find_transfer(uow, transfer_id)
    if row is None:
        return None
    sender = await sender_of(uow, row)
    if guard.can("transfer", "read", sender.domain) or row.member_id == await _own_member(uow, who):
        return row
    levels = range(1, row.approvals_required + 1)
    if any(guard.can("transfer", "approve", sender.approval_domain(k)) for k in levels):
        return row
    return None


async def arrival_for(
    uow: UnitOfWork, guard: Guard, transfer_id: uuid.UUID
) -> TransferArrivalRow | None:
    """The receiving envelope if the caller reads or receives for the target organization."""
    arrival = await find_arrival(uow, transfer_id)
    if arrival is None:
        return None
    org = await organization_ref(uow, arrival.to_organization_id, tenant_id=arrival.tenant_id)
    if org is None:
        return None
    if guard.can("transfer", "read", org.domain) or guard.can("transfer", "receive", org.domain):
        return arrival
    return None


async def read_transfer(
    uow: UnitOfWork, guard: Guard, who: Who, transfer_id: uuid.UUID
) -> TransferView:
    row = await sending_row_for(uow, guard, who, transfer_id)
    if row is not None:
        return sending_view(row)
    arrival = await arrival_for(uow, guard, transfer_id)
    if arrival is not None:
        return receiving_view(arrival)
    raise not_found("transfer")


async def transfer_steps(
    uow: UnitOfWork, guard: Guard, who: Who, transfer_id: uuid.UUID
) -> list[TransferStepRow]:
    """The history as the caller's side keeps it, oldest first."""
    row = await sending_row_for(uow, guard, who, transfer_id)
    if row is not None:
        tenant_id, side = row.tenant_id, "sending"
    else:
        arrival = await arrival_for(uow, guard, transfer_id)
        if arrival is None:
            raise not_found("transfer")
        tenant_id, side = arrival.tenant_id, "receiving"
    stmt = (
        select(TransferStepRow)
        .where(
            col(TransferStepRow.tenant_id) == tenant_id,
            col(TransferStepRow.transfer_id) == transfer_id,
            col(TransferStepRow.side) == side,
        )
        .order_by(col(TransferStepRow.at), col(TransferStepRow.id))
    )
    return list((await uow.session.execute(stmt)).scalars())


def readable(
    guard: Guard,
    tenant_id: object,
    organization_id: object,
    *extra: ColumnElement[bool],
    scopes_of: tuple[str, ...] = ("read", "receive"),
) -> ColumnElement[bool]:
    """Rows of organizations where the caller reads (or receives) transfers, or `extra`."""
    # One clause per scope, though reading and receiving often give the same one.
    scopes = list(
        dict.fromkeys(scope for action in scopes_of for scope in guard.scopes("transfer", action))
    )
    tenant_wide = [(t, o) for t, o in scopes if o is None]
    by_org = [org_domain(t, o) for t, o in scopes if o is not None]
    clauses: list[ColumnElement[bool]] = list(extra)
    if tenant_wide:
        clauses.append(within_scopes(tenant_wide, tenant_id=tenant_id))
    if by_org:
        clauses.append(tuple_(tenant_id, organization_id).in_(organization_ids_in_domains(by_org)))
    return or_(*clauses) if clauses else false()


async def list_transfers(
    uow: UnitOfWork,
    guard: Guard,
    who: Who,
    *,
    side: str,
    states: list[str] | None,
    limit: int,
    after: uuid.UUID | None,
) -> list[TransferView]:
    """One side's transfers the caller reads, newest first (a queue: filter by state)."""
    if side == "sending":
        own = await _own_member(uow, who)
        extra = [col(TransferRow.member_id) == own] if own is not None else []
        stmt = select(TransferRow).where(
            readable(
                guard, col(TransferRow.tenant_id), col(TransferRow.from_organization_id), *extra
            )
        )
        if states:
            stmt = stmt.where(col(TransferRow.state).in_(states))
        if after is not None:
            stmt = stmt.where(col(TransferRow.id) < after)
        rows = (
            await uow.session.execute(stmt.order_by(col(TransferRow.id).desc()).limit(limit + 1))
        ).scalars()
        return [sending_view(r) for r in rows]
    astmt = select(TransferArrivalRow).where(
        readable(
            guard, col(TransferArrivalRow.tenant_id), col(TransferArrivalRow.to_organization_id)
        )
    )
    if states:
        astmt = astmt.where(col(TransferArrivalRow.state).in_(states))
    if after is not None:
        astmt = astmt.where(col(TransferArrivalRow.id) < after)
    arrivals = (
        await uow.session.execute(
            astmt.order_by(col(TransferArrivalRow.id).desc()).limit(limit + 1)
        )
    ).scalars()
    return [receiving_view(a) for a in arrivals]
