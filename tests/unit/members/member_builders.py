"""Shared builders for member tests: a hypothesis strategy for valid 身份证号."""

from __future__ import annotations

from datetime import date

from hypothesis import strategies as st

from domain.members.divisions import AREA_CODES

TODAY = date(2025, 7, 1)
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def check_character(first17: str) -> str:
    """GB 11643 check character via the closed form (12 - S mod 11) mod 11, 10 written X."""
    value = (12 - sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11) % 11
    return "X" if value == 10 else str(value)


def make_id(area: str, birth: date, sequence: int) -> str:
    first17 = f"{area}{birth:%Y%m%d}{sequence:03d}"
    return first17 + check_character(first17)


valid_ids = st.builds(
    make_id,
    area=st.sampled_from(sorted(AREA_CODES)),
    birth=st.dates(min_value=date(1900, 1, 1), max_value=TODAY),
    sequence=st.integers(min_value=0, max_value=999),
)


VALID_ID = "11010519491231002X"  # born 1949-12-31, sequence 002: female
VALID_ID_MALE = "440524188001010014"  # born 1880-01-01, sequence 001: male
