"""Citizen ID numbers (公民身份号码, GB 11643-1999) and mainland mobile numbers (手机号).

Both are sensitive personal data: they are normalised here so that the blind index sees
one canonical form, and masked here so that lists never show them whole.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from domain.members.divisions import PROVINCES, is_area_code, is_province_code
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


def _refuse(field: str, code: str, zh: str, en: str) -> DomainError:
    return DomainError(
        code="validation_failed",
        message=Message(zh="输入有误", en="The input is invalid"),
        errors=[FieldError(field, code, Message(zh=zh, en=en))],
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
                "身份证号应为18位；15位旧号码请换用18位新号码",
                "The ID number must have 18 characters; replace an old 15-digit number "
                "with its 18-character form",
            )
        raise _refuse(
            field,
            "id_number_length",
            f"身份证号应为18位，实际为{len(number)}位",
            f"The ID number must have 18 characters, not {len(number)}",
        )
    if not _ID_SHAPE.fullmatch(number):
        raise _refuse(
            field,
            "id_number_format",
            "身份证号前17位应为数字，最后一位为数字或X",
            "The ID number must be 17 digits followed by a digit or X",
        )
    _check_area(number, field)
    try:
        birth_date = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise _refuse(
            field,
            "id_number_birth_date",
            f"身份证号中的出生日期 {number[6:14]} 不是有效日期",
            f"The birth date {number[6:14]} in the ID number is not a real date",
        ) from None
    if birth_date > today:
        raise _refuse(
            field,
            "id_number_birth_date",
            "身份证号中的出生日期晚于今天",
            "The birth date in the ID number is in the future",
        )
    if id_check_character(number[:17]) != number[17]:
        raise _refuse(
            field,
            "id_number_check_digit",
            "身份证号校验位不正确，请核对是否有数字录错",
            "The ID number's check character is wrong; a digit was probably mistyped",
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
            f"身份证号前两位 {province} 不是有效的省级行政区划代码，请核对",
            f"The ID number's first two digits {province} are no province-level code",
        )
    if not is_area_code(area):
        raise _refuse(
            field,
            "id_number_area",
            f"身份证号前六位 {area} 不是{PROVINCES[province]}的有效行政区划代码，请核对",
            f"The first six digits {area} of the ID number are no division code of "
            f"province {province}",
        )


def mask_id_number(number: str) -> str:
    """Show the area code and the last four characters only: 110105********002X."""
    if len(number) <= 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def normalize_mobile(raw: str, *, field: str = PHONE_FIELD) -> str:
    """The bare 11-digit mainland mobile number; +86/86 prefixes, spaces and dashes dropped."""
    compact = _PHONE_SEPARATORS.sub("", unicodedata.normalize("NFKC", raw))
    match = _MOBILE.fullmatch(compact)
    if match is None:
        raise _refuse(
            field,
            "phone_format",
            "手机号应为11位大陆手机号码，以13至19开头",
            "The phone must be an 11-digit mainland mobile number starting with 13 to 19",
        )
    return match.group(1)


def mask_mobile(number: str) -> str:
    """Show the carrier prefix and the last four digits only: 138****1234."""
    if len(number) <= 7:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 7) + number[-4:]
