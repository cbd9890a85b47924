"""The standard forms: when a file may hold them, once-only forms, dates that agree."""

from __future__ import annotations

from datetime import date

import pytest

from domain.development import (
    ApplicationForm,
    Conclusion,
    CultivationRecord,
    FormKind,
    PoliticalReview,
    Relative,
    ResumeEntry,
    VettingMethod,
    check_form,
    check_forms_for_step,
)
from domain.shared import DomainError, ErrorKind

TODAY = date(2024, 9, 12)
APPLICATION = ApplicationForm(
    filled_on=date(2024, 9, 11),
    native_place="广东深圳",
    aspiration="我志愿加入中国共产党。",
    resume=(ResumeEntry(date(2020, 7, 1), None, "区发展改革局", "科员"),),
    family=(Relative("父亲", "王建国"),),
)
REVIEW = PoliticalReview(
    date(2024, 7, 30), Conclusion.QUALIFIED, (VettingMethod.TALK,), "清楚", "党支部"
)
CULTIVATION = CultivationRecord(
    date(2024, 1, 10), date(2023, 7, 20), date(2024, 1, 10), "好", "合格"
)


def _check(form: object, step: int, **kw: object) -> None:
    check_form(
        form,  # type: ignore[arg-type]
        current_step=step,
        closed=bool(kw.get("closed", False)),
        recorded=kw.get("recorded", ()),  # type: ignore[arg-type]
        today=TODAY,
    )


@pytest.mark.parametrize(("form", "first_step"), [(CULTIVATION, 5), (REVIEW, 9), (APPLICATION, 13)])
def test_a_form_follows_its_step(form: object, first_step: int) -> None:
    _check(form, first_step)
    with pytest.raises(DomainError) as caught:
        _check(form, first_step - 1)
    assert (caught.value.code, caught.value.kind) == (
        "development_form_not_yet",
        ErrorKind.CONFLICT,
    )
    with pytest.raises(DomainError):
        _check(form, 25, closed=True)


def test_the_application_form_and_the_review_are_held_once_records_accumulate() -> None:
    for form, kind in (
        (APPLICATION, FormKind.APPLICATION_FORM),
        (REVIEW, FormKind.POLITICAL_REVIEW),
    ):
        with pytest.raises(DomainError) as caught:
            _check(form, 20, recorded=[kind])
        assert caught.value.code == "development_form_exists"
    _check(CULTIVATION, 20, recorded=[FormKind.CULTIVATION_RECORD])


def test_dates_that_disagree_are_named_at_once() -> None:
    late = ApplicationForm(
        filled_on=date(2024, 9, 13),
        native_place="广东",
        aspiration="志愿",
        resume=(
            ResumeEntry(date(2021, 1, 1), date(2020, 1, 1), "甲单位"),
            ResumeEntry(date(2024, 9, 14), None, "乙单位"),
        ),
        family=(Relative("母亲", "李华"),),
    )
    with pytest.raises(DomainError) as caught:
        _check(late, 14)
    assert [(e.field, e.code) for e in caught.value.errors] == [
        ("filled_on", "future"),
        ("resume[0].ends_on", "order"),
        ("resume[1].starts_on", "order"),
    ]
    reversed_period = CultivationRecord(
        date(2024, 1, 10), date(2024, 1, 10), date(2023, 7, 20), "好", "合格"
    )
    with pytest.raises(DomainError) as caught:
        _check(reversed_period, 6)
    assert [(e.field, e.code) for e in caught.value.errors] == [("period_to", "order")]
    beyond = CultivationRecord(date(2024, 1, 10), date(2023, 7, 20), date(2024, 2, 1), "好", "合格")
    with pytest.raises(DomainError) as caught:
        _check(beyond, 6)
    assert [(e.field, e.code) for e in caught.value.errors] == [("period_to", "order")]
    twice = PoliticalReview(
        date(2024, 7, 30), Conclusion.QUALIFIED, (VettingMethod.TALK,) * 2, "清楚", "党支部"
    )
    with pytest.raises(DomainError) as caught:
        _check(twice, 9)
    assert [(e.field, e.code) for e in caught.value.errors] == [("methods", "repeated")]


def test_vetting_and_the_form_steps_stand_on_their_forms() -> None:
    check_forms_for_step(11, [])
    for step, held in ((10, REVIEW), (14, APPLICATION)):
        with pytest.raises(DomainError) as caught:
            check_forms_for_step(step, [CULTIVATION])
        assert caught.value.code == "development_form_missing"
        check_forms_for_step(step, [CULTIVATION, held])
    unqualified = PoliticalReview(
        date(2024, 7, 30), Conclusion.UNQUALIFIED, (VettingMethod.TALK,), "有问题", "党支部"
    )
    with pytest.raises(DomainError) as caught:
        check_forms_for_step(10, [unqualified])
    assert caught.value.code == "development_vetting_unqualified"
