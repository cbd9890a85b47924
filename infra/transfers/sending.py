"""The sending side (转出): start a transfer, submit it, approve or reject it at each level
the tenant requires, cancel it. Each transition re-reads the transfer under FOR UPDATE and
is checked against the state the lock saw and the actor's role at that level."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from domain.shared import DISPLAY_ZONE, DomainError, ErrorKind, Guard, new_id, not_found
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
from infra.transfers.common import (
    DELIVER,
    WITHDRAW,
    Sender,
    Who,
    add_step,
    emit_transfer_event,
    find_transfer,
    sender_of,
    through_door,
)
from infra.transfers.tables import TransferRow

_NEXT_NUMBER = text("SELECT nextval('transfer_letter_number')")


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


def _local_day(now: datetime) -> Any:
    return now.astimezone(DISPLAY_ZONE).date()


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
    this_month = _local_day(now).replace(day=1)
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
            period=str(_local_day(now).year),
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
    check_member(facts.status, facts.admitted_on, today=_local_day(now))
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
    add_step(
        uow,
        tenant_id=row.tenant_id,
        transfer_id=row.id,
        side="sending",
        action="start",
        from_state=None,
        to_state=row.state,
        who=who,
        reason=req.reason_note,
    )
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
        await _submit(uow, row, who, now=now, paid_to=paid_to)
    return row


async def _send(uow: UnitOfWork, row: TransferRow, who: Who, *, now: datetime) -> None:
    """The last approval: the letter is numbered (once, from the sequence), dated and given
    its validity, and the transfer is delivered to the receiving side."""
    if row.letter_number is None:
        row.letter_number = int((await uow.session.execute(_NEXT_NUMBER)).scalar_one())
    row.letter_issued_on = _local_day(now)
    row.sent_at = now
    row.expires_at = now + timedelta(days=row.validity_days)
    uow.session.add(row)
    await uow.session.flush()
    if row.to_tenant_id is not None:
        through_door(uow)
        await uow.session.execute(
            DELIVER, {"tenant": row.tenant_id, "id": row.id, "actor": who.name}
        )
    emit_transfer_event(
        uow,
        row.tenant_id,
        row.id,
        row.from_organization_id,
        "transfer.sent",
        letter_number=row.letter_number,
    )


async def _transition(
    uow: UnitOfWork,
    row: TransferRow,
    action: Action,
    who: Who,
    *,
    now: datetime,
    level: int | None = None,
    reason: str | None = None,
) -> TransferState:
    before = TransferState(row.state)
    moved = move(
        before,
        action,
        approvals_done=row.approvals_done,
        approvals_required=row.approvals_required,
        reason=reason,
    )
    row.state = moved.state.value
    row.approvals_done = moved.approvals_done
    row.updated_at = now
    row.version += 1
    if not moved.state.open:
        row.closed_at = now
    uow.session.add(row)
    add_step(
        uow,
        tenant_id=row.tenant_id,
        transfer_id=row.id,
        side="sending",
        action=action.value,
        from_state=before.value,
        to_state=row.state,
        who=who,
        level=level,
        reason=reason,
    )
    uow.audit(
        f"transfer.{action.value}",
        "transfer",
        row.id,
        tenant_id=row.tenant_id,
        detail={"from": before.value, "to": row.state, "level": level, "reason": reason},
    )
    return before


async def _submit(
    uow: UnitOfWork, row: TransferRow, who: Who, *, now: datetime, paid_to: Any
) -> None:
    row.hold = None
    row.dues_paid_to = paid_to
    await _transition(uow, row, Action.SUBMIT, who, now=now)
    if row.state == TransferState.SENT.value:
        await _send(uow, row, who, now=now)
    else:
        emit_transfer_event(
            uow, row.tenant_id, row.id, row.from_organization_id, "transfer.submitted"
        )


async def _locked_for_sender(
    uow: UnitOfWork, guard: Guard, who: Who, transfer_id: uuid.UUID, *, own_allowed: bool
) -> tuple[TransferRow, Sender]:
    row = await find_transfer(uow, transfer_id, lock=True)
    if row is None:
        raise not_found("transfer")
    sender = await sender_of(uow, row)
    if own_allowed:
        facts = await letter_facts(uow, row.member_id)
        if facts is not None and _own(who, facts):
            return row, sender
    guard.require("transfer", "write", sender.domain)
    return row, sender


async def submit_transfer(
    uow: UnitOfWork, guard: Guard, who: Who, transfer_id: uuid.UUID, *, now: datetime
) -> TransferRow:
    """Submit a held draft or resubmit a returned transfer: the checks run again."""
    row, _ = await _locked_for_sender(uow, guard, who, transfer_id, own_allowed=True)
    move(
        TransferState(row.state),
        Action.SUBMIT,
        approvals_done=row.approvals_done,
        approvals_required=row.approvals_required,
    )
    facts = await letter_facts(uow, row.member_id)
    if facts is None:
        raise not_found("transfer")
    check_member(facts.status, facts.admitted_on, today=_local_day(now))
    hold, paid_to = await _dues(uow, guard, who, facts, now)
    require_no_hold(hold)
    row.member_status = facts.status
    await _submit(uow, row, who, now=now, paid_to=paid_to)
    return row


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
    row = await find_transfer(uow, transfer_id, lock=True)
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
    await _transition(uow, row, action, who, now=now, level=level, reason=reason)
    if row.state == TransferState.SENT.value:
        await _send(uow, row, who, now=now)
    elif not approve:
        emit_transfer_event(
            uow, row.tenant_id, row.id, row.from_organization_id, "transfer.rejected"
        )
    else:
        emit_transfer_event(
            uow, row.tenant_id, row.id, row.from_organization_id, "transfer.approved", level=level
        )
    return row


async def cancel_transfer(
    uow: UnitOfWork,
    guard: Guard,
    who: Who,
    transfer_id: uuid.UUID,
    *,
    reason: str | None,
    now: datetime,
) -> TransferRow:
    """Cancel while it is open; a sent one's arrival closes through the withdraw door."""
    row, _ = await _locked_for_sender(uow, guard, who, transfer_id, own_allowed=True)
    before = await _transition(uow, row, Action.CANCEL, who, now=now, reason=reason)
    await uow.session.flush()
    if before in (TransferState.SENT, TransferState.RETURNED) and row.to_tenant_id is not None:
        through_door(uow)
        await uow.session.execute(
            WITHDRAW, {"tenant": row.tenant_id, "id": row.id, "reason": reason, "actor": who.name}
        )
    emit_transfer_event(uow, row.tenant_id, row.id, row.from_organization_id, "transfer.cancelled")
    return row


