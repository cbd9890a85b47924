"""A member record as rows: the `member` row from a validated draft and back, the values
history compares, the history version and the outbox event of a change."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any, Protocol

from domain.members import (
    TRACKED_FIELDS,
    Education,
    Gender,
    MemberClass,
    MemberDraft,
    MemberStatus,
    MobileDetails,
    NameSearchKeys,
    creation_changes_of,
    member_organization_error,
    name_search_keys,
)
from domain.members.messages import MESSAGES
from domain.shared import DomainError, ErrorKind, new_id
from domain.tenancy import OrgKind
from infra.db.session import UnitOfWork
from infra.members.tables import Member, MemberHistory, MemberIdentity
from infra.platform.outbox import emit
from infra.protection import FieldProtector


class Placement(Protocol):
    """The organization a member record belongs to, as far as its row needs it."""

    @property
    def tenant_id(self) -> uuid.UUID: ...

    @property
    def id(self) -> uuid.UUID: ...


def check_member_organization(kind: str, field: str = "organization_id") -> None:
    """Refuse an organization a member record cannot belong to (domain.members rule)."""
    error = member_organization_error(kind, OrgKind(kind).zh, field)
    if error is not None:
        raise DomainError(
            "validation_failed",
            MESSAGES.message("members.record_invalid", count=1),
            kind=ErrorKind.INVALID,
            errors=[error],
        )


def member_values(
    draft: MemberDraft,
    tenant_id: uuid.UUID,
    organization_id: uuid.UUID,
    protector: FieldProtector,
    *,
    member_id: uuid.UUID | None = None,
    user_id: uuid.UUID | None = None,
    now: datetime | None = None,
    search_keys: Callable[[str], NameSearchKeys] = name_search_keys,
) -> dict[str, Any]:
    """The column values of a new `member` row, for a draft passed through `validate_member`.

    The 身份证号 and phone are encrypted with their blind index and masked copy; the name
    gets its pinyin keys. `build_member_row` and the bulk import both start from here.
    """
    if draft.gender is None or draft.birth_date is None or draft.admitted_on is None:
        raise ValueError("member_values needs a draft normalised by validate_member")
    id_number = protector.id_number(draft.id_number)
    phone = protector.phone(draft.phone) if draft.phone else None
    keys = search_keys(draft.name)
    stamp = now or datetime.now(UTC)
    return {
        "tenant_id": tenant_id,
        "id": member_id or new_id(),
        "organization_id": organization_id,
        "user_id": user_id,
        "name": draft.name,
        "name_pinyin": keys.full,
        "name_initials": keys.initials,
        "gender": draft.gender.value,
        "ethnicity": draft.ethnicity,
        "birth_date": draft.birth_date,
        "id_number_enc": id_number.ciphertext,
        "id_number_bidx": id_number.blind_index,
        "id_number_masked": id_number.masked,
        "phone_enc": phone.ciphertext if phone else None,
        "phone_bidx": phone.blind_index if phone else None,
        "phone_masked": phone.masked if phone else None,
        "education": draft.education.value if draft.education else None,
        "work_unit": draft.work_unit,
        "post": draft.post,
        "status": draft.status.value,
        "status_reason": draft.status_reason,
        "admitted_on": draft.admitted_on,
        "full_member_on": draft.full_member_on,
        "member_class": draft.member_class.value,
        "mobile": draft.mobile.as_document() if draft.mobile else None,
        "tags": list(draft.tags),
        "created_at": stamp,
        "updated_at": stamp,
        "version": 1,
    }


def build_member_row(
    draft: MemberDraft,
    organization: Placement,
    protector: FieldProtector,
    *,
    member_id: uuid.UUID | None = None,
    user_id: uuid.UUID | None = None,
    now: datetime | None = None,
) -> Member:
    """The `member` row for a validated draft, not yet added to any session; pair it with
    `identity_row(member)` so the platform-wide 身份证号 directory stays complete."""
    return Member(
        **member_values(
            draft,
            organization.tenant_id,
            organization.id,
            protector,
            member_id=member_id,
            user_id=user_id,
            now=now,
        )
    )


def identity_row(member: Member) -> MemberIdentity:
    """The platform-wide directory entry that claims the member's 身份证号."""
    return MemberIdentity(
        id_number_bidx=member.id_number_bidx, tenant_id=member.tenant_id, member_id=member.id
    )


