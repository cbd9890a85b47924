"""Star grading: thresholds, target shares, the tie rule, appeals and the branch score."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.points import (
    BRANCH_DEFAULT,
    MEMBER_DEFAULT,
    Band,
    Indicator,
    RatingStatus,
    Scored,
    ScoreGroup,
    StarMethod,
    StarScheme,
    Subject,
    check_appeal,
    check_decision,
    grade,
    grade_groups,
    movement,
    rating_status,
    scheme_of_json,
    scheme_to_json,
    validate_scheme,
    weighted_score,
)
from domain.shared.errors import DomainError


def ids(n: int) -> list[uuid.UUID]:
    return [uuid.UUID(int=i + 1) for i in range(n)]


def scored_of(scores: list[int]) -> list[Scored]:
    return [Scored(uuid.UUID(int=k + 1), float(s)) for k, s in enumerate(scores)]


def test_thresholds_of_the_110_point_example() -> None:
    scores = [95, 95, 85, 72, 64, 30]
    scored = [
        Scored(s.subject_id, s.score, meets_requirement=k != 1)
        for k, s in enumerate(scored_of(scores))
    ]
    graded = {g.subject_id: g for g in grade(BRANCH_DEFAULT, scored)}
    a, b, c, d, e, f = ids(6)
    # ≥ 90 earns five stars only with an innovation project; b has none: four
    assert [graded[x].stars for x in (a, b, c, d, e, f)] == [5, 4, 4, 3, 2, 1]
    assert [graded[x].rank for x in (a, b, c, d, e, f)] == [1, 1, 3, 4, 5, 6]


def test_shares_take_about_ten_percent_five_stars() -> None:
    scored = [Scored(i, float(100 - k)) for k, i in enumerate(ids(100))]
    stars = [g.stars for g in grade(MEMBER_DEFAULT, scored)]
    assert [stars.count(n) for n in (5, 4, 3, 2, 1)] == [10, 30, 40, 15, 5]


def test_a_tie_at_a_share_boundary_takes_the_higher_band() -> None:
    scores = [100, 90, 90, 90, 50, 40, 30, 20, 10, 0]  # 10 % of 10 is the first place
    scheme = StarScheme(StarMethod.SHARES, (Band(5, share=20), Band(4, share=20)))
    graded = grade(scheme, scored_of(scores))
    assert [g.stars for g in graded] == [5, 5, 5, 5, 4, 4, 1, 1, 1, 1]
    assert [g.rank for g in graded][:5] == [1, 2, 2, 2, 5]


@given(st.lists(st.integers(min_value=0, max_value=30), min_size=1, max_size=60))
def test_equal_scores_equal_stars_and_a_better_score_never_fewer(scores: list[int]) -> None:
    for scheme in (MEMBER_DEFAULT, BRANCH_DEFAULT):
        graded = grade(scheme, scored_of(scores))
        by_score: dict[float, set[int]] = {}
        for g in graded:
            by_score.setdefault(g.score, set()).add(g.stars)
        assert all(len(v) == 1 for v in by_score.values())
        ordered = [g.stars for g in graded]
        assert ordered == sorted(ordered, reverse=True)
        assert all(1 <= n <= 5 for n in ordered)


@given(st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=200, unique=True))
def test_distinct_scores_meet_the_shares_exactly(scores: list[int]) -> None:
    graded = grade(MEMBER_DEFAULT, scored_of(scores))
    n = len(scores)
    fives = sum(g.stars == 5 for g in graded)
    assert fives == n * 10 // 100


def test_scheme_validation_names_each_field() -> None:
    bad = StarScheme(
        StarMethod.THRESHOLDS,
        (Band(5, min_score=70), Band(4, min_score=80), Band(4, share=3)),
        five_star_requires="nothing",
        indicators=(Indicator("weather", 10), Indicator("innovation", 5, manual=True)),
    )
    with pytest.raises(DomainError) as caught:
        validate_scheme(bad, Subject.BRANCH, measurable={"attendance_rate"})
    assert {e.field for e in caught.value.errors} == {
        "scheme.bands",
        "scheme.bands[2].min_score",
        "scheme.indicators[0].code",
        "scheme.five_star_requires",
    }
    with pytest.raises(DomainError) as caught:
        validate_scheme(
            StarScheme(StarMethod.SHARES, (Band(5, share=60), Band(4, share=50))),
            Subject.MEMBER,
            measurable=(),
        )
    assert [e.code for e in caught.value.errors] == ["star_shares_over_100"]
    assert validate_scheme(MEMBER_DEFAULT, Subject.MEMBER, measurable=()) is MEMBER_DEFAULT
    leaving_out = StarScheme(StarMethod.SHARES, (Band(5, share=10),), excluded_classes=("special",))
    assert validate_scheme(leaving_out, Subject.MEMBER, measurable=()) is leaving_out
    with pytest.raises(DomainError) as caught:
        validate_scheme(leaving_out, Subject.BRANCH, measurable=())
    assert [e.field for e in caught.value.errors] == ["scheme.excluded_classes"]
    assert scheme_of_json(scheme_to_json(leaving_out)) == leaving_out
    assert scheme_of_json({"method": "shares", "bands": []}).excluded_classes == ()


def test_weighted_score_caps_manual_items_at_their_weight() -> None:
    indicators = (Indicator("attendance_rate", 30), Indicator("innovation", 10, manual=True))
    score, breakdown = weighted_score(indicators, {"attendance_rate": 0.9}, {"innovation": 12})
    assert score == 37.0
    assert breakdown["attendance_rate"] == {"weight": 30, "value": 0.9, "points": 27.0}
    assert breakdown["innovation"] == {"weight": 10, "points": 10}


def test_the_notice_period_before_during_and_after() -> None:
    start = datetime(2027, 1, 10, tzinfo=UTC)
    end = start + timedelta(days=5)

    def at(now: datetime, appeal_open: bool = False) -> RatingStatus:
        return rating_status(published_at=start, stands_at=end, appeal_open=appeal_open, now=now)

    assert at(start - timedelta(seconds=1)) is RatingStatus.SCHEDULED
    assert at(start) is RatingStatus.DRAFT
    assert at(end - timedelta(seconds=1), appeal_open=True) is RatingStatus.APPEALED
    assert at(end) is RatingStatus.STANDING
    assert at(end, appeal_open=True) is RatingStatus.APPEALED  # stands once decided


@pytest.mark.parametrize(
    ("status", "own", "before", "code"),
    [
        (RatingStatus.DRAFT, False, False, "star_appeal_not_own"),
        (RatingStatus.SCHEDULED, True, False, "star_appeal_not_open"),
        (RatingStatus.STANDING, True, False, "star_appeal_closed"),
        (RatingStatus.APPEALED, True, True, "star_appeal_repeated"),
    ],
)
def test_appeals_are_refused_outside_the_window(
    status: RatingStatus, own: bool, before: bool, code: str
) -> None:
    with pytest.raises(DomainError) as caught:
        check_appeal(status=status, own=own, appealed_before=before, reason="不服")
    assert caught.value.code == code
    check_appeal(status=RatingStatus.DRAFT, own=True, appealed_before=False, reason="不服")


def test_a_decision_needs_a_reason_and_new_stars_to_uphold() -> None:
    with pytest.raises(DomainError) as caught:
        check_decision(appeal_open=True, own=False, upheld=True, stars=None, reason=" ")
    assert {e.field for e in caught.value.errors} == {"reason", "stars"}
    with pytest.raises(DomainError) as caught:
        check_decision(appeal_open=True, own=True, upheld=False, stars=None, reason="驳回")
    assert caught.value.code == "star_appeal_decide_own"


def test_movement_between_periods() -> None:
    assert [movement(None, 3), movement(3, 4), movement(4, 2), movement(2, 2)] == [
        "new",
        "up",
        "down",
        "same",
    ]


SCHEMES = (
    MEMBER_DEFAULT,
    BRANCH_DEFAULT,
    StarScheme(StarMethod.SHARES, (Band(5, share=20), Band(4, share=0), Band(3, share=35))),
    StarScheme(StarMethod.SHARES, (Band(5, share=10),), five_star_requires="x"),
)


@given(
    st.lists(
        st.tuples(st.integers(min_value=0, max_value=12), st.booleans()), min_size=1, max_size=80
    )
)
def test_grading_groups_of_equal_scores_gives_each_subject_what_grade_gives(
    subjects: list[tuple[int, bool]],
) -> None:
    scored = [Scored(uuid.uuid4(), float(s * 10), meets) for s, meets in subjects]
    counts: dict[tuple[float, bool], int] = {}
    for s in scored:
        counts[(s.score, s.meets_requirement)] = counts.get((s.score, s.meets_requirement), 0) + 1
    groups = [ScoreGroup(score, meets, n) for (score, meets), n in counts.items()]
    for scheme in SCHEMES:
        by_group = grade_groups(scheme, groups)
        meets = {s.subject_id: s.meets_requirement for s in scored}
        for g in grade(scheme, scored):
            assert by_group[(g.score, meets[g.subject_id])] == (g.stars, g.rank)
