"""Citizen ID numbers (公民身份号码, GB 11643-1999) and mainland mobile numbers (手机号).

Both are sensitive personal data: they are normalised here so that the blind index sees
one canonical form (masked by `domain.shared.masking`, which the field protector uses).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from domain.members.divisions import PROVINCES, is_area_code, is_province_code
from domain.members.messages import MESSAGES
from domain.members.model import Gender
from domain.shared.errors import DomainError, FieldError, Message

ID_NUMBER_FIELD = "id_number"
PHONE_FIELD = "phone"

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_ID_SHAPE = re.compile(r"[0-9]{17}[0-9X]")
_MOBILE = re.compile(r"(?:\+?86)?(1[3-9][0-9]{9})")
_PHONE_SEPARATORS = re.compile(r"[\s\-]")


@dataclass(frozen=True, slots=True)
class IdNumberFacts:
    """What a valid 身份证号 says about its holder."""

    number: str
    area_code: str
    birth_date: date
    gender: Gender


def id_check_character(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character for the first 17 digits."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def _refuse(field: str, code: str, message: Message) -> DomainError:
    return DomainError(
        code="validation_failed",
        message=MESSAGES.message("members.input_invalid"),
        errors=[FieldError(field, code, message)],
    )


def normalize_id_number(raw: str) -> str:
    """Fold full-width characters and spaces, upper-case the check character."""
    return "".join(unicodedata.normalize("NFKC", raw).split()).upper()


def parse_id_number(raw: str, *, today: date, field: str = ID_NUMBER_FIELD) -> IdNumberFacts:
    """Check a 身份证号 and return what it encodes; raise DomainError naming `field` if not."""
    number = normalize_id_number(raw)
    if len(number) != 18:
        if len(number) == 15 and number.isdigit():
            raise _refuse(
                field,
                "id_number_length",
                MESSAGES.message("members.id_number_length_old"),
            )
        raise _refuse(
            field,
            "id_number_length",
            MESSAGES.message("members.id_number_length", count=len(number)),
        )
    if not _ID_SHAPE.fullmatch(number):
        raise _refuse(
            field,
            "id_number_format",
            MESSAGES.message("members.id_number_format"),
        )
    _check_area(number, field)
    try:
        birth_date = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise _refuse(
            field,
            "id_number_birth_date",
            MESSAGES.message("members.id_number_birth_date_invalid", digits=number[6:14]),
        ) from None
    if birth_date > today:
        raise _refuse(
            field,
            "id_number_birth_date",
            MESSAGES.message("members.id_number_birth_date"),
        )
    if id_check_character(number[:17]) != number[17]:
        raise _refuse(
            field,
            "id_number_check_digit",
            MESSAGES.message("members.id_number_check_digit"),
        )
    gender = Gender.MALE if int(number[16]) % 2 else Gender.FEMALE
    return IdNumberFacts(number=number, area_code=number[:6], birth_date=birth_date, gender=gender)


def _check_area(number: str, field: str) -> None:
    """The first six digits: an assigned province-level code, then a known division."""
    province, area = number[:2], number[:6]
    if not is_province_code(province):
        raise _refuse(
            field,
            "id_number_province",
            MESSAGES.message("members.id_number_province", province=province),
        )
    if not is_area_code(area):
        raise _refuse(
            field,
            "id_number_area",
            MESSAGES.message(
                "members.id_number_area",
                area=area,
                province_name=PROVINCES[province],
                province=province,
            ),
        )


def normalize_mobile(raw: str, *, field: str = PHONE_FIELD) -> str:
    """The bare 11-digit mainland mobile number; +86/86 prefixes, spaces and dashes dropped."""
    compact = _PHONE_SEPARATORS.sub("", unicodedata.normalize("NFKC", raw))
    match = _MOBILE.fullmatch(compact)
    if match is None:
        raise _refuse(
            field,
            "phone_format",
            MESSAGES.message("members.phone_format"),
        )
    return match.group(1)
