"""The sending side (转出): start a transfer, submit it, approve or reject it at each level
the tenant requires, cancel it. Each checks the actor's role at that level; the transition
itself (infra.transfers.transitions) is checked against the state it starts from."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError

from domain.shared import DomainError, ErrorKind, Guard, new_id, not_found
from domain.transfers import (
    MESSAGES,
    Action,
    DuesHold,
    TransferKind,
    TransferReason,
    TransferState,
    check_member,
    dues_hold,
    move,
    require_no_hold,
)
from infra.db.session import UnitOfWork
from infra.dues import member_account
from infra.members import LetterFacts, letter_facts, record_transfer_out
from infra.points import Reader, member_summary
from infra.tenancy import (
    branch_directory,
    effective_settings_of,
    organization_ref,
    tenant_ref,
)
from infra.transfers.common import Who, emit_transfer_event, find_transfer, sender_of, step_row
from infra.transfers.tables import TransferRow
from infra.transfers.transitions import advance, local_day, through_the_door


@dataclass(frozen=True, slots=True)
class StartRequest:
    member_id: uuid.UUID
    kind: TransferKind
    reason: TransferReason
    reason_note: str | None
    target_tenant_code: str | None
    target_organization_id: uuid.UUID | None
    outside_organization: str | None
    sender_contact: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class _Target:
    tenant_id: uuid.UUID | None
    tenant_name: str | None
    organization_id: uuid.UUID | None
    organization_name: str


def _own(who: Who, facts: LetterFacts) -> bool:
    return who.user_id is not None and facts.user_id == who.user_id


async def _target(uow: UnitOfWork, req: StartRequest, facts: LetterFacts) -> _Target:
    if req.kind is TransferKind.OUTSIDE_PLATFORM:
        if not (req.outside_organization and req.outside_organization.strip()):
            raise MESSAGES.error("transfer_target_outside_needed")
        return _Target(None, None, None, req.outside_organization.strip())
    if req.target_organization_id is None:
        raise MESSAGES.error("transfer_target_needed")
    found = await branch_directory(
        uow, tenant_code=req.target_tenant_code, organization_id=req.target_organization_id
    )
    if not found:
        raise not_found("organization")
    entry = found[0]
    if entry.organization_id == facts.organization_id:
        raise MESSAGES.error("transfer_target_same")
    if (req.kind is TransferKind.WITHIN_TENANT) != (entry.tenant_id == facts.tenant_id):
        raise MESSAGES.error("transfer_target_kind")
    return _Target(
        entry.tenant_id, entry.tenant_name, entry.organization_id, entry.organization_name
    )


async def _dues(
    uow: UnitOfWork, guard: Guard, who: Who, facts: LetterFacts, now: datetime
) -> tuple[DuesHold | None, Any]:
    """What the dues ledger says: the hold (months owed up to this one) and 党费交至."""
    account = await member_account(
        uow,
        guard,
        facts.id,
        tenant_id=who.tenant_id or facts.tenant_id,
        user_id=who.user_id or uuid.UUID(int=0),
    )
    this_month = local_day(now).replace(day=1)
    return dues_hold(
        account.open_months, account.balance_fen, this_month=this_month
    ), account.paid_to


async def _points(
    uow: UnitOfWork, guard: Guard, who: Who, facts: LetterFacts, now: datetime
) -> int | None:
    """This year's point total, carried on the transfer when the starter may read it."""
    if who.user_id is None or who.tenant_id is None:
        return None
    try:
        summary = await member_summary(
            uow,
            guard,
            Reader(who.user_id, who.tenant_id),
            facts.id,
            period=str(local_day(now).year),
        )
    except DomainError:
        return None
    return summary.total


async def start_transfer(
    uow: UnitOfWork, guard: Guard, who: Who, req: StartRequest, *, now: datetime
) -> TransferRow:
    facts = await letter_facts(uow, req.member_id)
    if facts is None:
        raise not_found("member")
    org = await organization_ref(uow, facts.organization_id, tenant_id=facts.tenant_id)
    tenant = await tenant_ref(uow, facts.tenant_id)
    if org is None or tenant is None:
        raise not_found("member")
    if not _own(who, facts):
        guard.require("transfer", "write", org.domain)
    check_member(facts.status, facts.admitted_on, today=local_day(now))
    target = await _target(uow, req, facts)
    hold, paid_to = await _dues(uow, guard, who, facts, now)
    settings = await effective_settings_of(uow, facts.tenant_id)
    row = TransferRow(
        tenant_id=facts.tenant_id,
        id=new_id(),
        member_id=facts.id,
        kind=req.kind.value,
        reason=req.reason.value,
        reason_note=req.reason_note,
        state=TransferState.DRAFT.value,
        from_organization_id=facts.organization_id,
        from_tenant_name=tenant.name,
        from_organization_name=org.name,
        to_tenant_id=target.tenant_id,
        to_organization_id=target.organization_id,
        to_tenant_name=target.tenant_name,
        to_organization_name=target.organization_name,
        approvals_required=settings.transfer_approval_levels,
        started_by=who.user_id or uuid.UUID(int=0),
        started_by_name=who.name,
        hold=hold.as_json() if hold else None,
        validity_days=settings.transfer_letter_validity_days,
        member_name=facts.name,
        member_gender=facts.gender,
        member_birth_date=facts.birth_date,
        member_ethnicity=facts.ethnicity,
        member_status=facts.status,
        member_id_number_enc=facts.id_number_enc,
        member_id_number_masked=facts.id_number_masked,
        member_phone_enc=facts.phone_enc,
        member_phone_masked=facts.phone_masked,
        dues_paid_to=paid_to,
        points_carried=await _points(uow, guard, who, facts, now),
        sender_contact=req.sender_contact,
    )
    try:
        async with uow.session.begin_nested():
            uow.session.add(row)
            await uow.session.flush()
    except IntegrityError:
        raise MESSAGES.error("transfer_open_exists", ErrorKind.CONFLICT) from None
    step = step_row(
        tenant_id=row.tenant_id,
        transfer_id=row.id,
        side="sending",
        action="start",
        from_state=None,
        to_state=row.state,
        who=who,
        reason=req.reason_note,
    )
    uow.session.add(step)
    uow.audit(
        "transfer.start",
        "transfer",
        row.id,
        tenant_id=row.tenant_id,
        detail={"member_id": str(row.member_id), "kind": row.kind, "held": hold is not None},
    )
    emit_transfer_event(
        uow, row.tenant_id, row.id, row.from_organization_id, "transfer.started", kind=row.kind
    )
    if hold is None:
        if through_the_door(row, Action.SUBMIT):
            uow.keep_apart(_submitted_apart(guard, who, row.id, now=now))
        else:
            await advance(uow, row, Action.SUBMIT, who, now=now)
    return row


