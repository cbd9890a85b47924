"""The transfer's states (组织关系转接) and which action moves which state.

Every transition is checked here against the state the row was locked in; the adapter
then writes it with `WHERE state = <that state>`, so two people acting at once cannot
both move it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from domain.shared.errors import DomainError, ErrorKind
from domain.transfers.messages import MESSAGES


class TransferState(StrEnum):
    DRAFT = "draft"
    PENDING_APPROVAL = "pending_approval"
    SENT = "sent"
    ACCEPTED = "accepted"
    RETURNED = "returned"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    EXPIRED = "expired"

    @property
    def zh(self) -> str:
        return _STATE_ZH[self]

    @property
    def open(self) -> bool:
        return self not in CLOSED


_STATE_ZH = {
    TransferState.DRAFT: "草稿",
    TransferState.PENDING_APPROVAL: "待审批",
    TransferState.SENT: "已发出",
    TransferState.ACCEPTED: "已接收",
    TransferState.RETURNED: "已退回",
    TransferState.REJECTED: "不同意",
    TransferState.CANCELLED: "已撤销",
    TransferState.EXPIRED: "已过期",
}

CLOSED = frozenset(
    {
        TransferState.ACCEPTED,
        TransferState.REJECTED,
        TransferState.CANCELLED,
        TransferState.EXPIRED,
    }
)
OPEN_STATES = tuple(s.value for s in TransferState if s not in CLOSED)


class TransferKind(StrEnum):
    """转接类型: within the tenant, to another tenant, or out of the platform (paper)."""

    WITHIN_TENANT = "within_tenant"
    ACROSS_TENANTS = "across_tenants"
    OUTSIDE_PLATFORM = "outside_platform"


class TransferReason(StrEnum):
    WORK_CHANGE = "work_change"
    RESIDENCE_CHANGE = "residence_change"
    STUDY = "study"
    OTHER = "other"


class Action(StrEnum):
    SUBMIT = "submit"
    APPROVE = "approve"
    REJECT = "reject"
    ACCEPT = "accept"
    RETURN = "return"
    CANCEL = "cancel"
    EXPIRE = "expire"

    @property
    def zh(self) -> str:
        return _ACTION_ZH[self]


_ACTION_ZH = {
    Action.SUBMIT: "提交",
    Action.APPROVE: "审批",
    Action.REJECT: "不同意",
    Action.ACCEPT: "接收",
    Action.RETURN: "退回",
    Action.CANCEL: "撤销",
    Action.EXPIRE: "过期",
}

_FROM: dict[Action, frozenset[TransferState]] = {
    Action.SUBMIT: frozenset({TransferState.DRAFT, TransferState.RETURNED}),
    Action.APPROVE: frozenset({TransferState.PENDING_APPROVAL}),
    Action.REJECT: frozenset({TransferState.PENDING_APPROVAL}),
    Action.ACCEPT: frozenset({TransferState.SENT}),
    Action.RETURN: frozenset({TransferState.SENT}),
    Action.CANCEL: frozenset(
        {
            TransferState.DRAFT,
            TransferState.PENDING_APPROVAL,
            TransferState.SENT,
            TransferState.RETURNED,
        }
    ),
    Action.EXPIRE: frozenset({TransferState.SENT}),
}
_NEEDS_REASON = frozenset({Action.REJECT, Action.RETURN})


def state_refused(state: TransferState, action: Action) -> DomainError:
    """409: the transfer is in a state `action` does not start from (another action won)."""
    return MESSAGES.error(
        "transfer_state_changed",
        ErrorKind.CONFLICT,
        state=state.zh,
        state_en=state.value,
        action=action.zh,
        action_en=action.value,
    )


@dataclass(frozen=True, slots=True)
class Move:
    """Where an action takes a transfer: its new state and approvals counted."""

    state: TransferState
    approvals_done: int


def move(
    state: TransferState,
    action: Action,
    *,
    approvals_done: int,
    approvals_required: int,
    reason: str | None = None,
) -> Move:
    """The transition `action` makes from `state`, or 409 naming the state it is in."""
    if state not in _FROM[action]:
        raise state_refused(state, action)
    if action in _NEEDS_REASON and not (reason and reason.strip()):
        raise MESSAGES.error("transfer_reason_needed")
    if action is Action.SUBMIT:
        return _after_approvals(0, approvals_required)
    if action is Action.APPROVE:
        return _after_approvals(approvals_done + 1, approvals_required)
    target = {
        Action.REJECT: TransferState.REJECTED,
        Action.ACCEPT: TransferState.ACCEPTED,
        Action.RETURN: TransferState.RETURNED,
        Action.CANCEL: TransferState.CANCELLED,
        Action.EXPIRE: TransferState.EXPIRED,
    }[action]
    return Move(target, approvals_done)


def _after_approvals(done: int, required: int) -> Move:
    if done >= required:
        return Move(TransferState.SENT, done)
    return Move(TransferState.PENDING_APPROVAL, done)
