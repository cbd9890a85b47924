"""Dues standards (交纳标准) and the calculator: domain-rules §1, 中组部 2008 规定.

A standard is versioned data: brackets for members with an income (employed 在职, retired
离退休) and fixed monthly amounts for the other categories, in force from a date. The rate
applies to the whole income, not marginally; a bracket's upper bound is inclusive. Rates
are in basis points (1/10000) and money in fen, so the arithmetic is exact; the tenant's
rounding rule (`dues_rounding`) turns the exact product into whole fen.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from fractions import Fraction
from typing import Any

from domain.dues.messages import MESSAGES
from domain.shared.errors import FieldError, Message

BASIS = 10_000
"""Rates are counted in basis points: 50 is 0.5%."""


class DuesCategory(StrEnum):
    """党费类别: which part of the standard applies to a member."""

    EMPLOYED = "employed"  # 在职：按月工资收入比例
    RETIRED = "retired"  # 离退休：按离退休费比例
    FARMER = "farmer"  # 农民党员：每月 0.2–1 元
    STUDENT = "student"  # 学生党员：每月 0.2 元
    UNEMPLOYED = "unemployed"  # 下岗失业：每月 0.2 元
    SUBSISTENCE = "subsistence"  # 领取抚恤、救济或低保：每月 0.2 元

    @property
    def has_income(self) -> bool:
        return self in INCOME_CATEGORIES


INCOME_CATEGORIES = frozenset({DuesCategory.EMPLOYED, DuesCategory.RETIRED})
FIXED_CATEGORIES = tuple(c for c in DuesCategory if c not in INCOME_CATEGORIES)


class Rounding(StrEnum):
    """How an exact amount becomes whole fen (a tenant setting; no national rule)."""

    HALF_UP = "half_up"
    HALF_EVEN = "half_even"
    DOWN = "down"
    UP = "up"


def round_fen(exact: Fraction, rounding: Rounding) -> int:
    """`exact` (non-negative fen) rounded to a whole fen (in integers: a bill run rounds
    once per member, and Fraction arithmetic was a tenth of its time)."""
    floor, rest = divmod(exact.numerator, exact.denominator)
    if rest == 0 or rounding is Rounding.DOWN:
        return floor
    if rounding is Rounding.UP:
        return floor + 1
    twice = 2 * rest
    if twice > exact.denominator or (twice == exact.denominator and rounding is Rounding.HALF_UP):
        return floor + 1
    if twice == exact.denominator:  # half_even
        return floor + (floor % 2)
    return floor


@dataclass(frozen=True, slots=True)
class Bracket:
    """Incomes above the previous bracket's bound up to `up_to_fen` (inclusive; None: no
    upper bound) pay `rate_bp` of the whole income."""

    up_to_fen: int | None
    rate_bp: int


@dataclass(frozen=True, slots=True)
class DuesStandard:
    id: uuid.UUID
    name: str
    effective_from: date
    brackets: Mapping[DuesCategory, tuple[Bracket, ...]]
    fixed_fen: Mapping[DuesCategory, int]

    def rules(self) -> dict[str, Any]:
        """The stored form (JSON)."""
        return {
            "brackets": {
                c.value: [{"up_to_fen": b.up_to_fen, "rate_bp": b.rate_bp} for b in brackets]
                for c, brackets in self.brackets.items()
            },
            "fixed_fen": {c.value: fen for c, fen in self.fixed_fen.items()},
        }


def standard_from_rules(
    standard_id: uuid.UUID, name: str, effective_from: date, rules: Mapping[str, Any]
) -> DuesStandard:
    return DuesStandard(
        id=standard_id,
        name=name,
        effective_from=effective_from,
        brackets={
            DuesCategory(c): tuple(Bracket(b["up_to_fen"], b["rate_bp"]) for b in brackets)
            for c, brackets in rules["brackets"].items()
        },
        fixed_fen={DuesCategory(c): int(fen) for c, fen in rules["fixed_fen"].items()},
    )


NATIONAL_2008 = DuesStandard(
    id=uuid.UUID("00000000-0000-7000-8000-000000002008"),
    name="中组部《关于中国共产党党费收缴、使用和管理的规定》（2008）",
    effective_from=date(2008, 4, 1),
    brackets={
        DuesCategory.EMPLOYED: (
            Bracket(300_000, 50),
            Bracket(500_000, 100),
            Bracket(1_000_000, 150),
            Bracket(None, 200),
        ),
        DuesCategory.RETIRED: (Bracket(500_000, 50), Bracket(None, 100)),
    },
    # 农民党员 0.2–1 元 [local]: the lowest amount unless a tenant's standard says more.
    fixed_fen={c: 20 for c in FIXED_CATEGORIES},
)
"""The built-in standard every tenant has until it (or an ancestor) publishes another."""


@dataclass(frozen=True, slots=True)
class Rule:
    """Which part of which standard gave an amount."""

    standard_id: uuid.UUID
    standard_name: str
    category: DuesCategory
    above_fen: int | None = None
    up_to_fen: int | None = None
    rate_bp: int | None = None
    fixed_fen: int | None = None

    @property
    def description(self) -> Message:
        if self.fixed_fen is not None:
            template = MESSAGES.message("rule_fixed")
            amount = _yuan(self.fixed_fen)
            return Message(
                template.zh.format(category=_CATEGORY_ZH[self.category], amount=amount),
                template.en.format(category=self.category.value, amount=amount),
            )
        rate = _percent(self.rate_bp or 0)
        if self.above_fen is None:
            return MESSAGES.message("rule_bracket_first", up_to=_yuan(self.up_to_fen), rate=rate)
        if self.up_to_fen is None:
            return MESSAGES.message("rule_bracket_last", above=_yuan(self.above_fen), rate=rate)
        return MESSAGES.message(
            "rule_bracket", above=_yuan(self.above_fen), up_to=_yuan(self.up_to_fen), rate=rate
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "standard_id": str(self.standard_id),
            "standard_name": self.standard_name,
            "category": self.category.value,
            "above_fen": self.above_fen,
            "up_to_fen": self.up_to_fen,
            "rate_bp": self.rate_bp,
            "fixed_fen": self.fixed_fen,
        }


def rule_from_dict(stored: Mapping[str, Any]) -> Rule:
    """A rule as a bill stores it (`Rule.as_dict`, extra keys ignored)."""
    return Rule(
        standard_id=uuid.UUID(str(stored["standard_id"])),
        standard_name=stored["standard_name"],
        category=DuesCategory(stored["category"]),
        above_fen=stored.get("above_fen"),
        up_to_fen=stored.get("up_to_fen"),
        rate_bp=stored.get("rate_bp"),
        fixed_fen=stored.get("fixed_fen"),
    )


_CATEGORY_ZH = {
    DuesCategory.EMPLOYED: "在职党员",
    DuesCategory.RETIRED: "离退休党员",
    DuesCategory.FARMER: "农民党员",
    DuesCategory.STUDENT: "学生党员",
    DuesCategory.UNEMPLOYED: "下岗失业党员",
    DuesCategory.SUBSISTENCE: "领取抚恤、救济或低保的党员",
}


def _yuan(fen: int | None) -> str:
    fen = fen or 0
    return f"{fen // 100}" if fen % 100 == 0 else f"{fen // 100}.{fen % 100:02d}"


def _percent(rate_bp: int) -> str:
    whole, rest = divmod(rate_bp, 100)
    return f"{whole}.{rest:02d}".rstrip("0") if rest else f"{whole}"


@dataclass(frozen=True, slots=True)
class Assessment:
    """A monthly amount and the rule that gave it."""

    amount_fen: int
    rule: Rule


def monthly_dues(
    standard: DuesStandard,
    category: DuesCategory,
    income_fen: int | None,
    rounding: Rounding,
) -> Assessment:
    """The monthly dues of a member of `category` with that monthly income (fen)."""
    if not category.has_income:
        if income_fen is not None:
            raise MESSAGES.error(
                "dues_income_not_used",
                errors=[MESSAGES.field("monthly_income_fen", "dues_income_not_used")],
            )
        fixed = standard.fixed_fen[category]
        return Assessment(fixed, Rule(standard.id, standard.name, category, fixed_fen=fixed))
    if income_fen is None or income_fen < 0:
        raise MESSAGES.error(
            "dues_income_needed",
            errors=[MESSAGES.field("monthly_income_fen", "dues_income_needed")],
        )
    above: int | None = None
    for bracket in standard.brackets[category]:
        if bracket.up_to_fen is None or income_fen <= bracket.up_to_fen:
            exact = Fraction(income_fen * bracket.rate_bp, BASIS)
            rule = Rule(
                standard.id,
                standard.name,
                category,
                above_fen=above,
                up_to_fen=bracket.up_to_fen,
                rate_bp=bracket.rate_bp,
            )
            return Assessment(round_fen(exact, rounding), rule)
        above = bracket.up_to_fen
    raise AssertionError("a checked standard's last bracket has no upper bound")


def in_force(chain: Sequence[Sequence[DuesStandard]], on: date) -> DuesStandard:
    """The standard in force on a day for a tenant.

    `chain` lists the versions of the tenant and its ancestors, nearest tenant first: as
    with settings, the nearest tenant that has a version in force on `on` decides (its
    latest such version); with none, the built-in national standard.
    """
    for versions in chain:
        current = [s for s in versions if s.effective_from <= on]
        if current:
            return max(current, key=lambda s: (s.effective_from, s.id))
    return NATIONAL_2008


MAX_FEN = 100_000_000_00
"""A sanity bound on any amount or income: 100 million yuan a month."""


def check_standard(
    brackets: Mapping[str, Sequence[Mapping[str, Any]]], fixed_fen: Mapping[str, int]
) -> tuple[dict[DuesCategory, tuple[Bracket, ...]], dict[DuesCategory, int]]:
    """Refuse a standard whose brackets or amounts make no sense; returns them typed.

    Each income category needs brackets with rising upper bounds, the last unbounded, and
    rates of 1–10000 basis points; each fixed category an amount of at least one fen.
    """
    errors: list[FieldError] = []
    typed: dict[DuesCategory, tuple[Bracket, ...]] = {}
    for category in INCOME_CATEGORIES:
        given = brackets.get(category.value)
        field = f"brackets.{category.value}"
        if not given:
            errors.append(MESSAGES.field(field, "standard_brackets_missing"))
            continue
        typed[category] = tuple(Bracket(b.get("up_to_fen"), b["rate_bp"]) for b in given)
        errors.extend(_bracket_errors(field, typed[category]))
    for key in brackets:
        if key not in {c.value for c in INCOME_CATEGORIES}:
            errors.append(MESSAGES.field(f"brackets.{key}", "standard_category_not_bracketed"))
    fixed: dict[DuesCategory, int] = {}
    for category in FIXED_CATEGORIES:
        amount = fixed_fen.get(category.value)
        if amount is None or not 1 <= amount <= MAX_FEN:
            errors.append(MESSAGES.field(f"fixed_fen.{category.value}", "standard_fixed_missing"))
        else:
            fixed[category] = amount
    for key in fixed_fen:
        if key not in {c.value for c in FIXED_CATEGORIES}:
            errors.append(MESSAGES.field(f"fixed_fen.{key}", "standard_category_not_fixed"))
    if errors:
        raise MESSAGES.error("dues_standard_invalid", errors=errors)
    return typed, fixed


def _bracket_errors(field: str, brackets: Iterable[Bracket]) -> list[FieldError]:
    errors: list[FieldError] = []
    listed = list(brackets)
    previous = 0
    for index, bracket in enumerate(listed):
        at = f"{field}.{index}"
        if not 1 <= bracket.rate_bp <= BASIS:
            errors.append(MESSAGES.field(f"{at}.rate_bp", "standard_rate_range"))
        last = index == len(listed) - 1
        if last and bracket.up_to_fen is not None:
            errors.append(MESSAGES.field(f"{at}.up_to_fen", "standard_last_unbounded"))
        if not last and (bracket.up_to_fen is None or bracket.up_to_fen <= previous):
            errors.append(MESSAGES.field(f"{at}.up_to_fen", "standard_bounds_rising"))
        previous = bracket.up_to_fen or previous
    return errors
