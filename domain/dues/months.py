"""Months (党费月份): a bill, a base and a relief period are counted in calendar months,
held as the first day of the month and written `YYYY-MM`."""

from __future__ import annotations

from datetime import date


def month_of(day: date) -> date:
    """The month a day lies in, as its first day."""
    return day.replace(day=1)


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def months_between(first: date, last: date) -> int:
    """How many months from `first` to `last` (0 for the same month)."""
    return (last.year - first.year) * 12 + last.month - first.month


def parse_month(text: str) -> date:
    """`2026-05` → 2026-05-01; ValueError for anything else."""
    year, _, month = text.partition("-")
    if len(year) != 4 or len(month) != 2 or not (year + month).isdigit():
        raise ValueError(text)
    return date(int(year), int(month), 1)


def format_month(month: date) -> str:
    return f"{month.year:04d}-{month.month:02d}"
