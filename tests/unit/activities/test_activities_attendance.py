import uuid
from datetime import UTC, datetime, timedelta
from fractions import Fraction

import pytest

from domain.activities import (
    ActivityKind,
    AttendanceStatus,
    ExpectedAttendees,
    MemberStatus,
    RosterEntry,
    attendance,
    expected_attendees,
    quorum,
    volunteer_hours,
)
from domain.shared import ErrorKind
from domain.shared.errors import DomainError

BRANCH = uuid.uuid4()
NEIGHBOUR = uuid.uuid4()
ELSEWHERE = uuid.uuid4()


def member(
    org: uuid.UUID = BRANCH,
    *,
    probationary: bool = False,
    committee: bool = False,
) -> RosterEntry:
    status = MemberStatus.PROBATIONARY if probationary else MemberStatus.FULL
    return RosterEntry(uuid.uuid4(), status, committee, org)


def branch_of(full: int, probationary: int = 0) -> list[RosterEntry]:
    return [member() for _ in range(full)] + [
        member(probationary=True) for _ in range(probationary)
    ]


# --- expected attendees ----------------------------------------------------------------


def test_all_members_of_the_organizer_are_expected() -> None:
    roster = [*branch_of(3, 1), member(ELSEWHERE)]
    expected = expected_attendees(ActivityKind.THEME_DAY, [BRANCH], roster)
    assert expected.member_ids == {e.member_id for e in roster[:4]}


def test_joint_activity_expects_the_members_of_each_organization_once() -> None:
    ours, theirs = member(BRANCH), member(NEIGHBOUR)
    twice = RosterEntry(ours.member_id, ours.status, False, NEIGHBOUR)
    roster = [ours, theirs, twice, member(ELSEWHERE)]
    expected = expected_attendees(ActivityKind.PARTY_LECTURE, [BRANCH, NEIGHBOUR], roster)
    assert [e.member_id for e in expected] == [ours.member_id, theirs.member_id]


def test_committee_meeting_expects_only_the_committee() -> None:
    secretary = member(committee=True)
    officer = member(committee=True)
    roster = [secretary, officer, *branch_of(5)]
    expected = expected_attendees(ActivityKind.COMMITTEE_MEETING, [BRANCH], roster)
    assert expected.member_ids == {secretary.member_id, officer.member_id}


def test_activity_without_organizer_is_refused() -> None:
    with pytest.raises(DomainError) as caught:
        expected_attendees(ActivityKind.STUDY, [], branch_of(3))
    assert caught.value.code == "organization_required"


def test_secretary_edits_the_expected_list() -> None:
    roster = branch_of(3)
    expected = expected_attendees(ActivityKind.THEME_DAY, [BRANCH], roster)
    guest = member(ELSEWHERE)
    edited = expected.add(guest).remove(roster[0].member_id)
    assert edited.member_ids == {roster[1].member_id, roster[2].member_id, guest.member_id}
    assert len(expected) == 3  # the original is untouched
    with pytest.raises(DomainError) as caught:
        edited.add(guest)
    assert (caught.value.code, caught.value.kind) == ("already_expected", ErrorKind.CONFLICT)
    with pytest.raises(DomainError) as caught:
        edited.remove(roster[0].member_id)
    assert (caught.value.code, caught.value.kind) == ("not_expected", ErrorKind.NOT_FOUND)


# --- attendance ------------------------------------------------------------------------


def test_attendance_marks_present_on_leave_and_absent() -> None:
    a, b, c, d = branch_of(4)
    result = attendance(
        ExpectedAttendees((a, b, c, d)),
        present_member_ids=[a.member_id, d.member_id, uuid.uuid4()],
        approved_leave_member_ids=[b.member_id, d.member_id],
    )
    assert [ln.status for ln in result.lines] == [
        AttendanceStatus.PRESENT,
        AttendanceStatus.ON_LEAVE,
        AttendanceStatus.ABSENT,
        AttendanceStatus.PRESENT,  # came despite approved leave
    ]
    assert (result.expected, result.present, result.on_leave, result.absent) == (4, 2, 1, 1)
    assert result.rate == Fraction(1, 2)
    assert result.rate_excluding_leave == Fraction(2, 3)


def test_nobody_expected_has_no_rate() -> None:
    result = attendance([], [], [])
    assert result.rate is None
    assert result.rate_excluding_leave is None


def test_joint_activity_attendance_per_organization() -> None:
    ours, theirs = member(BRANCH), member(NEIGHBOUR)
    result = attendance([ours, theirs], [theirs.member_id], [])
    assert result.for_organization(BRANCH).present == 0
    assert result.for_organization(NEIGHBOUR).present == 1


# --- quorum ----------------------------------------------------------------------------


def congress(
    full: int, probationary: int, present_full: int, present_prob: int = 0, leave_full: int = 0
) -> tuple[int, int, bool]:
    roster = branch_of(full, probationary)
    full_members, prob_members = roster[:full], roster[full:]
    present = [m.member_id for m in full_members[:present_full]]
    present += [m.member_id for m in prob_members[:present_prob]]
    leave = [m.member_id for m in full_members[present_full : present_full + leave_full]]
    result = quorum(ActivityKind.BRANCH_CONGRESS, attendance(roster, present, leave))
    assert result is not None
    return result.base, result.required, result.met


def test_nine_voting_members_five_present_meets_quorum() -> None:
    assert congress(9, 0, present_full=5) == (9, 5, True)


def test_nine_voting_members_four_present_does_not() -> None:
    assert congress(9, 0, present_full=4) == (9, 5, False)


def test_probationary_members_neither_count_nor_lower_the_base() -> None:
    assert congress(9, 3, present_full=4, present_prob=3) == (9, 5, False)
    assert congress(9, 3, present_full=5, present_prob=0) == (9, 5, True)


def test_exactly_half_is_not_more_than_half() -> None:
    assert congress(10, 0, present_full=5) == (10, 6, False)
    assert congress(10, 0, present_full=6) == (10, 6, True)


def test_members_on_approved_leave_stay_in_the_voting_base() -> None:
    assert congress(9, 0, present_full=4, leave_full=4) == (9, 5, False)


def test_committee_meeting_needs_more_than_half_of_the_committee() -> None:
    committee = [member(committee=True) for _ in range(5)]
    expected = expected_attendees(ActivityKind.COMMITTEE_MEETING, [BRANCH], committee)
    three = quorum(
        ActivityKind.COMMITTEE_MEETING,
        attendance(expected, [m.member_id for m in committee[:3]], []),
    )
    two = quorum(
        ActivityKind.COMMITTEE_MEETING,
        attendance(expected, [m.member_id for m in committee[:2]], []),
    )
    assert three is not None
    assert three.met
    assert two is not None
    assert not two.met


def test_meetings_without_a_quorum_rule_and_empty_meetings() -> None:
    assert quorum(ActivityKind.THEME_DAY, attendance(branch_of(3), [], [])) is None
    empty = quorum(ActivityKind.BRANCH_CONGRESS, attendance(branch_of(0, 2), [], []))
    assert empty is not None
    assert empty.base == 0
    assert not empty.met


def test_volunteer_hours_are_the_scheduled_whole_hours() -> None:
    start = datetime(2026, 5, 1, 9, tzinfo=UTC)
    assert volunteer_hours(start, start + timedelta(hours=3, minutes=59)) == 3
    assert volunteer_hours(start, start + timedelta(minutes=59)) == 0
