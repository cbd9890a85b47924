"""How the sending side's record moves: every transition of a `transfer` row, with its
step, audit entry and event. One that reaches the receiving tenant (sending it, or
cancelling or expiring one sent or returned) is written whole by the door
`zhibu_transfer_advance`, which changes the row only at the version read; any other is
written by the app role on the row read again under FOR UPDATE. Either way a transition
is checked against the state it starts from, so two people acting at once move it once."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import text

from domain.shared import DISPLAY_ZONE, not_found
from domain.transfers import Action, TransferState, move, state_refused
from infra.db.routing import locked
from infra.db.session import UnitOfWork
from infra.transfers.common import (
    ADVANCE,
    Who,
    as_json,
    emit_transfer_event,
    step_row,
    through_door,
    transfer_event,
)
from infra.transfers.tables import TransferRow, TransferStepRow

_NEXT_NUMBER = text("SELECT nextval('transfer_letter_number')")
_CLOSED_ON_THE_OTHER_SIDE = (TransferState.CANCELLED, TransferState.EXPIRED)
_ON_THE_OTHER_SIDE = (TransferState.SENT, TransferState.RETURNED)
# What a transition changes: the door writes these columns of the row it is given.
_CHANGED = (
    "tenant_id",
    "id",
    "state",
    "approvals_done",
    "hold",
    "dues_paid_to",
    "member_status",
    "letter_number",
    "letter_issued_on",
    "sent_at",
    "expires_at",
    "updated_at",
    "closed_at",
    "version",
)
_TOPICS = {
    Action.SUBMIT: "transfer.submitted",
    Action.APPROVE: "transfer.approved",
    Action.REJECT: "transfer.rejected",
    Action.ACCEPT: "transfer.accepted",
    Action.CANCEL: "transfer.cancelled",
    Action.EXPIRE: "transfer.expired",
}


def local_day(now: datetime) -> Any:
    return now.astimezone(DISPLAY_ZONE).date()


def through_the_door(row: TransferRow, action: Action, *, reason: str | None = None) -> bool:
    """Whether `action` on `row` reaches the receiving tenant (so only the door writes)."""
    if row.to_tenant_id is None:
        return False
    before = TransferState(row.state)
    after = move(
        before,
        action,
        approvals_done=row.approvals_done,
        approvals_required=row.approvals_required,
        reason=reason,
    ).state
    return after is TransferState.SENT or (
        after in _CLOSED_ON_THE_OTHER_SIDE and before in _ON_THE_OTHER_SIDE
    )


async def advance(
    uow: UnitOfWork,
    row: TransferRow,
    action: Action,
    who: Who,
    *,
    now: datetime,
    level: int | None = None,
    reason: str | None = None,
    changes: Mapping[str, Any] | None = None,
) -> TransferRow:
    """Make `action`'s transition of `row` (read without a lock), with `changes` to it."""
    before = TransferState(row.state)
    if through_the_door(row, action, reason=reason):
        uow.session.expunge(row)
        step = await _apply(
            uow, row, action, who, now=now, level=level, reason=reason, changes=changes
        )
        topic, payload = _event(row, action, level)
        found = await through_door(
            uow,
            ADVANCE,
            {
                "tenant": row.tenant_id,
                "from_state": before.value,
                "row": as_json({name: getattr(row, name) for name in _CHANGED}),
                "step": as_json(step.model_dump()),
            },
            events=[
                transfer_event(row.tenant_id, row.id, row.from_organization_id, topic, **payload)
            ],
        )
        if found is None:
            raise not_found("transfer")
        if found != row.state:
            raise state_refused(TransferState(found), action)
        return row
    version = row.version
    row = await locked(uow.session, row)
    if row.version != version:
        raise state_refused(TransferState(row.state), action)
    step = await _apply(uow, row, action, who, now=now, level=level, reason=reason, changes=changes)
    uow.session.add(row)
    uow.session.add(step)
    topic, payload = _event(row, action, level)
    emit_transfer_event(uow, row.tenant_id, row.id, row.from_organization_id, topic, **payload)
    return row


async def _apply(
    uow: UnitOfWork,
    row: TransferRow,
    action: Action,
    who: Who,
    *,
    now: datetime,
    level: int | None,
    reason: str | None,
    changes: Mapping[str, Any] | None,
) -> TransferStepRow:
    """The transition on the row in memory, its audit entry recorded, its step returned."""
    before = TransferState(row.state)
    for name, value in (changes or {}).items():
        setattr(row, name, value)
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
    if moved.state is TransferState.SENT:
        await _letter(uow, row, now)
    uow.audit(
        f"transfer.{action.value}",
        "transfer",
        row.id,
        tenant_id=row.tenant_id,
        detail={"from": before.value, "to": row.state, "level": level, "reason": reason},
    )
    return step_row(
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


async def _letter(uow: UnitOfWork, row: TransferRow, now: datetime) -> None:
    """Sending: the letter is numbered (once, from the sequence), dated and given its
    validity."""
    if row.letter_number is None:
        row.letter_number = int((await uow.session.execute(_NEXT_NUMBER)).scalar_one())
    row.letter_issued_on = local_day(now)
    row.sent_at = now
    row.expires_at = now + timedelta(days=row.validity_days)


def _event(row: TransferRow, action: Action, level: int | None) -> tuple[str, dict[str, Any]]:
    if row.state == TransferState.SENT.value:
        return "transfer.sent", {"letter_number": row.letter_number}
    return _TOPICS[action], ({"level": level} if action is Action.APPROVE else {})
