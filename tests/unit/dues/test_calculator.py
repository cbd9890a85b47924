"""The calculator at every bracket edge of domain-rules §1, all in fen: whole income ×
the bracket's rate, upper bounds inclusive, the tenant's rounding, fixed categories."""

from __future__ import annotations

import uuid
from datetime import date
from fractions import Fraction

import pytest

from domain.dues import (
    NATIONAL_2008,
    DuesCategory,
    Rounding,
    check_standard,
    in_force,
    monthly_dues,
    round_fen,
    standard_from_rules,
)
from domain.shared import DomainError

E, R = DuesCategory.EMPLOYED, DuesCategory.RETIRED

EDGES = [
    # category, monthly income (fen), dues (fen), rate (basis points)
    (E, 0, 0, 50),
    (E, 100_000, 500, 50),
    (E, 300_000, 1_500, 50),  # 3000.00: still 0.5%
    (E, 300_001, 3_000, 100),  # 3000.01: 1% of the whole income, 30.0001 yuan
    (E, 400_000, 4_000, 100),
    (E, 500_000, 5_000, 100),  # 5000: still 1%
    (E, 500_001, 7_500, 150),  # 5000.01 × 1.5% = 75.00015 yuan
    (E, 1_000_000, 15_000, 150),  # 10000: still 1.5%
    (E, 1_000_001, 20_000, 200),  # 10000.01 × 2% = 200.0002 yuan
    (E, 2_500_000, 50_000, 200),
    (R, 300_000, 1_500, 50),
    (R, 500_000, 2_500, 50),  # retirees at 5000: 0.5%
    (R, 500_001, 5_000, 100),  # retirees at 5000.01: 1%
    (R, 800_000, 8_000, 100),
]


@pytest.mark.parametrize(("category", "income", "dues", "rate"), EDGES)
def test_bracket_edges(category: DuesCategory, income: int, dues: int, rate: int) -> None:
    assessed = monthly_dues(NATIONAL_2008, category, income, Rounding.HALF_UP)
    assert assessed.amount_fen == dues
    assert assessed.rule.rate_bp == rate
    assert assessed.rule.standard_id == NATIONAL_2008.id


@pytest.mark.parametrize(
    "category",
    [
        DuesCategory.FARMER,
        DuesCategory.STUDENT,
        DuesCategory.UNEMPLOYED,
        DuesCategory.SUBSISTENCE,
    ],
)
def test_fixed_categories_pay_twenty_fen(category: DuesCategory) -> None:
    assessed = monthly_dues(NATIONAL_2008, category, None, Rounding.HALF_UP)
    assert assessed.amount_fen == 20
    assert assessed.rule.fixed_fen == 20
    assert assessed.rule.rate_bp is None
    assert "0.20" in assessed.rule.description.zh


def test_the_rule_says_which_bracket() -> None:
    rule = monthly_dues(NATIONAL_2008, E, 500_000, Rounding.HALF_UP).rule
    assert (rule.above_fen, rule.up_to_fen) == (300_000, 500_000)
    assert rule.description.zh == "月收入 3000 元以上至 5000 元（含）按 1% 交纳"
    top = monthly_dues(NATIONAL_2008, E, 1_000_001, Rounding.HALF_UP).rule
    assert (top.above_fen, top.up_to_fen) == (1_000_000, None)
    assert top.description.zh == "月收入 10000 元以上按 2% 交纳"
    first = monthly_dues(NATIONAL_2008, R, 1, Rounding.HALF_UP).rule
    assert first.description.zh == "月收入 5000 元以下（含）按 0.5% 交纳"


@pytest.mark.parametrize(
    ("income", "rounding", "dues"),
    [
        # 3001.50 yuan × 1% = 30.015 yuan = 3001.5 fen
        (300_150, Rounding.HALF_UP, 3_002),
        (300_150, Rounding.HALF_EVEN, 3_002),
        (300_250, Rounding.HALF_EVEN, 3_002),  # 3002.5 → even
        (300_250, Rounding.HALF_UP, 3_003),
        (300_150, Rounding.DOWN, 3_001),
        (300_101, Rounding.UP, 3_002),  # 3001.01 → up
        (300_100, Rounding.UP, 3_001),  # exact: no rounding
        (300_149, Rounding.HALF_UP, 3_001),  # 3001.49
    ],
)
def test_the_tenants_rounding_rule(income: int, rounding: Rounding, dues: int) -> None:
    assert monthly_dues(NATIONAL_2008, E, income, rounding).amount_fen == dues


