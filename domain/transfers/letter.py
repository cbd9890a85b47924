"""The letter (组织关系介绍信): its number, 党费交至 in formal numerals, and the code that
lets the receiving side check a printed letter online.

The code is an HMAC of the fields a forger would change (number, name, 身份证号 as
masked, both organizations, paid-to month, validity); a letter with any of them altered
no longer matches its code.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import date

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_MONTHS = ("", "壹", "贰", "叁", "肆", "伍", "陆", "柒", "捌", "玖", "拾", "拾壹", "拾贰")
CODE_LENGTH = 12


def formal_year_month(month: date | None) -> str:
    """党费交至 in 大写 numerals (贰零贰陆年伍月), which cannot be altered by a stroke; a
    member never billed reads 无欠缴记录."""
    if month is None:
        return "无欠缴记录"
    year = "".join(_DIGITS[int(d)] for d in f"{month.year:04d}")
    return f"{year}年{_MONTHS[month.month]}月"


def letter_number(number: int, issued_on: date) -> str:
    """The printed number: the year issued and the database sequence's value."""
    return f"{issued_on.year}-{number:08d}"


@dataclass(frozen=True, slots=True)
class LetterFace:
    """The fields the verification code covers, as they are printed."""

    number: str
    name: str
    id_number_masked: str
    from_organization: str
    to_organization: str
    paid_to: str
    valid_until: str

    def canonical(self) -> bytes:
        parts = (
            "v1",
            self.number,
            self.name,
            self.id_number_masked,
            self.from_organization,
            self.to_organization,
            self.paid_to,
            self.valid_until,
        )
        return "\x1f".join(p.strip() for p in parts).encode()


def verification_code(key: bytes, face: LetterFace) -> str:
    """12 characters of base32, grouped for reading aloud: ABCD-EFGH-JKLM."""
    digest = hmac.new(key, face.canonical(), hashlib.sha256).digest()
    raw = base64.b32encode(digest).decode()[:CODE_LENGTH]
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def code_matches(key: bytes, face: LetterFace, code: str) -> bool:
    """Spaces, dashes and case as typed do not matter."""
    typed = "".join(c for c in code.upper() if c.isalnum())
    expected = verification_code(key, face).replace("-", "")
    return hmac.compare_digest(expected.encode(), typed.encode())
