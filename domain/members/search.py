"""Finding members by what people type: pinyin (拼音), initials, name, phone or 身份证号.

Names are stored with pinyin keys so that 'zhangsan' and 'zs' find 张三. Surnames with a
special reading (单 shàn, 曾 zēng, 解 xiè …) get that reading, and the everyday reading is
kept as a second key, because people type what they say, not what the dictionary says.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from pypinyin import Style, lazy_pinyin

from domain.members.identity import normalize_id_number, normalize_mobile
from domain.members.messages import MESSAGES
from domain.shared.errors import DomainError, ErrorKind, FieldError, Message

# Surname readings that pypinyin's everyday reading gets wrong. The compound 单于 is listed so
# that it is not read as the surname 单 (shan) followed by 于.
_SURNAME_READINGS: dict[str, tuple[str, ...]] = {
    "单于": ("chan", "yu"),
    "单": ("shan",),
    "曾": ("zeng",),
    "解": ("xie",),
    "仇": ("qiu",),
    "朴": ("piao",),
    "区": ("ou",),
    "查": ("zha",),
    "乐": ("yue",),
    "盖": ("ge",),
    "缪": ("miao",),
    "翟": ("zhai",),
    "覃": ("qin",),
    "召": ("shao",),
    "种": ("chong",),
    "秘": ("bi",),
    "折": ("she",),
    "员": ("yun",),
    "繁": ("po",),
    "黑": ("he",),
    "能": ("nai",),
    "重": ("chong",),
    "薄": ("bo",),
    "便": ("pian",),
    "句": ("gou",),
    "隗": ("wei",),
    "阚": ("kan",),
    "藏": ("zang",),
}
_COMPOUND_SURNAME_LENGTH = 2
_NON_WORD = re.compile(r"[^0-9a-z]+")
_HAN = re.compile(r"[\u3400-\u9fff]")
_ID_NUMBER_SHAPE = re.compile(r"[0-9]{17}[0-9X]")
_PINYIN_QUERY = re.compile(r"[a-z]+")


@dataclass(frozen=True, slots=True)
class NameSearchKeys:
    """Pinyin keys stored beside a name.

    `full` and `initials` use the surname reading; `all_full` and `all_initials` also hold
    the everyday reading when the surname has two, for matching either.
    """

    full: str
    initials: str
    all_full: frozenset[str]
    all_initials: frozenset[str]


def _non_han(chunk: str) -> str:
    """Keep Latin letters and digits inside a name (e.g. 'A' in 'A强'), drop punctuation."""
    return _NON_WORD.sub("", chunk.lower())


def _syllables(text: str) -> list[str]:
    return [s for s in lazy_pinyin(text, style=Style.NORMAL, errors=_non_han) if s]


def _surname_split(name: str) -> tuple[str, tuple[str, ...] | None]:
    compound = name[:_COMPOUND_SURNAME_LENGTH]
    if compound in _SURNAME_READINGS:
        return compound, _SURNAME_READINGS[compound]
    return name[:1], _SURNAME_READINGS.get(name[:1])


def name_search_keys(name: str) -> NameSearchKeys:
    """Full pinyin without tones and initials for a name: 张三 → 'zhangsan', 'zs'."""
    folded = "".join(unicodedata.normalize("NFKC", name).split())
    surname, surname_reading = _surname_split(folded)
    everyday = _syllables(folded)
    preferred = (
        [*surname_reading, *_syllables(folded[len(surname) :])] if surname_reading else everyday
    )
    variants = (preferred, everyday)
    return NameSearchKeys(
        full="".join(preferred),
        initials="".join(s[0] for s in preferred),
        all_full=frozenset("".join(v) for v in variants),
        all_initials=frozenset("".join(s[0] for s in v) for v in variants),
    )


class QueryKind(StrEnum):
    """What a search box entry most likely is, which decides the column it is matched on."""

    ID_NUMBER = "id_number"
    PHONE = "phone"
    PINYIN = "pinyin"
    NAME = "name"


@dataclass(frozen=True, slots=True)
class NormalizedQuery:
    """A search entry in the form its column stores (exact for 身份证号/phone, prefix else)."""

    kind: QueryKind
    value: str


def normalize_query(raw: str) -> NormalizedQuery:
    """Decide whether a query is a 身份证号, a phone, pinyin/initials or part of a name.

    身份证号 and phone are only matched exactly (through their blind index), so a digit
    string that is neither is refused rather than silently finding nothing.
    """
    compact = "".join(unicodedata.normalize("NFKC", raw).split())
    if not compact:
        raise _query_error("query_empty", MESSAGES.message("members.query_empty"))
    if _HAN.search(compact):
        return NormalizedQuery(QueryKind.NAME, compact)
    id_candidate = normalize_id_number(compact)
    if _ID_NUMBER_SHAPE.fullmatch(id_candidate):
        return NormalizedQuery(QueryKind.ID_NUMBER, id_candidate)
    try:
        return NormalizedQuery(QueryKind.PHONE, normalize_mobile(compact))
    except DomainError:
        pass
    letters = compact.lower().replace("'", "")
    if _PINYIN_QUERY.fullmatch(letters):
        return NormalizedQuery(QueryKind.PINYIN, letters)
    raise _query_error(
        "query_unrecognized",
        MESSAGES.message("members.query_unrecognized"),
    )


def _query_error(code: str, message: Message) -> DomainError:
    return DomainError(
        code="invalid_query",
        message=MESSAGES.message("members.invalid_query"),
        kind=ErrorKind.INVALID,
        errors=[FieldError("q", code, message)],
    )