async def expire_transfer(uow: UnitOfWork, row: TransferRow, who: Who, *, now: datetime) -> None:
    """The letter's validity has run out while it was sent (the expiry schedule)."""
    row = await find_transfer(uow, row.id, lock=True) or row
    if row.state != TransferState.SENT.value or row.expires_at is None or row.expires_at > now:
        return
    await _transition(uow, row, Action.EXPIRE, who, now=now)
    await uow.session.flush()
    if row.to_tenant_id is not None:
        through_door(uow)
        await uow.session.execute(
            WITHDRAW, {"tenant": row.tenant_id, "id": row.id, "reason": None, "actor": who.name}
        )
    emit_transfer_event(uow, row.tenant_id, row.id, row.from_organization_id, "transfer.expired")


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
    row, _ = await _locked_for_sender(uow, guard, who, transfer_id, own_allowed=False)
    if row.kind != TransferKind.OUTSIDE_PLATFORM.value:
        raise MESSAGES.error("transfer_receipt_outside_only", ErrorKind.CONFLICT)
    await _transition(uow, row, Action.ACCEPT, who, now=now, reason=note)
    row.receipt_note = note
    await record_transfer_out(uow, row.member_id, transfer_id=row.id, now=now)
    emit_transfer_event(uow, row.tenant_id, row.id, row.from_organization_id, "transfer.accepted")
    return row
