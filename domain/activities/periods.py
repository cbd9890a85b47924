"""The period a compliance question is about, as users write it: 2026, 2026-05, 2026-Q2,
2026-H1."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from domain.activities.compliance import Period, PeriodCompliance
from domain.activities.messages import MESSAGES
from domain.shared.errors import DomainError, ErrorKind

FIRST_YEAR, LAST_YEAR = 2000, 2100


@dataclass(frozen=True, slots=True)
class ComplianceRange:
    """The calendar range a compliance question is about (local dates)."""

    first_day: date
    last_day: date
    label: str


def _invalid(field_name: str, key: str, code: str) -> DomainError:
    """A malformed query parameter."""
    return MESSAGES.error(
        key, ErrorKind.MALFORMED, code=code, errors=[MESSAGES.field(field_name, key, code=code)]
    )


def _year(y: int) -> ComplianceRange:
    return ComplianceRange(date(y, 1, 1), date(y, 12, 31), f"{y}")


def parse_period(year: int | None, period: str | None, today: date) -> ComplianceRange:
    """`2026`, `2026-05`, `2026-Q2`, `2026-H1`; or the year (default this one)."""
    if period:
        try:
            return _parse(period.strip().upper())
        except ValueError:
            raise _invalid("period", "compliance_invalid_period", "invalid_period") from None
    y = year or today.year
    if not FIRST_YEAR <= y <= LAST_YEAR:
        raise _invalid("year", "compliance_invalid_year", "invalid_year")
    return _year(y)


def _parse(text: str) -> ComplianceRange:
    y_part, _, rest = text.partition("-")
    y = int(y_part)
    if not FIRST_YEAR <= y <= LAST_YEAR:
        raise ValueError
    if not rest:
        return _year(y)
    if rest.startswith("Q"):
        q = int(rest[1:])
        months, label = range(3 * q - 2, 3 * q + 1), f"{y}-Q{q}"
    elif rest.startswith("H"):
        h = int(rest[1:])
        months, label = range(6 * h - 5, 6 * h + 1), f"{y}-H{h}"
    else:
        m = int(rest)
        months, label = range(m, m + 1), f"{y}-{m:02d}"
    if not months or months.start < 1 or months[-1] > 12:
        raise ValueError
    end_month = months[-1]
    last = date(y, 12, 31) if end_month == 12 else date(y, end_month + 1, 1) - timedelta(days=1)
    return ComplianceRange(date(y, months.start, 1), last, label)


def period_label(p: Period) -> str:
    """A calendar period written the way `parse_period` reads it."""
    months = (p.last_day.year - p.first_day.year) * 12 + p.last_day.month - p.first_day.month + 1
    y = p.first_day.year
    if months == 1:
        return f"{y}-{p.first_day.month:02d}"
    if months == 3:
        return f"{y}-Q{(p.first_day.month - 1) // 3 + 1}"
    if months == 6:
        return f"{y}-H{(p.first_day.month - 1) // 6 + 1}"
    return f"{y}"


def overlapping(
    periods: Iterable[PeriodCompliance], rng: ComplianceRange
) -> list[PeriodCompliance]:
    """The periods that share at least one day with the range asked about."""
    return [
        p
        for p in periods
        if p.period.first_day <= rng.last_day and p.period.last_day >= rng.first_day
    ]


def history_start(rng: ComplianceRange) -> date:
    """How far back held activities can matter: a year's period started before the range."""
    return rng.first_day.replace(day=1) - timedelta(days=370)
