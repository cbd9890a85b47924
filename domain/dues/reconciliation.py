"""Reconciliation (对账): a provider's statement for a day beside the payments our ledger
settled that day. Differences are listed, never corrected: what is missing on either side,
amounts that differ, and duplicates (a transaction twice in the statement, or a bill paid
twice here). Resolving one is a person's recorded decision.

Statements are read in the providers' CSV shape (WeChat Pay's trade bill: a header row,
one row per transaction with every value prefixed by a backquote, amounts in yuan with two
decimals, then a summary block after an empty line).
"""

from __future__ import annotations

import csv
import io
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from domain.dues.messages import MESSAGES
from domain.shared.errors import ErrorKind

COLUMNS = ("交易时间", "微信订单号", "商户订单号", "交易状态", "货币种类", "订单金额", "商户数据包")
SUCCESS = "SUCCESS"


class Difference(StrEnum):
    MISSING_IN_LEDGER = "missing_in_ledger"
    MISSING_IN_STATEMENT = "missing_in_statement"
    AMOUNT_MISMATCH = "amount_mismatch"
    DUPLICATE = "duplicate"


@dataclass(frozen=True, slots=True)
class StatementRow:
    paid_at: str
    transaction_id: str
    out_trade_no: str
    trade_state: str
    currency: str
    amount_fen: int
    attach: str


@dataclass(frozen=True, slots=True)
class SettledPayment:
    """A payment our ledger settled on the day."""

    payment_id: uuid.UUID
    out_trade_no: str
    transaction_id: str
    amount_fen: int
    credit_fen: int


@dataclass(frozen=True, slots=True)
class Item:
    kind: Difference
    out_trade_no: str
    transaction_id: str | None
    statement_fen: int | None
    ledger_fen: int | None
    payment_id: uuid.UUID | None


def fen_of(yuan: str) -> int:
    """ "50.00" → 5000; anything but a plain amount with two decimals is refused."""
    whole, dot, cents = yuan.partition(".")
    if not (whole.isdigit() and dot and len(cents) == 2 and cents.isdigit()):
        raise ValueError(yuan)
    return int(whole) * 100 + int(cents)


def format_yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def statement_csv(rows: Sequence[StatementRow]) -> str:
    """A statement as the provider publishes it."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for r in rows:
        values = (r.paid_at, r.transaction_id, r.out_trade_no, r.trade_state, r.currency,
                  format_yuan(r.amount_fen), r.attach)  # fmt: skip
        writer.writerow(["`" + v for v in values])
    writer.writerow([])
    writer.writerow(["总交易单数", "应结订单总金额"])
    writer.writerow([f"`{len(rows)}", "`" + format_yuan(sum(r.amount_fen for r in rows))])
    return out.getvalue()


def parse_statement(text: str) -> list[StatementRow]:
    """The transaction rows of a statement; 422 `dues_statement_invalid` naming the first
    line that cannot be read."""
    lines = list(csv.reader(io.StringIO(text)))
    if not lines or tuple(c.strip() for c in lines[0]) != COLUMNS:
        raise _invalid(1)
    rows = []
    for number, cells in enumerate(lines[1:], start=2):
        if not any(c.strip() for c in cells):
            break  # the summary block follows
        try:
            if len(cells) != len(COLUMNS):
                raise ValueError(cells)
            v = [c.strip().removeprefix("`") for c in cells]
            rows.append(StatementRow(v[0], v[1], v[2], v[3], v[4], fen_of(v[5]), v[6]))
        except ValueError:
            raise _invalid(number) from None
    return rows


def _invalid(line: int) -> Exception:
    return MESSAGES.error("dues_statement_invalid", ErrorKind.INVALID, line=line)


def reconcile(
    rows: Sequence[StatementRow], payments: Sequence[SettledPayment]
) -> tuple[int, list[Item]]:
    """How many transactions match, and every difference."""
    items: list[Item] = []
    paid = [r for r in rows if r.trade_state == SUCCESS]
    seen = Counter(r.transaction_id for r in paid)
    ours = {p.transaction_id: p for p in payments}
    matched = 0
    for transaction_id, count in sorted(seen.items()):
        row = next(r for r in paid if r.transaction_id == transaction_id)
        if count > 1:
            items.append(Item(Difference.DUPLICATE, row.out_trade_no, transaction_id,
                              row.amount_fen * count, None, None))  # fmt: skip
        payment = ours.get(transaction_id)
        if payment is None:
            items.append(Item(Difference.MISSING_IN_LEDGER, row.out_trade_no, transaction_id,
                              row.amount_fen, None, None))  # fmt: skip
        elif payment.amount_fen != row.amount_fen:
            items.append(Item(Difference.AMOUNT_MISMATCH, row.out_trade_no, transaction_id,
                              row.amount_fen, payment.amount_fen, payment.payment_id))  # fmt: skip
        else:
            matched += 1
    for p in sorted(payments, key=lambda p: p.out_trade_no):
        if p.transaction_id not in seen:
            items.append(Item(Difference.MISSING_IN_STATEMENT, p.out_trade_no, p.transaction_id,
                              None, p.amount_fen, p.payment_id))  # fmt: skip
        if p.credit_fen:
            items.append(Item(Difference.DUPLICATE, p.out_trade_no, p.transaction_id,
                              None, p.credit_fen, p.payment_id))  # fmt: skip
    return matched, items
