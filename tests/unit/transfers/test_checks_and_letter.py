from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from domain.shared import DomainError
from domain.transfers import (
    LetterFace,
    check_member,
    check_period,
    code_matches,
    dues_hold,
    formal_year_month,
    letter_number,
    probation_end,
    six_months_after,
    verification_code,
)

KEY = b"k" * 32
FACE = LetterFace(
    number="2026-00000042",
    name="张三",
    id_number_masked="4403**********1233",
    from_organization="福田区档案馆党支部",
    to_organization="南山区某党支部",
    paid_to="贰零贰陆年拾贰月",
    valid_until="2027-03-02",
)


@pytest.mark.parametrize(
    ("month", "formal"),
    [
        (date(2026, 5, 1), "贰零贰陆年伍月"),
        (date(2030, 10, 1), "贰零叁零年拾月"),
        (date(2026, 12, 1), "贰零贰陆年拾贰月"),
        (date(2001, 11, 1), "贰零零壹年拾壹月"),
        (None, "无欠缴记录"),
    ],
)
def test_paid_to_in_formal_numerals(month: date | None, formal: str) -> None:
    assert formal_year_month(month) == formal


def test_the_number_names_the_year() -> None:
    assert letter_number(42, date(2026, 12, 2)) == "2026-00000042"


def test_the_code_matches_only_the_fields_it_was_made_for() -> None:
    code = verification_code(KEY, FACE)
    assert len(code) == 14
    assert code_matches(KEY, FACE, code)
    assert code_matches(KEY, FACE, code.lower().replace("-", ""))
    for field, value in (
        ("paid_to", "贰零贰柒年壹月"),
        ("name", "李四"),
        ("number", "2026-00000043"),
    ):
        tampered = dataclasses.replace(FACE, **{field: value})
        assert not code_matches(KEY, tampered, code)
    assert not code_matches(b"other" * 8, FACE, code)


def test_dues_owed_up_to_this_month_hold_the_transfer() -> None:
    this_month = date(2026, 12, 1)
    assert dues_hold([], 0, this_month=this_month) is None
    assert dues_hold([date(2027, 1, 1)], 500, this_month=this_month) is None
    hold = dues_hold([date(2026, 12, 1), date(2026, 11, 1)], 1800, this_month=this_month)
    assert hold is not None
    assert hold.as_json() == {
        "code": "transfer_dues_unpaid",
        "open_months": ["2026-11", "2026-12"],
        "shortfall_fen": 1800,
    }


def test_who_may_be_transferred() -> None:
    today = date(2026, 12, 2)
    check_member("full", date(2000, 1, 1), today=today)
    check_member("probationary", date(2026, 6, 1), today=today)
    for status, admitted, code in (
        ("probationary", date(2025, 12, 2), "transfer_probation_due"),
        ("suspended", date(2000, 1, 1), "transfer_member_inactive"),
        ("transferred_out", date(2000, 1, 1), "transfer_member_inactive"),
    ):
        with pytest.raises(DomainError) as refused:
            check_member(status, admitted, today=today)
        assert refused.value.code == code


def test_probation_of_a_leap_day_admission_ends_on_the_first_of_march() -> None:
    assert probation_end(date(2024, 2, 29)) == date(2025, 3, 1)


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(2026, 12, 1), date(2027, 6, 1)),
        (date(2026, 8, 31), date(2027, 2, 28)),
        (date(2027, 8, 31), date(2028, 2, 29)),
    ],
)
def test_six_months_on(start: date, end: date) -> None:
    assert six_months_after(start) == end
    check_period(start, end)
    with pytest.raises(DomainError):
        check_period(start, date.fromordinal(end.toordinal() + 1))