def test_round_fen_exact_halves() -> None:
    assert round_fen(Fraction(5, 2), Rounding.HALF_EVEN) == 2
    assert round_fen(Fraction(7, 2), Rounding.HALF_EVEN) == 4
    assert round_fen(Fraction(5, 2), Rounding.HALF_UP) == 3


def test_an_income_category_needs_an_income_and_a_fixed_one_refuses_it() -> None:
    with pytest.raises(DomainError) as needed:
        monthly_dues(NATIONAL_2008, E, None, Rounding.HALF_UP)
    assert needed.value.code == "dues_income_needed"
    with pytest.raises(DomainError) as unused:
        monthly_dues(NATIONAL_2008, DuesCategory.STUDENT, 100_000, Rounding.HALF_UP)
    assert unused.value.code == "dues_income_not_used"


RULES = {
    "brackets": {
        "employed": [{"up_to_fen": 400_000, "rate_bp": 50}, {"up_to_fen": None, "rate_bp": 100}],
        "retired": [{"up_to_fen": None, "rate_bp": 50}],
    },
    "fixed_fen": {"farmer": 50, "student": 20, "unemployed": 20, "subsistence": 20},
}


def test_versions_by_effective_date_nearest_tenant_first() -> None:
    county = standard_from_rules(uuid.uuid4(), "县标准", date(2027, 1, 1), RULES)
    province = standard_from_rules(uuid.uuid4(), "省标准", date(2026, 1, 1), RULES)
    chain = [[county], [province]]
    assert in_force(chain, date(2025, 12, 31)) is NATIONAL_2008
    assert in_force(chain, date(2026, 6, 1)) is province
    assert in_force(chain, date(2027, 1, 1)) is county
    farmer = monthly_dues(county, DuesCategory.FARMER, None, Rounding.HALF_UP)
    assert farmer.amount_fen == 50
    assert monthly_dues(county, E, 400_000, Rounding.HALF_UP).amount_fen == 2_000
    assert monthly_dues(county, E, 400_001, Rounding.HALF_UP).amount_fen == 4_000


def test_the_stored_form_round_trips() -> None:
    again = standard_from_rules(
        NATIONAL_2008.id, NATIONAL_2008.name, NATIONAL_2008.effective_from, NATIONAL_2008.rules()
    )
    assert again == NATIONAL_2008


@pytest.mark.parametrize(
    ("brackets", "fixed", "field"),
    [
        ({"retired": RULES["brackets"]["retired"]}, RULES["fixed_fen"], "brackets.employed"),
        (
            {**RULES["brackets"], "employed": [{"up_to_fen": 100, "rate_bp": 50}]},
            RULES["fixed_fen"],
            "brackets.employed.0.up_to_fen",
        ),
        (
            {
                **RULES["brackets"],
                "employed": [
                    {"up_to_fen": 500, "rate_bp": 50},
                    {"up_to_fen": 500, "rate_bp": 60},
                    {"up_to_fen": None, "rate_bp": 70},
                ],
            },
            RULES["fixed_fen"],
            "brackets.employed.1.up_to_fen",
        ),
        (
            {**RULES["brackets"], "retired": [{"up_to_fen": None, "rate_bp": 0}]},
            RULES["fixed_fen"],
            "brackets.retired.0.rate_bp",
        ),
        (RULES["brackets"], {**RULES["fixed_fen"], "farmer": 0}, "fixed_fen.farmer"),
        (
            {**RULES["brackets"], "farmer": RULES["brackets"]["retired"]},
            RULES["fixed_fen"],
            "brackets.farmer",
        ),
    ],
)
def test_a_standard_that_makes_no_sense_is_refused(
    brackets: dict[str, list[dict[str, int | None]]], fixed: dict[str, int], field: str
) -> None:
    with pytest.raises(DomainError) as refused:
        check_standard(brackets, fixed)
    assert field in [e.field for e in refused.value.errors]
