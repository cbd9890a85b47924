from __future__ import annotations

import pytest

from domain.shared import DomainError
from domain.transfers import Action, TransferState, move


def test_submit_goes_to_approval_or_straight_out() -> None:
    assert move(
        TransferState.DRAFT, Action.SUBMIT, approvals_done=0, approvals_required=1
    ).state is (TransferState.PENDING_APPROVAL)
    assert move(
        TransferState.RETURNED, Action.SUBMIT, approvals_done=2, approvals_required=0
    ).state is (TransferState.SENT)


def test_each_approval_counts_until_the_last_sends() -> None:
    first = move(
        TransferState.PENDING_APPROVAL, Action.APPROVE, approvals_done=0, approvals_required=2
    )
    assert (first.state, first.approvals_done) == (TransferState.PENDING_APPROVAL, 1)
    last = move(
        TransferState.PENDING_APPROVAL, Action.APPROVE, approvals_done=1, approvals_required=2
    )
    assert (last.state, last.approvals_done) == (TransferState.SENT, 2)


@pytest.mark.parametrize(
    ("state", "action"),
    [
        (TransferState.SENT, Action.APPROVE),
        (TransferState.ACCEPTED, Action.CANCEL),
        (TransferState.CANCELLED, Action.ACCEPT),
        (TransferState.EXPIRED, Action.ACCEPT),
        (TransferState.DRAFT, Action.ACCEPT),
        (TransferState.RETURNED, Action.RETURN),
        (TransferState.REJECTED, Action.SUBMIT),
    ],
)
def test_a_closed_or_wrong_state_is_refused_with_409(state: TransferState, action: Action) -> None:
    with pytest.raises(DomainError) as refused:
        move(state, action, approvals_done=0, approvals_required=1, reason="x")
    assert refused.value.code == "transfer_state_changed"


@pytest.mark.parametrize("action", [Action.REJECT, Action.RETURN])
def test_rejecting_and_returning_need_a_reason(action: Action) -> None:
    state = TransferState.PENDING_APPROVAL if action is Action.REJECT else TransferState.SENT
    with pytest.raises(DomainError) as refused:
        move(state, action, approvals_done=0, approvals_required=1, reason="  ")
    assert refused.value.code == "transfer_reason_needed"


def test_closed_states_are_not_open() -> None:
    assert {s for s in TransferState if not s.open} == {
        TransferState.ACCEPTED,
        TransferState.REJECTED,
        TransferState.CANCELLED,
        TransferState.EXPIRED,
    }
