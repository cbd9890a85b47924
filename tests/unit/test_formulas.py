"""The CSV formula-injection rule: nothing a spreadsheet would run, and nothing lost."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.shared import neutralise_formula, restore_formula


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+2", "'=1+2"),
        ("+86 138", "'+86 138"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTAB", "'\tTAB"),
        ("\rCR", "'\rCR"),
        ("'=quoted", "''=quoted"),
        ("'plain", "'plain"),
        ("区委办公室", "区委办公室"),
        ("", ""),
        ("a=b", "a=b"),
    ],
)
def test_cells_that_would_run_are_quoted(value: str, cell: str) -> None:
    assert neutralise_formula(value) == cell
    assert restore_formula(cell) == value


@given(st.text(alphabet=st.sampled_from("'=+-@\t\rab 区"), max_size=8))
def test_every_value_comes_back_unchanged(value: str) -> None:
    cell = neutralise_formula(value)
    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert restore_formula(cell) == value
