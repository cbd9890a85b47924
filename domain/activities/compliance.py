"""Compliance calendar (组织生活制度落实情况): has each kind been held in each period?

Frequencies are data (a tenant setting) with the 支部工作条例 defaults; periods are
calendar months, quarters, half-years and years. Dates are local (Asia/Shanghai) dates,
converted by the caller.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from types import MappingProxyType

from domain.activities.kinds import ActivityKind
from domain.activities.lifecycle import ActivityStatus
from domain.activities.messages import MESSAGES
from domain.shared.errors import ErrorKind, FieldError


class Frequency(StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    HALF_YEARLY = "half_yearly"
    YEARLY = "yearly"

    @property
    def months(self) -> int:
        return _MONTHS[self]


_MONTHS = {
    Frequency.MONTHLY: 1,
    Frequency.QUARTERLY: 3,
    Frequency.HALF_YEARLY: 6,
    Frequency.YEARLY: 12,
}

DEFAULT_FREQUENCIES: Mapping[ActivityKind, Frequency] = MappingProxyType(
    {
        ActivityKind.BRANCH_CONGRESS: Frequency.QUARTERLY,
        ActivityKind.COMMITTEE_MEETING: Frequency.MONTHLY,
        ActivityKind.GROUP_MEETING: Frequency.MONTHLY,
        ActivityKind.PARTY_LECTURE: Frequency.YEARLY,
        ActivityKind.THEME_DAY: Frequency.MONTHLY,
        ActivityKind.ORG_LIFE_MEETING: Frequency.YEARLY,
        ActivityKind.DEMOCRATIC_REVIEW: Frequency.YEARLY,
        ActivityKind.HEART_TALK: Frequency.YEARLY,
    }
)
"""支部工作条例 defaults; 党课 is often quarterly or half-yearly by local rule."""


def frequencies_from_settings(
    overrides: Mapping[str, str | None] | None,
) -> dict[ActivityKind, Frequency]:
    """The defaults with a tenant's overrides applied; None stops tracking a kind.

    Raises `invalid_frequency_setting` naming every bad entry, so an administrator fixes
    the settings document in one go.
    """
    result = dict(DEFAULT_FREQUENCIES)
    errors: list[FieldError] = []
    for name, value in (overrides or {}).items():
        try:
            kind = ActivityKind(name)
        except ValueError:
            errors.append(MESSAGES.field(name, "unknown_activity_kind", name=name))
            continue
        if value is None:
            result.pop(kind, None)
            continue
        try:
            result[kind] = Frequency(value)
        except ValueError:
            errors.append(MESSAGES.field(name, "unknown_frequency", value=value))
    if errors:
        raise MESSAGES.error("invalid_frequency_setting", ErrorKind.INVALID, errors=errors)
    return result


@dataclass(frozen=True, slots=True, order=True)
class Period:
    first_day: date
    last_day: date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.first_day <= day <= self.last_day


def period_of(frequency: Frequency, day: date) -> Period:
    """The calendar period of `frequency` that contains `day`."""
    span = frequency.months
    first_month = (day.month - 1) // span * span + 1
    first = date(day.year, first_month, 1)
    return Period(first, _add_months(first, span) - timedelta(days=1))


def _add_months(first_of_month: date, months: int) -> date:
    index = first_of_month.year * 12 + first_of_month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True, slots=True)
class HeldActivity:
    """An activity as the calendar sees it: joint activities list several organizations."""

    kind: ActivityKind
    organization_ids: frozenset[uuid.UUID]
    finished_on: date
    status: ActivityStatus = ActivityStatus.FINISHED


class ComplianceStatus(StrEnum):
    """已开展 / 待开展 (this period, not yet) / 逾期 (a past period with none)."""

    HELD = "held"
    DUE = "due"
    OVERDUE = "overdue"


@dataclass(frozen=True, slots=True)
class PeriodCompliance:
    kind: ActivityKind
    frequency: Frequency
    period: Period
    status: ComplianceStatus
    held_count: int


def compliance(
    frequencies: Mapping[ActivityKind, Frequency],
    held: Iterable[HeldActivity],
    *,
    organization_id: uuid.UUID,
    period_start: date,
    today: date,
    obligations_from: date | None = None,
) -> list[PeriodCompliance]:
    """Every tracked kind's periods from the one containing `period_start` to today's.

    An organization owes nothing for periods that ended before `obligations_from` (the day
    it was established): a branch set up today has this period due and none overdue.
    Only finished or archived activities count; cancelled or unfinished ones never do.
    A joint activity counts for each organization it lists.
    """
    if obligations_from is not None:
        period_start = max(period_start, obligations_from)
    counted = [a for a in held if a.status.counts_as_held and organization_id in a.organization_ids]
    result: list[PeriodCompliance] = []
    for kind, frequency in frequencies.items():
        days = [a.finished_on for a in counted if a.kind is kind]
        current = period_of(frequency, today)
        period = period_of(frequency, period_start)
        while period <= current:
            held_count = sum(1 for d in days if d in period)
            if held_count:
                status = ComplianceStatus.HELD
            elif period == current:
                status = ComplianceStatus.DUE
            else:
                status = ComplianceStatus.OVERDUE
            result.append(PeriodCompliance(kind, frequency, period, status, held_count))
            period = period_of(frequency, _add_months(period.first_day, frequency.months))
    return result


@dataclass(frozen=True, slots=True)
class KindRollup:
    """Organizations by their standing on one kind (e.g. 本月未开支委会的支部).

    `held` and `due` describe each organization's current period; `overdue` lists those
    with at least one past period missed.
    """

    kind: ActivityKind
    held: tuple[uuid.UUID, ...]
    due: tuple[uuid.UUID, ...]
    overdue: tuple[uuid.UUID, ...]


def rollup(
    results: Mapping[uuid.UUID, Sequence[PeriodCompliance]],
) -> dict[ActivityKind, KindRollup]:
    """Roll many organizations' `compliance` results up per kind."""
    held: dict[ActivityKind, list[uuid.UUID]] = {}
    due: dict[ActivityKind, list[uuid.UUID]] = {}
    overdue: dict[ActivityKind, list[uuid.UUID]] = {}
    for organization_id, periods in results.items():
        latest: dict[ActivityKind, PeriodCompliance] = {}
        missed: set[ActivityKind] = set()
        for item in periods:
            if item.kind not in latest or latest[item.kind].period < item.period:
                latest[item.kind] = item
            if item.status is ComplianceStatus.OVERDUE:
                missed.add(item.kind)
        for kind, item in latest.items():
            if item.status is ComplianceStatus.HELD:
                held.setdefault(kind, []).append(organization_id)
            elif item.status is ComplianceStatus.DUE:
                due.setdefault(kind, []).append(organization_id)
        for kind in missed:
            overdue.setdefault(kind, []).append(organization_id)
    kinds = [k for k in ActivityKind if k in held or k in due or k in overdue]
    return {
        k: KindRollup(k, tuple(held.get(k, ())), tuple(due.get(k, ())), tuple(overdue.get(k, ())))
        for k in kinds
    }