def _json(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def tracked_values(member: Member) -> dict[str, Any]:
    """The fields history compares, sensitive ones in their masked form only."""
    values: dict[str, Any] = {}
    for name in TRACKED_FIELDS:
        if name == "id_number":
            values[name] = member.id_number_masked
        elif name == "phone":
            values[name] = member.phone_masked
        else:
            values[name] = _json(getattr(member, name))
    return values


def creation_changes(member: Member) -> dict[str, Any]:
    """The first version's changes (domain.members.history)."""
    return creation_changes_of(tracked_values(member))


def record_history(
    uow: UnitOfWork, member: Member, action: str, changes: dict[str, Any], *, at: datetime
) -> None:
    actor = uow.actor
    uow.session.add(
        MemberHistory(
            tenant_id=member.tenant_id,
            id=new_id(),
            member_id=member.id,
            version=member.version,
            changed_at=at,
            changed_by=actor.user_id if actor else None,
            changed_by_name=actor.name if actor else None,
            action=action,
            changes=changes,
        )
    )


def emit_member_event(uow: UnitOfWork, member: Member, topic: str, fields: list[str]) -> None:
    """The outbox event of a change to a member record (the shape integrations read)."""
    emit(
        uow,
        tenant_id=member.tenant_id,
        topic=topic,
        aggregate_type="member",
        aggregate_id=member.id,
        payload={
            "member_id": str(member.id),
            "organization_id": str(member.organization_id),
            "version": member.version,
            "fields": fields,
        },
        organization_id=member.organization_id,
    )


def draft_of(member: Member, protector: FieldProtector) -> MemberDraft:
    """The stored record back as a draft (decrypted for re-validation only, never shown)."""
    return MemberDraft(
        name=member.name,
        id_number=protector.reveal_id_number(member.id_number_enc),
        status=MemberStatus(member.status),
        admitted_on=member.admitted_on,
        organization_id=member.organization_id,
        gender=Gender(member.gender),
        birth_date=member.birth_date,
        ethnicity=member.ethnicity,
        phone=protector.reveal_phone(member.phone_enc) if member.phone_enc else None,
        education=Education(member.education) if member.education else None,
        work_unit=member.work_unit,
        post=member.post,
        full_member_on=member.full_member_on,
        member_class=MemberClass(member.member_class),
        mobile=MobileDetails.from_document(member.mobile),
        status_reason=member.status_reason,
        tags=tuple(member.tags),
    )


_COPIED = (
    "name",
    "name_pinyin",
    "name_initials",
    "gender",
    "ethnicity",
    "birth_date",
    "education",
    "work_unit",
    "post",
    "organization_id",
    "status",
    "status_reason",
    "admitted_on",
    "full_member_on",
    "member_class",
    "mobile",
    "tags",
)


def apply_fresh(member: Member, fresh: Member) -> None:
    """Copy a rebuilt row onto the stored one; ciphertexts only when the value changed."""
    for name in _COPIED:
        setattr(member, name, getattr(fresh, name))
    if fresh.id_number_bidx != member.id_number_bidx:
        member.id_number_enc = fresh.id_number_enc
        member.id_number_bidx = fresh.id_number_bidx
        member.id_number_masked = fresh.id_number_masked
    if fresh.phone_bidx != member.phone_bidx:
        member.phone_enc = fresh.phone_enc
        member.phone_bidx = fresh.phone_bidx
        member.phone_masked = fresh.phone_masked
