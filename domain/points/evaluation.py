"""Which items a record earns a member, in which period, and what caps leave of them.

Caps are applied in the order records arrived; when an earlier record is withdrawn the
cap is applied again to what remains, so a record that was capped before may now earn
(the ledger records the difference as an adjustment, never an edit).
"""

from __future__ import annotations

import re
from calendar import monthrange
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from domain.points.messages import MESSAGES
from domain.points.rules import ExclusionKind, PeriodKind, RuleItem, RuleSet, Source


@dataclass(frozen=True, slots=True)
class MemberFacts:
    """What the rules ask of a member: class, conditions and age."""

    member_class: str | None = None
    conditions: frozenset[str] = frozenset()
    birth_date: date | None = None


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def excluded(rules: RuleSet, member: MemberFacts, day: date) -> bool:
    """The member earns nothing under this version on `day` (aged out, long ill …)."""
    birth = member.birth_date
    for ex in rules.exclusions:
        too_old = birth is not None and ex.years is not None and age_on(birth, day) >= ex.years
        if ex.kind is ExclusionKind.AGE_AT_LEAST and too_old:
            return True
        if ex.kind is ExclusionKind.CONDITION and ex.condition in member.conditions:
            return True
    return False


@dataclass(frozen=True, slots=True)
class Unrated:
    """Whom a version's exclusions leave out on a day, as a query asks it: born on or
    before `born_by` (aged out), or with one of `conditions` (long illness …)."""

    born_by: date | None
    conditions: frozenset[str]


def unrated(rules: RuleSet, day: date) -> Unrated:
    """The same members `excluded` leaves out on `day`, for a run over all of them."""
    years = [
        ex.years
        for ex in rules.exclusions
        if ex.kind is ExclusionKind.AGE_AT_LEAST and ex.years is not None
    ]
    born_by = None
    if years:
        year = day.year - min(years)
        # the 29th of February of a year that has none: born on the 28th is old enough
        born_by = date(year, day.month, min(day.day, monthrange(year, day.month)[1]))
    conditions = frozenset(
        ex.condition
        for ex in rules.exclusions
        if ex.kind is ExclusionKind.CONDITION and ex.condition
    )
    return Unrated(born_by, conditions)


def items_earned(
    rules: RuleSet,
    member: MemberFacts,
    day: date,
    source: Source,
    *,
    activity_kind: str | None = None,
    category: str | None = None,
) -> list[RuleItem]:
    """The items a record of `source` earns this member on `day` (none when excluded).
    An item naming no activity kind counts for every kind (leave, absence)."""
    if excluded(rules, member, day):
        return []
    return [
        item
        for item in rules.items
        if item.source is source
        and (activity_kind is None or item.activity_kind in (None, activity_kind))
        and (category is None or item.category == category)
        and (not item.classes or member.member_class in item.classes)
    ]


def period_of(kind: PeriodKind, day: date) -> str:
    """The period `day` falls in: `2026`, `2026-Q2` or `2026-05`."""
    if kind is PeriodKind.YEARLY:
        return f"{day.year}"
    if kind is PeriodKind.QUARTERLY:
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return f"{day.year}-{day.month:02d}"


_PERIOD = re.compile(r"^[12]\d{3}(-Q[1-4]|-(0[1-9]|1[0-2]))?$")


def check_period(text: str) -> str:
    """A period as the API takes it; refused with the field named otherwise."""
    if not _PERIOD.match(text):
        raise MESSAGES.error(
            "point_period_invalid", errors=[MESSAGES.field("period", "point_period_invalid")]
        )
    return text


def period_end(period: str) -> date:
    """The last day of a period written as `check_period` takes it."""
    year = int(period[:4])
    if len(period) == 4:
        return date(year, 12, 31)
    month = int(period[-1]) * 3 if "-Q" in period else int(period[5:])
    return date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)


def period_start(period: str) -> date:
    """The first day of a period written as `check_period` takes it."""
    year = int(period[:4])
    if len(period) == 4:
        return date(year, 1, 1)
    month = (int(period[-1]) - 1) * 3 + 1 if "-Q" in period else int(period[5:])
    return date(year, month, 1)


def periods_within(requested: str) -> list[str]:
    """Every period an entry may carry that lies within `requested` (a year holds its
    quarters and months, a quarter its months)."""
    year = requested[:4]
    months = [f"{year}-{m:02d}" for m in range(1, 13)]
    quarters = [f"{year}-Q{q}" for q in range(1, 5)]
    return [p for p in [year, *quarters, *months] if within(p, requested)]


def within(period: str, requested: str) -> bool:
    """An entry's period lies within the requested one (a year holds its quarters, months)."""
    if period == requested or period.startswith(requested + "-"):
        return True
    if len(requested) == 7 and "-Q" in requested and len(period) == 7 and "-Q" not in period:
        quarter = int(requested[-1])
        return period[:4] == requested[:4] and (int(period[5:]) - 1) // 3 + 1 == quarter
    return False


@dataclass(frozen=True, slots=True)
class Cause:
    """One record in an item's cap group, in arrival order: what it would earn uncapped,
    and whether it has been withdrawn."""

    key: str
    points: int
    withdrawn: bool = False


def capped(causes: Sequence[Cause], cap: int | None) -> dict[str, int]:
    """What each cause earns with the cap applied in order (withdrawn ones earn nothing)."""
    used = 0
    earned: dict[str, int] = {}
    for cause in causes:
        if cause.withdrawn:
            earned[cause.key] = 0
            continue
        magnitude = abs(cause.points) if cap is None else min(abs(cause.points), max(cap - used, 0))
        used += magnitude
        earned[cause.key] = magnitude if cause.points >= 0 else -magnitude
    return earned


def settle(causes: Sequence[Cause], booked: Mapping[str, int], cap: int | None) -> dict[str, int]:
    """The entries that bring the ledger to what the causes earn: cause → change (non-zero,
    plus zero for a cause never booked, so its arrival is recorded)."""
    changes: dict[str, int] = {}
    for key, amount in capped(causes, cap).items():
        delta = amount - booked.get(key, 0)
        if delta or key not in booked:
            changes[key] = delta
    return changes