def _submitted_apart(
    guard: Guard, who: Who, transfer_id: uuid.UUID, *, now: datetime
) -> Callable[[UnitOfWork], Awaitable[None]]:
    """With no approval due, a transfer to a platform organization is sent as soon as it
    starts, but through the door, which must be the only writer of its transaction: so
    once the start has committed, in a transaction of its own (should that fail, the
    draft waits to be submitted)."""

    async def submit(uow: UnitOfWork) -> None:
        await submit_transfer(uow, guard, who, transfer_id, now=now)

    return submit


async def _for_sender(
    uow: UnitOfWork, guard: Guard, who: Who, transfer_id: uuid.UUID, *, own_allowed: bool
) -> TransferRow:
    row = await find_transfer(uow, transfer_id)
    if row is None:
        raise not_found("transfer")
    sender = await sender_of(uow, row)
    if own_allowed:
        facts = await letter_facts(uow, row.member_id)
        if facts is not None and _own(who, facts):
            return row
    guard.require("transfer", "write", sender.domain)
    return row


async def submit_transfer(
    uow: UnitOfWork, guard: Guard, who: Who, transfer_id: uuid.UUID, *, now: datetime
) -> TransferRow:
    """Submit a held draft or resubmit a returned transfer: the checks run again."""
    row = await _for_sender(uow, guard, who, transfer_id, own_allowed=True)
    move(
        TransferState(row.state),
        Action.SUBMIT,
        approvals_done=row.approvals_done,
        approvals_required=row.approvals_required,
    )
    facts = await letter_facts(uow, row.member_id)
    if facts is None:
        raise not_found("transfer")
    check_member(facts.status, facts.admitted_on, today=local_day(now))
    hold, paid_to = await _dues(uow, guard, who, facts, now)
    require_no_hold(hold)
    changes = {"hold": None, "dues_paid_to": paid_to, "member_status": facts.status}
    return await advance(uow, row, Action.SUBMIT, who, now=now, changes=changes)


async def decide_transfer(
    uow: UnitOfWork,
    guard: Guard,
    who: Who,
    transfer_id: uuid.UUID,
    *,
    approve: bool,
    reason: str | None,
    now: datetime,
) -> TransferRow:
    """Approve or reject at the level due: `transfer:approve` on that level's organization."""
    row = await find_transfer(uow, transfer_id)
    if row is None:
        raise not_found("transfer")
    sender = await sender_of(uow, row)
    level = row.approvals_done + 1
    domain = sender.approval_domain(level)
    if not guard.can("transfer", "approve", domain):
        guard.require("transfer", "read", sender.domain)
        raise MESSAGES.error(
            "transfer_not_your_level",
            ErrorKind.FORBIDDEN,
            code="forbidden",
            level=level,
            domain=domain,
        )
    action = Action.APPROVE if approve else Action.REJECT
    return await advance(uow, row, action, who, now=now, level=level, reason=reason)


async def cancel_transfer(
    uow: UnitOfWork,
    guard: Guard,
    who: Who,
    transfer_id: uuid.UUID,
    *,
    reason: str | None,
    now: datetime,
) -> TransferRow:
    """Cancel while it is open; a sent one's arrival closes through the door."""
    row = await _for_sender(uow, guard, who, transfer_id, own_allowed=True)
    return await advance(uow, row, Action.CANCEL, who, now=now, reason=reason)


async def expire_transfer(uow: UnitOfWork, row: TransferRow, who: Who, *, now: datetime) -> None:
    """The letter's validity has run out while it was sent (the expiry schedule)."""
    found = await find_transfer(uow, row.id)
    if found is None or found.state != TransferState.SENT.value:
        return
    if found.expires_at is None or found.expires_at > now:
        return
    await advance(uow, found, Action.EXPIRE, who, now=now)


async def record_receipt(
    uow: UnitOfWork,
    guard: Guard,
    who: Who,
    transfer_id: uuid.UUID,
    *,
    note: str | None,
    now: datetime,
) -> TransferRow:
    """A transfer out of the platform closes when the sending side records the paper
    receipt (回执) it got back; the member's record stays as history, transferred out."""
    row = await _for_sender(uow, guard, who, transfer_id, own_allowed=False)
    if row.kind != TransferKind.OUTSIDE_PLATFORM.value:
        raise MESSAGES.error("transfer_receipt_outside_only", ErrorKind.CONFLICT)
    row = await advance(
        uow, row, Action.ACCEPT, who, now=now, reason=note, changes={"receipt_note": note}
    )
    await record_transfer_out(uow, row.member_id, transfer_id=row.id, now=now)
    return row
