"""Periods as the API takes them: a year, a quarter or a month of a real calendar year."""

from __future__ import annotations

from datetime import date

import pytest

from domain.points import check_period, period_end, period_start
from domain.shared import DomainError


@pytest.mark.parametrize("text", ["0000", "0999", "2026-13", "2026-Q5", "26", "2026-1"])
def test_a_period_outside_the_calendar_is_refused(text: str) -> None:
    with pytest.raises(DomainError) as refused:
        check_period(text)
    assert refused.value.code == "point_period_invalid"


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("2026", date(2026, 1, 1), date(2026, 12, 31)),
        ("2026-Q4", date(2026, 10, 1), date(2026, 12, 31)),
        ("2026-02", date(2026, 2, 1), date(2026, 2, 28)),
    ],
)
def test_a_period_runs_from_its_first_to_its_last_day(text: str, first: date, last: date) -> None:
    assert check_period(text) == text
    assert (period_start(text), period_end(text)) == (first, last)
