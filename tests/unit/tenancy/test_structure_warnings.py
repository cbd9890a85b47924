from datetime import date

from domain.tenancy import CommitteePost, OrgKind, StructureWarning, structure_warnings

TODAY = date(2025, 6, 1)
FULL_COMMITTEE = {"secretary", "organization_officer", "publicity_officer", "discipline_officer"}


def codes(warnings: list[StructureWarning]) -> list[str]:
    return [w.code for w in warnings]


def branch(
    full: int,
    members: int | None = None,
    posts: set[str] | None = None,
    term_end: date | None = None,
    committee_size: int | None = None,
) -> list[str]:
    return codes(
        structure_warnings(
            OrgKind.BRANCH,
            full_member_count=full,
            member_count=full if members is None else members,
            posts_filled={"secretary"} if posts is None else posts,
            term_end=term_end,
            today=TODAY,
            committee_size=committee_size,
        )
    )


def test_healthy_small_branch_has_no_warnings() -> None:
    assert branch(5) == []


def test_branch_below_three_full_members_should_join_others() -> None:
    assert branch(2, members=4) == ["branch_too_few_full_members"]


def test_branch_above_fifty_members_is_flagged() -> None:
    assert branch(51, posts=FULL_COMMITTEE) == ["branch_too_large"]
    assert branch(50, posts=FULL_COMMITTEE) == []


def test_seven_full_members_need_a_committee() -> None:
    assert branch(6) == []
    assert branch(7) == ["branch_committee_missing", "branch_committee_posts_missing"]


def test_committee_posts_may_be_held_concurrently() -> None:
    assert branch(9, posts=FULL_COMMITTEE, committee_size=3) == []


def test_missing_posts_are_named() -> None:
    warnings = structure_warnings(
        OrgKind.BRANCH,
        full_member_count=9,
        member_count=9,
        posts_filled={"secretary", "organization_officer", "deputy_secretary"},
        term_end=None,
        today=TODAY,
    )
    assert codes(warnings) == ["branch_committee_posts_missing"]
    assert "宣传委员" in warnings[0].message.zh
    assert "纪检委员" in warnings[0].message.zh


def test_committee_above_seven_is_flagged() -> None:
    assert branch(30, posts=FULL_COMMITTEE, committee_size=8) == ["committee_too_large"]


def test_missing_secretary_is_flagged_but_not_for_party_groups() -> None:
    assert branch(4, posts=set()) == ["no_secretary"]
    group = structure_warnings(
        OrgKind.PARTY_GROUP,
        full_member_count=1,
        member_count=1,
        posts_filled=set(),
        term_end=None,
        today=TODAY,
    )
    assert group == []


def test_general_branch_of_a_hundred_should_be_a_committee() -> None:
    def general(members: int) -> list[str]:
        return codes(
            structure_warnings(
                OrgKind.GENERAL_BRANCH,
                full_member_count=members,
                member_count=members,
                posts_filled={CommitteePost.SECRETARY},
                term_end=None,
                today=TODAY,
            )
        )

    assert general(99) == []
    assert general(100) == ["general_branch_should_be_committee"]


def test_small_party_committee_is_not_flagged() -> None:
    warnings = structure_warnings(
        OrgKind.PARTY_COMMITTEE,
        full_member_count=30,
        member_count=30,
        posts_filled={"secretary"},
        term_end=None,
        today=TODAY,
    )
    assert warnings == []


def test_term_warnings() -> None:
    assert branch(5, term_end=date(2025, 5, 31)) == ["term_expired"]
    assert branch(5, term_end=date(2025, 6, 1)) == ["term_ending_soon"]
    assert branch(5, term_end=date(2025, 8, 30)) == ["term_ending_soon"]
    assert branch(5, term_end=date(2025, 12, 31)) == []


def test_temporary_branch_past_its_end() -> None:
    def temporary(ends_on: date) -> list[str]:
        return codes(
            structure_warnings(
                OrgKind.TEMPORARY_BRANCH,
                full_member_count=3,
                member_count=3,
                posts_filled={"secretary"},
                term_end=None,
                today=TODAY,
                ends_on=ends_on,
            )
        )

    assert temporary(date(2025, 6, 1)) == []
    assert temporary(date(2025, 5, 31)) == ["temporary_branch_expired"]


def test_nonsense_counts_do_not_raise() -> None:
    warnings = structure_warnings(
        OrgKind.BRANCH,
        full_member_count=-1,
        member_count=-5,
        posts_filled={"bogus"},
        term_end=None,
        today=TODAY,
        committee_size=-2,
    )
    assert "no_secretary" in codes(warnings)
