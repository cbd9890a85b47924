"""The member record (党员信息) as plain values: enums with Chinese labels, and the draft.

Labels are the words used on the official forms and in spreadsheets people already keep,
so imports and screens speak the same language as the paper files.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any, Self
from uuid import UUID


def _label_key(text: str) -> str:
    """Fold full-width forms, case and inner spaces so '正式 党员' and '正式党员' agree."""
    return "".join(unicodedata.normalize("NFKC", text).split()).lower()


class LabelledEnum(StrEnum):
    """An enum whose members carry a Chinese label and accept common aliases."""

    label: str
    aliases: tuple[str, ...]

    def __new__(cls, value: str, label: str, *aliases: str) -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        member.aliases = aliases
        return member

    @classmethod
    def from_label(cls, text: str) -> Self | None:
        """The member whose value, label or alias matches `text`, or None."""
        return _label_index(cls).get(_label_key(text))  # type: ignore[return-value]


@functools.cache
def _label_index(enum: type[LabelledEnum]) -> dict[str, LabelledEnum]:
    """Folded value, label and aliases → member; the first member to claim a key keeps it."""
    index: dict[str, LabelledEnum] = {}
    for member in enum:
        for name in (member.value, member.label, *member.aliases):
            index.setdefault(_label_key(name), member)
    return index


class Gender(LabelledEnum):
    """性别."""

    MALE = "male", "男", "男性", "m"
    FEMALE = "female", "女", "女性", "f"


class Education(LabelledEnum):
    """学历, in the six levels party statistics report."""

    POSTGRADUATE = (
        "postgraduate",
        "研究生",
        "研究生及以上",
        "博士",
        "博士研究生",
        "硕士",
        "硕士研究生",
        "在职研究生",
    )
    BACHELOR = "bachelor", "大学本科", "本科", "大学", "学士", "在职本科"
    JUNIOR_COLLEGE = "junior_college", "大学专科", "大专", "专科", "高职", "在职大专"
    SECONDARY_VOCATIONAL = "secondary_vocational", "中专", "中等专科", "中技", "技校", "中职"
    HIGH_SCHOOL = "high_school", "高中", "普通高中", "职高"
    JUNIOR_HIGH_OR_BELOW = (
        "junior_high_or_below",
        "初中及以下",
        "初中",
        "小学",
        "小学及以下",
        "文盲",
        "半文盲",
    )


class MemberStatus(LabelledEnum):
    """党员状态. Suspended (停止党籍) and removed (除名/出党) are recorded with a reason;
    transferred out (已转出) is the record a transfer to another tenant leaves behind, set
    only by the move."""

    PROBATIONARY = "probationary", "预备党员", "预备"
    FULL = "full", "正式党员", "正式"
    SUSPENDED = "suspended", "停止党籍"
    REMOVED = "removed", "除名/出党", "除名", "出党"
    TRANSFERRED_OUT = "transferred_out", "已转出", "转出"


class MemberClass(LabelledEnum):
    """人员类别, used by point schemes that score classes differently."""

    BACKBONE = "backbone", "骨干", "骨干党员"
    ORDINARY = "ordinary", "普通", "普通党员"
    MOBILE = "mobile", "流动", "流动党员"
    SPECIAL = "special", "特殊", "特殊党员"


@dataclass(frozen=True, slots=True)
class MobileDetails:
    """Where a 流动党员 takes part in branch life away from home (流动党员活动证)."""

    host_organization_name: str
    activity_card_number: str
    period_start: date
    period_end: date | None = None

    def as_document(self) -> dict[str, Any]:
        """The JSON a record keeps of it (`member.mobile`)."""
        return {
            "host_organization_name": self.host_organization_name.strip(),
            "activity_card_number": self.activity_card_number.strip(),
            "period_start": self.period_start.isoformat(),
            "period_end": self.period_end.isoformat() if self.period_end else None,
        }

    @classmethod
    def from_document(cls, document: dict[str, Any] | None) -> MobileDetails | None:
        """The details back from the stored JSON (None when there are none)."""
        if not document:
            return None
        end = document.get("period_end")
        return cls(
            host_organization_name=document.get("host_organization_name", ""),
            activity_card_number=document.get("activity_card_number", ""),
            period_start=date.fromisoformat(document["period_start"]),
            period_end=date.fromisoformat(end) if end else None,
        )


@dataclass(frozen=True, slots=True)
class MemberDraft:
    """A member record as entered, before `validate_member` normalises and cross-checks it.

    Gender and birth date may be left out: they follow from the 身份证号. The organization
    is either known by id (API) or by name (spreadsheet import, resolved by the caller).
    """

    name: str
    id_number: str
    status: MemberStatus
    admitted_on: date | None
    organization_id: UUID | None = None
    organization_name: str | None = None
    gender: Gender | None = None
    birth_date: date | None = None
    ethnicity: str | None = None
    phone: str | None = None
    education: Education | None = None
    work_unit: str | None = None
    post: str | None = None
    full_member_on: date | None = None
    member_class: MemberClass = MemberClass.ORDINARY
    mobile: MobileDetails | None = None
    status_reason: str | None = None
    tags: tuple[str, ...] = field(default_factory=tuple)


def completed_years(start: date, end: date) -> int:
    """Whole years from `start` to `end` (an age, a 党龄); 0 if `end` is not after `start`."""
    years = end.year - start.year - ((end.month, end.day) < (start.month, start.day))
    return max(years, 0)
