"""Reconciliation without a database: statements in the providers' CSV shape, and every
kind of difference between a statement and the ledger."""

from __future__ import annotations

import uuid

import pytest

from domain.dues.reconciliation import (
    Difference,
    SettledPayment,
    StatementRow,
    fen_of,
    parse_statement,
    reconcile,
    statement_csv,
)
from domain.shared import DomainError


def row(n: int, fen: int = 5_000, state: str = "SUCCESS") -> StatementRow:
    return StatementRow("2026-12-01 10:00:00", f"tx{n}", f"o{n}", state, "CNY", fen, "t path")


def ours(n: int, fen: int = 5_000, credit: int = 0) -> SettledPayment:
    return SettledPayment(uuid.UUID(int=n), f"o{n}", f"tx{n}", fen, credit)


def test_a_statement_reads_back_as_written() -> None:
    rows = [row(1), row(2, 12_345)]
    text = statement_csv(rows)
    assert text.splitlines()[1].startswith("`2026-12-01 10:00:00,`tx1,`o1,`SUCCESS,`CNY,`50.00")
    assert parse_statement(text) == rows


@pytest.mark.parametrize("bad", ["x,y\r\n", "", statement_csv([row(1)]).replace("50.00", "50")])
def test_an_unreadable_statement_is_refused(bad: str) -> None:
    with pytest.raises(DomainError) as caught:
        parse_statement(bad)
    assert caught.value.code == "dues_statement_invalid"


def test_amounts_in_yuan() -> None:
    assert fen_of("50.00") == 5_000
    assert fen_of("0.05") == 5
    for bad in ("50", "50.0", "-1.00", "1,000.00", "5e1.00"):
        with pytest.raises(ValueError):
            fen_of(bad)


def test_every_kind_of_difference() -> None:
    statement = [row(1), row(2, 5_001), row(3), row(4), row(4), row(6, state="REFUND")]
    ledger = [ours(1), ours(2), ours(4), ours(5), ours(7, credit=5_000)]
    matched, items = reconcile(statement, ledger)
    assert matched == 2  # 1, and 4 (also listed as a duplicate)
    found = {(i.kind, i.out_trade_no): i for i in items}
    assert set(found) == {
        (Difference.AMOUNT_MISMATCH, "o2"),
        (Difference.MISSING_IN_LEDGER, "o3"),
        (Difference.DUPLICATE, "o4"),
        (Difference.MISSING_IN_STATEMENT, "o5"),
        (Difference.MISSING_IN_STATEMENT, "o7"),
        (Difference.DUPLICATE, "o7"),
    }
    mismatch = found[(Difference.AMOUNT_MISMATCH, "o2")]
    assert (mismatch.statement_fen, mismatch.ledger_fen) == (5_001, 5_000)
    assert found[(Difference.DUPLICATE, "o4")].statement_fen == 10_000
    assert found[(Difference.DUPLICATE, "o7")].ledger_fen == 5_000
