"""The receipt (党费收据) of a paid bill: what it says, and amounts written as finance
offices write them (¥12.34 and 人民币壹拾贰元叁角肆分)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL = ("", "拾", "佰", "仟")
_GROUPS = ("", "万", "亿", "万亿")


@dataclass(frozen=True, slots=True)
class ReceiptDocument:
    number: str
    tenant_name: str
    organization_name: str
    member_name: str
    month: date
    amount_fen: int
    issued_at: datetime
    provider: str
    transaction_id: str


def yuan(fen: int) -> str:
    """Fen as yuan with two decimals: 12345 → "123.45"."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole:,}.{cents:02d}"


def _group(number: int) -> str:
    """0–9999 in capital numerals, zeros collapsed ("壹仟零伍")."""
    text, zero = "", False
    for position in range(3, -1, -1):
        digit = number // 10**position % 10
        if digit == 0:
            zero = bool(text)
            continue
        if zero:
            text += "零"
            zero = False
        text += _DIGITS[digit] + _SMALL[position]
    return text


def amount_in_words(fen: int) -> str:
    """人民币 capital amount of a non-negative sum in fen: 123405 → 人民币壹仟贰佰叁拾肆元零伍分."""
    if fen < 0:
        raise ValueError(fen)
    whole, cents = divmod(fen, 100)
    jiao, fen_digit = divmod(cents, 10)
    words = ""
    groups: list[int] = []
    while whole:
        whole, part = divmod(whole, 10_000)
        groups.append(part)
    for index in range(len(groups) - 1, -1, -1):
        part = groups[index]
        if part == 0:
            if words and not words.endswith("零"):
                words += "零"
            continue
        if words and part < 1000 and not words.endswith("零"):
            words += "零"
        words += _group(part) + _GROUPS[index]
    words = words.rstrip("零")
    if words:
        words += "元"
    if jiao == 0 and fen_digit == 0:
        return "人民币" + (words or "零元") + "整"
    if jiao:
        words += _DIGITS[jiao] + "角"
    elif words:
        words += "零"
    if fen_digit:
        words += _DIGITS[fen_digit] + "分"
    else:
        words += "整"
    return "人民币" + words
