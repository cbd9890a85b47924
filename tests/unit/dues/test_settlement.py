"""Settlement rules and receipts, without a database: what a provider's word does to a
payment, which bills a payment may take, receipt numbers and amounts in capitals."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from domain.dues import (
    Outcome,
    PaymentStatus,
    TradeState,
    Transaction,
    bill_settles,
    check_months,
    check_payable,
    payment_description,
    receipt_number,
    settlement,
)
from domain.dues.receipts import amount_in_words, yuan
from domain.shared import DomainError


def paid(transaction_id: str = "tx1", state: TradeState = TradeState.SUCCESS) -> Transaction:
    return Transaction("o1", transaction_id, state, 5_000, "CNY", datetime(2026, 5, 1, tzinfo=UTC))


@pytest.mark.parametrize(
    ("status", "settled", "transaction", "outcome"),
    [
        (PaymentStatus.PENDING, None, paid(), Outcome.SETTLED),
        (PaymentStatus.CLOSED, None, paid(), Outcome.SETTLED),  # the money arrived after all
        (PaymentStatus.PAID, "tx1", paid(), Outcome.DUPLICATE),
        (PaymentStatus.PAID, "tx1", paid("tx2"), Outcome.MISMATCH),
        (PaymentStatus.PENDING, None, paid(None, TradeState.NOTPAY), Outcome.IGNORED),
        (PaymentStatus.PENDING, None, paid(None, TradeState.CLOSED), Outcome.IGNORED),
    ],
)
def test_what_a_transaction_does(
    status: PaymentStatus, settled: str | None, transaction: Transaction, outcome: Outcome
) -> None:
    assert settlement(status, settled, transaction) is outcome


def test_only_a_mismatch_is_not_acknowledged() -> None:
    assert [o for o in Outcome if not o.acknowledged] == [Outcome.MISMATCH]


def test_a_paid_or_exempted_bill_takes_a_credit() -> None:
    assert bill_settles("unpaid")
    assert not bill_settles("paid")
    assert not bill_settles("exempted")


def test_months_at_once() -> None:
    check_months(1)
    check_months(12)
    for wrong in (0, 13):
        with pytest.raises(DomainError) as caught:
            check_months(wrong)
        assert caught.value.code == "dues_payment_months"


def test_a_payment_takes_the_asked_bill_and_enough_following_months() -> None:
    may, june, july = date(2026, 5, 1), date(2026, 6, 1), date(2026, 7, 1)
    check_payable(may, 3, [may, june, july])
    with pytest.raises(DomainError) as caught:
        check_payable(may, 3, [may, june])
    assert caught.value.code == "dues_payment_months_missing"
    with pytest.raises(DomainError) as caught:
        check_payable(may, 1, [june])
    assert caught.value.code == "dues_bill_not_payable"
    assert payment_description([may]) == "党费 2026-05"
    assert payment_description([may, june, july]) == "党费 2026-05 至 2026-07"


def test_receipt_numbers() -> None:
    assert receipt_number(datetime(2026, 12, 31, tzinfo=UTC), 123) == "DF2026-0000000123"


@pytest.mark.parametrize(
    ("fen", "words"),
    [
        (0, "人民币零元整"),
        (2, "人民币贰分"),
        (20, "人民币贰角整"),
        (5_000, "人民币伍拾元整"),
        (10_050, "人民币壹佰元伍角整"),
        (123_405, "人民币壹仟贰佰叁拾肆元零伍分"),
        (1_010_101, "人民币壹万零壹佰零壹元零壹分"),
        (100_000_005, "人民币壹佰万元零伍分"),
    ],
)
def test_amounts_in_capitals(fen: int, words: str) -> None:
    assert amount_in_words(fen) == words


def test_yuan() -> None:
    assert yuan(123_456) == "1,234.56"
    assert yuan(5) == "0.05"
    assert yuan(-5) == "-0.05"
