"""Member registry use cases (党员信息管理).

Like infra/tenancy/service.py, each use case runs inside the caller's unit of work (so
row-level security already limits which members exist), asks the `Guard` whether the
caller may act in the member's organization domain, applies the rules of
domain.members and writes the change with its history version and audit event.

`build_member_row` and `find_identity_owner` are shared with the spreadsheet import.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import text

from domain.members import MemberDraft, MobileDetails, name_search_keys
from domain.shared import DomainError, FieldError, Message, new_id
from domain.tenancy import OrgKind
from infra.db.session import UnitOfWork
from infra.members.protect import FieldProtector
from infra.members.tables import Member, MemberIdentity
from infra.tenancy.tables import Organization

# Kinds of organization a member's record may belong to: a 党支部 or one of its 党小组.
# A 临时党支部 does not hold formal membership (组织关系 stays with the home branch), and
# 党委/党总支 hold their members through branches.
MEMBER_ORG_KINDS = frozenset({OrgKind.BRANCH, OrgKind.PARTY_GROUP})


def check_member_organization(org: Organization, field: str = "organization_id") -> None:
    """Refuse an organization a member record cannot belong to."""
    if OrgKind(org.kind) not in MEMBER_ORG_KINDS:
        kind = OrgKind(org.kind)
        raise DomainError(
            "validation_failed",
            Message("党员信息有1处错误，请修改后重新提交", "The member record has 1 error(s)"),
            status=422,
            errors=[
                FieldError(
                    field,
                    "organization_kind",
                    Message(
                        f"党员只能编入党支部或党小组，不能编入{kind.zh}",
                        f"Members belong to a branch or a party group, not a {kind.value}",
                    ),
                )
            ],
        )


def mobile_document(mobile: MobileDetails | None) -> dict[str, Any] | None:
    """The JSON stored in `member.mobile` for a 流动党员."""
    if mobile is None:
        return None
    return {
        "host_organization_name": mobile.host_organization_name.strip(),
        "activity_card_number": mobile.activity_card_number.strip(),
        "period_start": mobile.period_start.isoformat(),
        "period_end": mobile.period_end.isoformat() if mobile.period_end else None,
    }


def mobile_details(document: dict[str, Any] | None) -> MobileDetails | None:
    """The MobileDetails back from the stored JSON."""
    if not document:
        return None
    end = document.get("period_end")
    return MobileDetails(
        host_organization_name=document.get("host_organization_name", ""),
        activity_card_number=document.get("activity_card_number", ""),
        period_start=date.fromisoformat(document["period_start"]),
        period_end=date.fromisoformat(end) if end else None,
    )


def build_member_row(
    draft: MemberDraft,
    organization: Organization,
    protector: FieldProtector,
    *,
    member_id: uuid.UUID | None = None,
    user_id: uuid.UUID | None = None,
    now: datetime | None = None,
) -> Member:
    """The `member` row for a draft already passed through `validate_member`.

    The 身份证号 and phone are encrypted with their blind index and masked copy; the
    name gets its pinyin keys. The row is not added to any session; pair it with
    `identity_row(member)` so the platform-wide 身份证号 directory stays complete.
    """
    if draft.gender is None or draft.birth_date is None or draft.admitted_on is None:
        raise ValueError("build_member_row needs a draft normalised by validate_member")
    id_number = protector.id_number(draft.id_number)
    phone = protector.phone(draft.phone) if draft.phone else None
    keys = name_search_keys(draft.name)
    stamp = now or datetime.now(UTC)
    return Member(
        tenant_id=organization.tenant_id,
        id=member_id or new_id(),
        organization_id=organization.id,
        user_id=user_id,
        name=draft.name,
        name_pinyin=keys.full,
        name_initials=keys.initials,
        gender=draft.gender.value,
        ethnicity=draft.ethnicity,
        birth_date=draft.birth_date,
        id_number_enc=id_number.ciphertext,
        id_number_bidx=id_number.blind_index,
        id_number_masked=id_number.masked,
        phone_enc=phone.ciphertext if phone else None,
        phone_bidx=phone.blind_index if phone else None,
        phone_masked=phone.masked if phone else None,
        education=draft.education.value if draft.education else None,
        work_unit=draft.work_unit,
        post=draft.post,
        status=draft.status.value,
        status_reason=draft.status_reason,
        admitted_on=draft.admitted_on,
        full_member_on=draft.full_member_on,
        member_class=draft.member_class.value,
        mobile=mobile_document(draft.mobile),
        tags=list(draft.tags),
        created_at=stamp,
        updated_at=stamp,
        version=1,
    )


def identity_row(member: Member) -> MemberIdentity:
    """The platform-wide directory entry that claims the member's 身份证号."""
    return MemberIdentity(
        id_number_bidx=member.id_number_bidx, tenant_id=member.tenant_id, member_id=member.id
    )


@dataclass(frozen=True, slots=True)
class IdentityOwner:
    """Where a 身份证号 is already registered (possibly outside the caller's subtree)."""

    tenant_id: uuid.UUID
    member_id: uuid.UUID


async def find_identity_owner(uow: UnitOfWork, id_number_bidx: bytes) -> IdentityOwner | None:
    """Who holds this 身份证号 blind index anywhere on the platform.

    Goes through the SECURITY DEFINER function `zhibu_member_identity_owner`, which
    answers across tenants with ids only; the caller decides what it may reveal.
    """
    row = (
        await uow.session.execute(
            text("SELECT tenant_id, member_id FROM zhibu_member_identity_owner(:b)"),
            {"b": id_number_bidx},
        )
    ).first()
    return IdentityOwner(row[0], row[1]) if row else None
