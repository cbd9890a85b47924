from datetime import date

import pytest

from domain.shared.errors import DomainError
from domain.tenancy import (
    CommitteePost,
    OrgKind,
    Term,
    check_post,
    check_term,
    default_term,
    posts_held,
)


@pytest.mark.parametrize(
    ("kind", "end"),
    [
        (OrgKind.PARTY_COMMITTEE, date(2030, 2, 28)),
        (OrgKind.GENERAL_BRANCH, date(2028, 2, 29)),
        (OrgKind.BRANCH, date(2028, 2, 29)),
    ],
)
def test_default_term_lengths(kind: OrgKind, end: date) -> None:
    assert default_term(kind, date(2025, 3, 1)) == Term(date(2025, 3, 1), end)


def test_term_starting_on_leap_day() -> None:
    assert default_term(OrgKind.BRANCH, date(2024, 2, 29)) == Term(
        date(2024, 2, 29), date(2027, 2, 27)
    )


def test_kinds_without_a_term() -> None:
    assert default_term(OrgKind.PARTY_GROUP, date(2025, 1, 1)) is None
    assert default_term(OrgKind.TEMPORARY_BRANCH, date(2025, 1, 1)) is None


def test_term_must_end_after_it_starts() -> None:
    with pytest.raises(DomainError) as exc:
        check_term(date(2025, 1, 1), date(2025, 1, 1))
    assert [e.field for e in exc.value.errors] == ["term_end"]


def test_party_group_holds_no_committee_posts() -> None:
    check_post(OrgKind.BRANCH, CommitteePost.DISCIPLINE_OFFICER)
    with pytest.raises(DomainError):
        check_post(OrgKind.PARTY_GROUP, CommitteePost.SECRETARY)


def test_posts_held_today_are_those_whose_term_has_not_ended() -> None:
    today = date(2026, 6, 1)
    posts = [
        ("secretary", None),
        ("deputy_secretary", date(2026, 6, 1)),
        ("organization_officer", date(2026, 5, 31)),
    ]
    assert posts_held(posts, today) == {"secretary", "deputy_secretary"}
