"""Rule sets: validation with field-level messages, versions, classes and exclusions."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from domain.points import (
    Exclusion,
    ExclusionKind,
    ItemDraft,
    MemberClass,
    MemberFacts,
    PeriodKind,
    RuleSet,
    RuleSetDraft,
    Source,
    Unrated,
    check_conditions,
    excluded,
    items_earned,
    period_of,
    unrated,
    validate_rule_set,
    version_on,
)
from domain.shared import DomainError

KINDS = {"branch_congress", "party_lecture", "theme_day"}
CLASSES = (MemberClass("backbone", "骨干"), MemberClass("ordinary", "普通"))


def meeting(**kw: object) -> ItemDraft:
    base: dict[str, object] = {
        "code": "meeting",
        "name": "三会一课",
        "points": 3,
        "source": Source.ATTENDANCE,
        "activity_kind": "branch_congress",
        "cap_per_period": 12,
    }
    base.update(kw)
    return ItemDraft(**base)  # type: ignore[arg-type]


def draft(*items: ItemDraft, start: date = date(2026, 1, 1), **kw: object) -> RuleSetDraft:
    return RuleSetDraft(
        effective_from=start,
        base_score=60,
        period=PeriodKind.YEARLY,
        classes=kw.pop("classes", CLASSES),  # type: ignore[arg-type]
        items=items,
        exclusions=kw.pop("exclusions", ()),  # type: ignore[arg-type]
    )


def refused(d: RuleSetDraft, existing: tuple[RuleSet, ...] = ()) -> dict[str, str]:
    with pytest.raises(DomainError) as e:
        validate_rule_set(d, activity_kinds=KINDS, existing=existing)
    assert e.value.code == "point_rules_invalid"
    return {f.field: f.code for f in e.value.errors}


def test_a_valid_draft_becomes_version_one_then_two() -> None:
    first = validate_rule_set(draft(meeting()), activity_kinds=KINDS, existing=())
    assert first.version == 1
    assert first.items[0].cap_per_period == 12
    second = validate_rule_set(
        draft(meeting(points=4), start=date(2027, 1, 1)), activity_kinds=KINDS, existing=(first,)
    )
    assert second.version == 2


def test_each_refusal_names_its_field() -> None:
    errors = refused(
        draft(
            meeting(source=None),
            meeting(code="lecture", activity_kind="tea_party"),
            meeting(code="day", points=5, cap_per_period=4),
            meeting(code="day", classes=("veteran",)),
            meeting(code="award", source=Source.MANUAL_AWARD, activity_kind=None),
            meeting(code="x", points=0),
        )
    )
    assert errors == {
        "items[0].source": "point_item_source_missing",
        "items[1].activity_kind": "point_item_kind_unknown",
        "items[2].cap_per_period": "point_item_cap_below_award",
        "items[3].code": "point_item_code_repeated",
        "items[3].classes[0]": "point_class_unknown",
        "items[4].category": "point_item_category_missing",
        "items[5].points": "point_item_points_zero",
    }


def test_attendance_needs_a_kind_and_a_cap_equal_to_one_award_is_fine() -> None:
    assert refused(draft(meeting(activity_kind=None))) == {
        "items[0].activity_kind": "point_item_kind_missing"
    }
    validate_rule_set(draft(meeting(cap_per_period=3)), activity_kinds=KINDS, existing=())
    validate_rule_set(  # a deduction's cap is on its size
        draft(meeting(points=-5, cap_per_period=5)), activity_kinds=KINDS, existing=()
    )


def test_overlapping_versions_are_refused() -> None:
    first = validate_rule_set(draft(meeting()), activity_kinds=KINDS, existing=())
    assert refused(draft(meeting(), start=date(2026, 1, 1)), (first,)) == {
        "effective_from": "point_version_overlaps"
    }
    assert refused(draft(meeting(), start=date(2025, 6, 1)), (first,)) == {
        "effective_from": "point_version_overlaps"
    }


def test_exclusions_need_their_parameter() -> None:
    errors = refused(
        draft(
            meeting(),
            exclusions=(Exclusion(ExclusionKind.AGE_AT_LEAST), Exclusion(ExclusionKind.CONDITION)),
        )
    )
    assert errors == {
        "exclusions[0].years": "point_exclusion_age_missing",
        "exclusions[1].condition": "point_exclusion_condition_missing",
    }


def test_the_version_in_force_is_the_latest_started() -> None:
    v1 = validate_rule_set(draft(meeting()), activity_kinds=KINDS, existing=())
    v2 = validate_rule_set(
        draft(meeting(points=4), start=date(2026, 7, 1)), activity_kinds=KINDS, existing=(v1,)
    )
    assert version_on((v1, v2), date(2025, 12, 31)) is None
    assert version_on((v1, v2), date(2026, 6, 30)) is v1
    assert version_on((v1, v2), date(2026, 7, 1)) is v2


def test_classes_and_exclusions_decide_what_a_record_earns() -> None:
    rules = validate_rule_set(
        draft(
            meeting(),
            meeting(code="backbone_bonus", points=1, classes=("backbone",)),
            exclusions=(
                Exclusion(ExclusionKind.AGE_AT_LEAST, years=70),
                Exclusion(ExclusionKind.CONDITION, condition="long_illness"),
            ),
        ),
        activity_kinds=KINDS,
        existing=(),
    )
    day = date(2026, 5, 20)

    def codes(facts: MemberFacts, kind: str = "branch_congress") -> list[str]:
        earned = items_earned(rules, facts, day, Source.ATTENDANCE, activity_kind=kind)
        return [i.code for i in earned]

    assert codes(MemberFacts("ordinary")) == ["meeting"]
    assert codes(MemberFacts("backbone")) == ["meeting", "backbone_bonus"]
    assert codes(MemberFacts("backbone"), "theme_day") == []
    assert codes(MemberFacts(birth_date=date(1956, 5, 21))) == ["meeting"]  # 69 that day
    assert codes(MemberFacts(birth_date=date(1956, 5, 20))) == []  # 70 that day
    assert codes(MemberFacts(conditions=frozenset({"long_illness"}))) == []


def test_periods() -> None:
    day = date(2026, 5, 20)
    assert period_of(PeriodKind.YEARLY, day) == "2026"
    assert period_of(PeriodKind.QUARTERLY, day) == "2026-Q2"
    assert period_of(PeriodKind.MONTHLY, day) == "2026-05"


def test_conditions_are_short_and_not_blank() -> None:
    assert check_conditions(["long_illness ", "long_illness", "abroad"]) == [
        "abroad",
        "long_illness",
    ]
    with pytest.raises(DomainError) as e:
        check_conditions(["ok", " ", "x" * 41])
    assert [f.field for f in e.value.errors] == ["conditions[1]", "conditions[2]"]


def test_leave_and_absence_items_name_a_kind_or_count_for_every_kind() -> None:
    rules = validate_rule_set(
        draft(
            meeting(code="leave", points=-1, source=Source.EXCUSED_LEAVE, activity_kind=None),
            meeting(code="absent", points=-5, source=Source.UNEXCUSED_ABSENCE, cap_per_period=20),
            exclusions=(Exclusion(ExclusionKind.CONDITION, condition="long_illness"),),
        ),
        activity_kinds=KINDS,
        existing=(),
    )
    day = date(2026, 5, 20)

    def codes(source: Source, kind: str, facts: MemberFacts = MemberFacts()) -> list[str]:
        return [i.code for i in items_earned(rules, facts, day, source, activity_kind=kind)]

    assert codes(Source.EXCUSED_LEAVE, "theme_day") == ["leave"]
    assert codes(Source.UNEXCUSED_ABSENCE, "branch_congress") == ["absent"]
    assert codes(Source.UNEXCUSED_ABSENCE, "theme_day") == []
    # an excluded member (long ill) is never penalised for an absence either
    ill = MemberFacts(conditions=frozenset({"long_illness"}))
    assert codes(Source.UNEXCUSED_ABSENCE, "branch_congress", ill) == []


@pytest.mark.parametrize(
    ("day", "born_by"),
    [
        (date(2026, 12, 31), date(1956, 12, 31)),
        (date(2028, 2, 29), date(1958, 2, 28)),  # 1958 has no 29 February
        (date(2030, 2, 28), date(1960, 2, 28)),
    ],
)
def test_a_run_leaves_out_whom_the_exclusions_exclude(day: date, born_by: date) -> None:
    rules = validate_rule_set(
        draft(
            meeting(),
            exclusions=(
                Exclusion(ExclusionKind.AGE_AT_LEAST, years=75),
                Exclusion(ExclusionKind.AGE_AT_LEAST, years=70),
                Exclusion(ExclusionKind.CONDITION, condition="long_illness"),
            ),
        ),
        activity_kinds=KINDS,
        existing=(),
    )
    left_out = unrated(rules, day)
    assert left_out == Unrated(born_by, frozenset({"long_illness"}))
    # the same members `excluded` leaves out of accrual that day
    for birth in (born_by, born_by + timedelta(days=1)):
        facts = MemberFacts(birth_date=birth)
        assert excluded(rules, facts, day) is (birth <= born_by)
    assert unrated(validate_rule_set(draft(meeting()), activity_kinds=KINDS, existing=()),
                   day) == Unrated(None, frozenset())  # fmt: skip
