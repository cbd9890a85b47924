"""Votes computed from their counts, who approves, extension once only, order and inputs."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from pipeline_builders import DATES, NOTICES, draft, file_through, record

from domain.development import (
    STEPS,
    ApplicantStatus,
    Decision,
    Document,
    OrgNode,
    Stage,
    VoteCount,
    approving_organization,
    check_approver,
    replay,
)
from domain.shared import DomainError, ErrorKind

# ---------------------------------------------------------------- the pipeline as data


def test_five_stages_and_twenty_five_steps_in_order() -> None:
    assert [s.number for s in STEPS] == list(range(1, 26))
    assert {s.stage for s in STEPS} == set(Stage)
    assert [s.stage for s in STEPS] == sorted(s.stage for s in STEPS)
    assert len({s.code for s in STEPS}) == 25


# ---------------------------------------------------------------- votes


@pytest.mark.parametrize(
    ("entitled", "present", "yes", "passed"),
    [
        (10, 10, 5, False),  # exactly half of those due is not more than half
        (10, 6, 6, True),
        (10, 10, 6, True),
        (9, 8, 5, True),  # 5 > 4.5
        (9, 8, 4, False),
        (10, 5, 5, False),  # not quorate: 5 present of 10 is not more than half
        (10, 6, 5, False),  # yes > half of those present (6) but not of those due (10)
    ],
)
def test_yes_must_exceed_half_of_the_full_members_due_to_attend(
    entitled: int, present: int, yes: int, passed: bool
) -> None:
    vote = VoteCount(entitled=entitled, present=present, yes=yes, no=present - yes, abstain=0)
    assert vote.passed is passed


def test_the_outcome_of_an_admission_vote_is_computed_never_typed() -> None:
    before = file_through(14)
    with pytest.raises(DomainError) as caught:
        record(before, draft(15, decision=Decision.APPROVED))
    assert {e.code for e in caught.value.errors} == {"computed"}
    close = VoteCount(entitled=10, present=10, yes=5, no=5, abstain=0)
    assert record(before, draft(15, vote=close))[-1].decision is Decision.REJECTED


@pytest.mark.parametrize(
    ("vote", "code"),
    [
        (VoteCount(entitled=0, present=0, yes=0, no=0, abstain=0), "empty"),
        (VoteCount(entitled=5, present=6, yes=4, no=0, abstain=0), "too_many"),
        (VoteCount(entitled=9, present=6, yes=5, no=2, abstain=0), "too_many_ballots"),
        (VoteCount(entitled=9, present=6, yes=-1, no=2, abstain=0), "negative"),
    ],
)
def test_counts_that_cannot_add_up_are_refused(vote: VoteCount, code: str) -> None:
    with pytest.raises(DomainError) as caught:
        record(file_through(14), draft(15, vote=vote))
    assert caught.value.kind is ErrorKind.INVALID
    assert [e.code for e in caught.value.errors] == [code]


# ---------------------------------------------------------------- who approves


def node(kind: str, *, authority: bool = True) -> OrgNode:
    return OrgNode(uuid.uuid4(), kind, kind, f"zb/x/{kind}", has_authority=authority)


def test_the_nearest_party_committee_with_authority_approves() -> None:
    general_branch = node("general_branch")
    village = node("party_committee", authority=False)
    county = node("party_committee")
    assert approving_organization([general_branch, village, county]) is county


def test_a_general_branch_never_approves() -> None:
    error = check_approver(node("general_branch"))
    assert error is not None
    assert error.kind is ErrorKind.FORBIDDEN
    assert check_approver(node("party_committee")) is None
    assert check_approver(node("party_committee", authority=False)) is not None
    with pytest.raises(DomainError) as caught:
        approving_organization([node("general_branch")])
    assert caught.value.code == "development_no_approver"


# ---------------------------------------------------------------- probation


def _vote_23(records: tuple, on: date, **changes: object) -> tuple:
    notice = NOTICES[23]
    shift = on - DATES[23]
    moved = type(notice)(notice.starts_on + shift, notice.ends_on + shift)
    return record(records, draft(23, on, notice=moved, **changes))


def test_probation_is_extended_once_only_and_the_extension_moves_its_end() -> None:
    extended = _vote_23(file_through(22), DATES[23], decision=Decision.EXTEND, extension_months=6)
    extended = record(extended, draft(24))
    state = replay(extended)
    assert state.extended
    assert state.position == 21
    assert state.probation_ends_on == date(2026, 3, 20)
    with pytest.raises(DomainError) as caught:
        record(extended, draft(22, date(2026, 3, 19)))
    assert caught.value.extra == {"rule": "probation", "possible_from": "2026-03-20"}
    again = record(extended, draft(22, date(2026, 3, 20)))
    with pytest.raises(DomainError) as caught:
        _vote_23(again, date(2026, 3, 23), decision=Decision.EXTEND, extension_months=6)
    assert [e.code for e in caught.value.errors] == ["extended_once"]
    full = record(_vote_23(again, date(2026, 3, 23)), draft(24, date(2026, 4, 1)))
    assert replay(full).full_member_on == date(2026, 3, 20)


@pytest.mark.parametrize("months", [5, 13, None])
def test_an_extension_is_six_to_twelve_months(months: int | None) -> None:
    with pytest.raises(DomainError) as caught:
        _vote_23(file_through(22), DATES[23], decision=Decision.EXTEND, extension_months=months)
    assert [e.code for e in caught.value.errors] == ["range"]


def test_revocation_approved_closes_the_file_after_archiving() -> None:
    revoked = record(_vote_23(file_through(22), DATES[23], decision=Decision.REVOKE), draft(24))
    assert replay(revoked).status is ApplicantStatus.REVOKED
    archived = record(revoked, draft(25))
    with pytest.raises(DomainError) as caught:
        record(archived, draft(25, DATES[25] + timedelta(days=1)))
    assert caught.value.extra["rule"] == "file_closed"


def test_admission_refused_by_the_committee_closes_the_file() -> None:
    refused = record(file_through(16), draft(17, decision=Decision.REJECTED))
    assert replay(refused).status is ApplicantStatus.NOT_ADMITTED
    with pytest.raises(DomainError) as caught:
        record(refused, draft(17, DATES[17] + timedelta(days=1)))
    assert caught.value.extra == {"rule": "file_closed", "possible_from": None}


# ---------------------------------------------------------------- order and inputs


def test_no_step_may_be_skipped() -> None:
    with pytest.raises(DomainError) as caught:
        record(file_through(8), draft(10))
    assert caught.value.extra == {"rule": "step_order", "possible_from": None}


def test_a_step_cannot_precede_the_one_before_it_or_lie_in_the_future() -> None:
    before = file_through(9)
    with pytest.raises(DomainError) as caught:
        record(before, draft(10, DATES[9] - timedelta(days=1)))
    assert caught.value.extra == {"rule": "after_previous_step", "possible_from": "2024-07-20"}
    with pytest.raises(DomainError) as caught:
        record(before, draft(10, date(2027, 1, 1)))
    assert caught.value.extra["rule"] == "not_in_future"


def test_every_missing_input_is_reported_at_once() -> None:
    bare = draft(
        15,
        documents=frozenset(),
        meeting=None,
        vote=None,
    )
    with pytest.raises(DomainError) as caught:
        record(file_through(14), bare)
    assert caught.value.kind is ErrorKind.INVALID
    assert {e.field for e in caught.value.errors} == {"documents", "meeting_id", "vote"}


def test_mentors_and_sponsors_are_full_members_in_the_right_number() -> None:
    with pytest.raises(DomainError) as caught:
        record(file_through(4), draft(5, mentor_statuses=("full", "probationary")))
    assert [(e.field, e.code) for e in caught.value.errors] == [("mentors[1]", "not_full_member")]
    with pytest.raises(DomainError) as caught:
        record(file_through(8), draft(9, sponsor_statuses=("full",)))
    assert [e.code for e in caught.value.errors] == ["count"]
    with pytest.raises(DomainError) as caught:
        record(file_through(8), draft(9, sponsor_statuses=("full", None)))
    assert [e.code for e in caught.value.errors] == ["not_full_member"]


def test_a_meeting_step_is_taken_at_a_meeting_of_its_kind_on_its_day() -> None:
    from domain.development import Meeting

    with pytest.raises(DomainError) as caught:
        record(file_through(14), draft(15, meeting=Meeting.COMMITTEE_MEETING))
    assert [e.code for e in caught.value.errors] == ["wrong_kind"]
    with pytest.raises(DomainError) as caught:
        record(file_through(14), draft(15, meeting_on=DATES[14]))
    assert [e.code for e in caught.value.errors] == ["not_meeting_day"]


def test_a_candidate_leaving_soon_is_not_admitted() -> None:
    with pytest.raises(DomainError) as caught:
        record(file_through(12), draft(13, leaving_unit_soon=True))
    assert caught.value.extra["rule"] == "leaving_unit_soon"


def test_the_application_needs_its_letter() -> None:
    with pytest.raises(DomainError) as caught:
        record((), draft(1, documents=frozenset({Document.TALK_RECORD})))
    assert [e.field for e in caught.value.errors] == ["documents"]
