"""The time rules of the pipeline (发展党员时间要求), 2014 defaults, tightened per tenant.

Each rule is a bound between two recorded dates: a least span (`MIN`: the later step is
possible from anchor + span) or a most (`MAX`: the later step must happen by anchor +
span). The national texts give a floor for least spans and a ceiling for most spans; a
tenant may tighten either (e.g. 6 months from application to activist where the 细则 sets
none) but never loosen it past the national value. Rules marked [local] in domain-rules
§3 have no national value: their default is local practice and a tenant may change it.
Months are calendar months: one month after 31 January is the last day of February.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from domain.development.messages import MESSAGES
from domain.shared.errors import FieldError

ADULT_AGE_YEARS = 18
PROBATION_MONTHS = 12
EXTENSION_MONTHS = (6, 12)
"""预备期一年；延长一次，至少半年、至多一年（党章第七条）."""


class Bound(StrEnum):
    MIN = "min"  # at least this long after the anchor
    MAX = "max"  # at most this long after the anchor


class Unit(StrEnum):
    MONTHS = "months"
    DAYS = "days"
    HOURS = "hours"
    WORKING_DAYS = "working_days"


@dataclass(frozen=True, slots=True)
class TimeRule:
    code: str
    bound: Bound
    unit: Unit
    default: int
    national: int | None
    """The national floor (MIN) or ceiling (MAX); None for a rule of local practice."""


RULES: dict[str, TimeRule] = {
    r.code: r
    for r in (
        # 第五条: 党组织应当在一个月内派人同入党申请人谈话.
        TimeRule("talk_within", Bound.MAX, Unit.MONTHS, 1, 1),
        # [local] 递交申请半年以上方可确定为入党积极分子.
        TimeRule("activist_after_application", Bound.MIN, Unit.MONTHS, 6, None),
        # 第十条: 每半年对入党积极分子进行一次考察.
        TimeRule("review_interval", Bound.MAX, Unit.MONTHS, 6, 6),
        # 第十三条: 经过一年以上培养教育和考察.
        TimeRule("candidate_after_activist", Bound.MIN, Unit.MONTHS, 12, 12),
        # 第十六条: 集中培训时间一般不少于3天（或不少于24个学时）.
        TimeRule("training_days", Bound.MIN, Unit.DAYS, 3, 3),
        TimeRule("training_hours", Bound.MIN, Unit.HOURS, 24, 24),
        # 第二十四条、第三十一条: 基层党委应在三个月内审批，特殊情况可延长，最长不超过六个月.
        TimeRule("approval_within", Bound.MAX, Unit.MONTHS, 3, 3),
        TimeRule("approval_within_special", Bound.MAX, Unit.MONTHS, 6, 6),
        # [local] 确定积极分子、发展对象、接收和转正前公示不少于5个工作日.
        TimeRule("public_notice", Bound.MIN, Unit.WORKING_DAYS, 5, None),
    )
}


@dataclass(frozen=True, slots=True)
class TimeRules:
    """The rules in force for one tenant: the defaults, overlaid by its tightenings."""

    values: Mapping[str, int] = field(
        default_factory=lambda: {c: r.default for c, r in RULES.items()}
    )

    def __getitem__(self, code: str) -> int:
        return self.values[code]

    def tightened(self, overrides: Mapping[str, int]) -> TimeRules:
        """These rules with a tenant's values; refused (every fault at once) when a value is
        unknown, negative or looser than the national rule."""
        errors: list[FieldError] = []
        for code, value in overrides.items():
            rule = RULES.get(code)
            if rule is None:
                errors.append(MESSAGES.field(code, "development_rule_unknown", code="unknown"))
            elif value < 0:
                errors.append(MESSAGES.field(code, "development_rule_negative", code="negative"))
            elif rule.national is not None and _looser(rule, value):
                errors.append(
                    MESSAGES.field(
                        code,
                        f"development_rule_looser_{rule.bound.value}",
                        code="looser_than_national",
                        national=rule.national,
                        unit=rule.unit.value,
                    )
                )
        if errors:
            raise MESSAGES.error("development_rules_invalid", errors=errors)
        return TimeRules({**self.values, **overrides})


def _looser(rule: TimeRule, value: int) -> bool:
    assert rule.national is not None
    return value < rule.national if rule.bound is Bound.MIN else value > rule.national


DEFAULT_RULES = TimeRules()


def add_months(start: date, months: int) -> date:
    """The same day `months` calendar months later, or that month's last day."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


WorkingDay = Callable[[date], bool]
"""Whether a day is a working day (工作日); statutory holidays and 调休 are the adapter's."""


def weekday_working_day(day: date) -> bool:
    """Monday to Friday: the calendar when no holiday table covers the day."""
    return day.weekday() < 5


def working_days(first: date, last: date, is_working_day: WorkingDay) -> int:
    """Working days from `first` to `last`, both included."""
    count, day = 0, first
    while day <= last:
        count += is_working_day(day)
        day += timedelta(days=1)
    return count


def notice_end(first: date, days: int, is_working_day: WorkingDay) -> date:
    """The last day of a notice of `days` working days that starts on `first`."""
    day, counted = first, 0
    while True:
        if is_working_day(day):
            counted += 1
            if counted >= days:
                return day
        day += timedelta(days=1)
