import itertools
import uuid
from datetime import UTC, datetime

import pytest

from domain.activities import (
    ActivityKind,
    ActivityStatus,
    LeaveRequest,
    LeaveStatus,
    allowed_transitions,
    change_status,
)
from domain.shared import ErrorKind
from domain.shared.errors import DomainError

NOW = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
ALLOWED = {
    (ActivityStatus.PLANNED, ActivityStatus.ONGOING),
    (ActivityStatus.ONGOING, ActivityStatus.FINISHED),
    (ActivityStatus.FINISHED, ActivityStatus.ARCHIVED),
    (ActivityStatus.PLANNED, ActivityStatus.CANCELLED),
    (ActivityStatus.ONGOING, ActivityStatus.CANCELLED),
}


def test_every_kind_has_chinese_and_english_labels() -> None:
    assert ActivityKind.BRANCH_CONGRESS.label_zh == "支部党员大会"
    assert ActivityKind.COMMITTEE_MEETING.label_zh == "支委会"
    assert ActivityKind.THEME_DAY.label_zh == "主题党日"
    for kind in ActivityKind:
        assert kind.label_zh
        assert kind.label_en


def test_three_meetings_one_lecture() -> None:
    assert {k for k in ActivityKind if k.is_three_meetings_one_lecture} == {
        ActivityKind.BRANCH_CONGRESS,
        ActivityKind.COMMITTEE_MEETING,
        ActivityKind.GROUP_MEETING,
        ActivityKind.PARTY_LECTURE,
    }


def test_the_normal_path_runs_to_archived() -> None:
    status = ActivityStatus.PLANNED
    for target in (ActivityStatus.ONGOING, ActivityStatus.FINISHED, ActivityStatus.ARCHIVED):
        status = change_status(status, target)
    assert status is ActivityStatus.ARCHIVED
    assert allowed_transitions(status) == frozenset()


@pytest.mark.parametrize(
    ("current", "target"),
    [pair for pair in itertools.product(ActivityStatus, repeat=2) if pair not in ALLOWED],
)
def test_any_other_move_is_an_invalid_transition(
    current: ActivityStatus, target: ActivityStatus
) -> None:
    with pytest.raises(DomainError) as caught:
        change_status(current, target, reason="会议室被占用")
    assert caught.value.code == "invalid_transition"
    assert caught.value.kind is ErrorKind.CONFLICT
    assert caught.value.message.zh
    assert current.value in caught.value.message.en


@pytest.mark.parametrize("current", [ActivityStatus.PLANNED, ActivityStatus.ONGOING])
def test_cancelling_needs_a_reason(current: ActivityStatus) -> None:
    for reason in (None, "", "   "):
        with pytest.raises(DomainError) as caught:
            change_status(current, ActivityStatus.CANCELLED, reason=reason)
        assert caught.value.code == "cancel_reason_required"
        assert caught.value.errors[0].field == "reason"
    assert change_status(current, ActivityStatus.CANCELLED, reason="台风停课") is (
        ActivityStatus.CANCELLED
    )


def test_only_finished_and_archived_count_as_held() -> None:
    assert {s for s in ActivityStatus if s.counts_as_held} == {
        ActivityStatus.FINISHED,
        ActivityStatus.ARCHIVED,
    }


def _leave() -> LeaveRequest:
    return LeaveRequest.request(
        activity_id=uuid.uuid4(), member_id=uuid.uuid4(), reason="  出差  ", now=NOW
    )


def test_leave_request_is_approved_by_the_secretary() -> None:
    secretary = uuid.uuid4()
    approved = _leave().approve(by=secretary, now=NOW)
    assert approved.status is LeaveStatus.APPROVED
    assert approved.reason == "出差"
    assert approved.decided_by == secretary
    assert approved.decided_at == NOW


def test_leave_request_can_be_rejected_with_a_note_or_withdrawn() -> None:
    rejected = _leave().reject(by=uuid.uuid4(), now=NOW, note=" 会议需表决，请务必参加 ")
    assert rejected.status is LeaveStatus.REJECTED
    assert rejected.decision_note == "会议需表决，请务必参加"
    withdrawn = _leave().withdraw(now=NOW)
    assert withdrawn.status is LeaveStatus.WITHDRAWN
    assert withdrawn.decided_by == withdrawn.member_id


def test_a_decided_leave_request_cannot_be_decided_again() -> None:
    approved = _leave().approve(by=uuid.uuid4(), now=NOW)
    for decide in (
        lambda: approved.reject(by=uuid.uuid4(), now=NOW),
        lambda: approved.approve(by=uuid.uuid4(), now=NOW),
        lambda: approved.withdraw(now=NOW),
    ):
        with pytest.raises(DomainError) as caught:
            decide()
        assert caught.value.code == "invalid_transition"
        assert caught.value.kind is ErrorKind.CONFLICT


def test_leave_request_needs_a_reason() -> None:
    with pytest.raises(DomainError) as caught:
        LeaveRequest.request(activity_id=uuid.uuid4(), member_id=uuid.uuid4(), reason=" ", now=NOW)
    assert caught.value.code == "leave_reason_required"
