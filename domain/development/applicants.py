"""The applicant record (入党申请人): the rules of its own, beside the member record's checks
of 身份证号 and phone that the adapters reuse from the members context."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from domain.development.messages import MESSAGES
from domain.shared.errors import FieldError

NAME_MAX_LENGTH = 50
BRANCH_KINDS = frozenset({"branch"})
"""细则 第五条: 入党申请人向工作、学习所在单位党组织（党支部）提出申请; 党小组 and 临时党支部
do not take applicants."""


@dataclass(frozen=True, slots=True)
class ApplicantDraft:
    """An applicant as entered; gender and birth date follow from the 身份证号."""

    organization_id: uuid.UUID
    name: str
    id_number: str
    phone: str | None = None
    ethnicity: str | None = None
    education: str | None = None
    work_unit: str | None = None
    post: str | None = None


def name_errors(name: str) -> list[FieldError]:
    stripped = name.strip()
    if not stripped:
        return [MESSAGES.field("name", "development_name_required", code="required")]
    if len(stripped) > NAME_MAX_LENGTH:
        return [
            MESSAGES.field(
                "name", "development_name_too_long", code="too_long", limit=NAME_MAX_LENGTH
            )
        ]
    return []


def organization_errors(kind: str, kind_zh: str) -> list[FieldError]:
    if kind in BRANCH_KINDS:
        return []
    return [
        MESSAGES.field(
            "organization_id", "development_branch_only", code="not_branch", kind=kind_zh
        )
    ]


def optional_text(value: str | None) -> str | None:
    return (value.strip() or None) if value is not None else None
