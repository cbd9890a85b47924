"""Member registry use cases (党员信息管理).

Like infra/tenancy/service.py, each use case runs inside the caller's unit of work (so
row-level security already limits which members exist), asks the `Guard` whether the
caller may act in the member's organization domain, applies the rules of
domain.members and writes the change with its history version and audit event.

`build_member_row` and `find_identity_owner` are shared with the spreadsheet import.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select, text, tuple_
from sqlalchemy.exc import IntegrityError

from domain.members import (
    Education,
    Gender,
    MemberClass,
    MemberDraft,
    MemberStatus,
    MobileDetails,
    NameSearchKeys,
    check_status_transition,
    name_search_keys,
    validate_member,
)
from domain.members.probes import DUPLICATE_ELSEWHERE
from domain.shared import DomainError, FieldError, Message, new_id
from domain.tenancy import OrgKind
from infra.authz import tenant_domain
from infra.db.session import UnitOfWork
from infra.members import probes, queries
from infra.members.protect import FieldProtector
from infra.members.tables import Member, MemberHistory, MemberIdentity
from infra.platform.outbox import emit
from infra.tenancy import (
    Guard,
    conflict,
    get_tenant,
    not_found,
    org_domain_of,
)
from infra.tenancy.tables import AppUser, Organization, Tenant

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
        "mobile": mobile_document(draft.mobile),
        "tags": list(draft.tags),
        "created_at": stamp,
        "updated_at": stamp,
        "version": 1,
    }


def build_member_row(
    draft: MemberDraft,
    organization: Organization,
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


# ---------------------------------------------------------------- loading and permissions


def _field_error(field: str, code: str, zh: str, en: str, *, status: int = 422) -> DomainError:
    return DomainError(
        "validation_failed",
        Message("党员信息有1处错误，请修改后重新提交", "The member record has 1 error(s)"),
        status=status,
        errors=[FieldError(field, code, Message(zh, en))],
    )


async def get_member(uow: UnitOfWork, member_id: uuid.UUID) -> Member:
    """A member visible under row-level security, or 404."""
    member = (
        await uow.session.execute(select(Member).where(Member.id == member_id))  # type: ignore[arg-type]
    ).scalar_one_or_none()
    if member is None:
        raise not_found("member")
    return member


async def member_domain(uow: UnitOfWork, member: Member) -> tuple[Organization, str]:
    """The member's organization and its Casbin domain."""
    org = await uow.session.get(Organization, (member.tenant_id, member.organization_id))
    if org is None:
        raise not_found("member")
    return org, await org_domain_of(uow, org)


async def _target_organization(
    uow: UnitOfWork, guard: Guard, org_id: uuid.UUID, act: str
) -> tuple[Organization, str]:
    """An organization a member may be placed in, with the caller's right to `act` there."""
    org = (
        await uow.session.execute(select(Organization).where(Organization.id == org_id))  # type: ignore[arg-type]
    ).scalar_one_or_none()
    if org is None:
        raise _field_error(
            "organization_id",
            "not_found",
            "所选党组织不存在，或不在您的管理范围内",
            "The organization does not exist or is outside your scope",
        )
    domain = await org_domain_of(uow, org)
    guard.require("member", act, domain)
    check_member_organization(org)
    return org, domain


@dataclass(frozen=True, slots=True)
class MemberRecord:
    """A member with the organization it belongs to (for names and domains)."""

    member: Member
    organization: Organization


# ---------------------------------------------------------------- duplicates


async def duplicate_id_number_error(
    uow: UnitOfWork, guard: Guard, owner: IdentityOwner, id_number_bidx: bytes
) -> DomainError:
    """409 for a 身份证号 registered elsewhere; names the place only if the caller may see it.

    A holder outside the caller's subtree is a cross-tenant hit: counted against the
    caller's daily budget (429 beyond it) and audited in both tenants (`probes`).
    """
    other = (
        await uow.session.execute(
            select(Member).where(
                Member.tenant_id == owner.tenant_id,  # type: ignore[arg-type]
                Member.id == owner.member_id,  # type: ignore[arg-type]
            )
        )
    ).scalar_one_or_none()
    if other is None:
        await probes.charge(uow, [(id_number_bidx, owner.tenant_id)], now=datetime.now(UTC))
    where: Organization | None = None
    if other is not None:
        org, domain = await member_domain(uow, other)
        if guard.can("member", "read", domain):
            where = org
    if where is not None:
        message = Message(
            f"该身份证号已登记为“{where.name}”的党员（{other.name if other else ''}），"
            "同一身份证号在平台内只能登记一次",
            f"This ID number is already registered to a member of {where.name}; "
            "an ID number can be registered only once on the platform",
        )
    else:
        message = DUPLICATE_ELSEWHERE
    return DomainError(
        "member_duplicate_id_number",
        message,
        status=409,
        errors=[FieldError("id_number", "duplicate", message)],
    )


async def _claim_identity(uow: UnitOfWork, guard: Guard, member: Member) -> None:
    owner = await find_identity_owner(uow, member.id_number_bidx)
    if owner is not None and owner.member_id != member.id:
        raise await duplicate_id_number_error(uow, guard, owner, member.id_number_bidx)
    try:
        async with uow.session.begin_nested():
            uow.session.add(identity_row(member))
            await uow.session.flush()
    except IntegrityError:
        owner = await find_identity_owner(uow, member.id_number_bidx)
        if owner is None:
            raise
        raise await duplicate_id_number_error(uow, guard, owner, member.id_number_bidx) from None


# ---------------------------------------------------------------- history


SENSITIVE_FIELDS = frozenset({"id_number", "phone"})
_TRACKED = (
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "id_number",
    "phone",
    "education",
    "work_unit",
    "post",
    "organization_id",
    "user_id",
    "status",
    "status_reason",
    "admitted_on",
    "full_member_on",
    "member_class",
    "mobile",
    "tags",
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
    for name in _TRACKED:
        if name == "id_number":
            values[name] = member.id_number_masked
        elif name == "phone":
            values[name] = member.phone_masked
        else:
            values[name] = _json(getattr(member, name))
    return values


def creation_changes(member: Member) -> dict[str, Any]:
    """The first version's changes: every tracked field that is set, from nothing."""
    return {
        k: {"old": None, "new": v} for k, v in tracked_values(member).items() if v not in (None, [])
    }


def _record_history(
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
    )


# ---------------------------------------------------------------- create


async def create_member(
    uow: UnitOfWork,
    guard: Guard,
    protector: FieldProtector,
    draft: MemberDraft,
    *,
    today: date,
) -> MemberRecord:
    """Register a member in a branch or party group the caller may write to."""
    if draft.organization_id is None:
        raise _field_error(
            "organization_id", "required", "必须填写所在党组织", "The organization is required"
        )
    org, _ = await _target_organization(uow, guard, draft.organization_id, "write")
    checked = validate_member(draft, today=today)
    member = build_member_row(checked, org, protector)
    await probes.ensure_budget(uow, now=datetime.now(UTC))
    owner = await find_identity_owner(uow, member.id_number_bidx)
    if owner is not None:
        raise await duplicate_id_number_error(uow, guard, owner, member.id_number_bidx)
    uow.session.add(member)
    await uow.session.flush()
    await _claim_identity(uow, guard, member)
    _record_history(uow, member, "create", creation_changes(member), at=member.created_at)
    uow.audit(
        "member.create",
        "member",
        member.id,
        tenant_id=member.tenant_id,
        detail={"organization_id": str(org.id), "name": member.name},
    )
    emit_member_event(uow, member, "member.created", [])
    return MemberRecord(member, org)


# ---------------------------------------------------------------- read


async def read_member(
    uow: UnitOfWork, guard: Guard, member_id: uuid.UUID, *, viewer_id: uuid.UUID
) -> MemberRecord:
    """A member record, masked; readable with member:read, or by the member it belongs to."""
    member = await get_member(uow, member_id)
    org, domain = await member_domain(uow, member)
    if member.user_id != viewer_id:
        guard.require("member", "read", domain)
    return MemberRecord(member, org)


@dataclass(frozen=True, slots=True)
class Revealed:
    """The 身份证号 and phone in full, for a caller holding member:read_sensitive."""

    id_number: str
    phone: str | None


async def reveal_member(
    uow: UnitOfWork, guard: Guard, protector: FieldProtector, member_id: uuid.UUID
) -> tuple[MemberRecord, Revealed]:
    """Decrypt the sensitive fields; every such read is written to the audit log."""
    member = await get_member(uow, member_id)
    org, domain = await member_domain(uow, member)
    guard.require("member", "read", domain)
    guard.require("member", "read_sensitive", domain)
    revealed = Revealed(
        id_number=protector.reveal_id_number(member.id_number_enc),
        phone=protector.reveal_phone(member.phone_enc) if member.phone_enc else None,
    )
    uow.audit(
        "member.read_sensitive",
        "member",
        member.id,
        tenant_id=member.tenant_id,
        detail={"fields": ["id_number", "phone"] if member.phone_enc else ["id_number"]},
    )
    return MemberRecord(member, org), revealed


async def own_member(uow: UnitOfWork, *, user_id: uuid.UUID, tenant_id: uuid.UUID) -> MemberRecord:
    """The member record linked to the caller's account (成员本人), masked."""
    member = (
        await uow.session.execute(
            select(Member).where(
                Member.tenant_id == tenant_id,  # type: ignore[arg-type]
                Member.user_id == user_id,  # type: ignore[arg-type]
            )
        )
    ).scalar_one_or_none()
    if member is None:
        raise DomainError(
            "member_not_linked",
            Message(
                "您的账号尚未关联党员信息，请联系党支部或管理员",
                "Your account is not linked to a member record; ask your branch or administrator",
            ),
            status=404,
        )
    org, _ = await member_domain(uow, member)
    return MemberRecord(member, org)


# ---------------------------------------------------------------- update


Precondition = Callable[[Member, Organization], None]


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
        mobile=mobile_details(member.mobile),
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


def _apply(member: Member, fresh: Member) -> None:
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


async def _check_user_link(
    uow: UnitOfWork, guard: Guard, member: Member, user_id: uuid.UUID | None
) -> None:
    tenant = await get_tenant(uow, member.tenant_id)
    guard.require("user", "update", tenant_domain(tenant.path))
    if user_id is None:
        return
    user = await uow.session.get(AppUser, (member.tenant_id, user_id))
    if user is None:
        raise _field_error(
            "user_id",
            "not_found",
            "该账号不存在，或不属于党员所在的租户",
            "The account does not exist or belongs to another tenant than the member",
        )
    taken = (
        await uow.session.execute(
            select(Member.id).where(
                Member.tenant_id == member.tenant_id,  # type: ignore[arg-type]
                Member.user_id == user_id,  # type: ignore[arg-type]
                Member.id != member.id,  # type: ignore[arg-type]
            )
        )
    ).scalar_one_or_none()
    if taken is not None:
        raise conflict(
            "user_already_linked",
            "该账号已关联其他党员",
            "The account is already linked to another member",
            "user_id",
        )


async def _save_changes(
    uow: UnitOfWork,
    guard: Guard,
    member: Member,
    fresh: Member,
    *,
    action: str,
    user_id: uuid.UUID | object | None,
    extra: dict[str, Any] | None = None,
) -> list[str]:
    before = tracked_values(member)
    old_bidx = member.id_number_bidx
    _apply(member, fresh)
    if user_id is not _UNSET:
        member.user_id = user_id  # type: ignore[assignment]
    after = tracked_values(member)
    changes = {k: {"old": before[k], "new": after[k]} for k in _TRACKED if before[k] != after[k]}
    if member.id_number_bidx != old_bidx:
        await probes.ensure_budget(uow, now=datetime.now(UTC))
        owner = await find_identity_owner(uow, member.id_number_bidx)
        if owner is not None and owner.member_id != member.id:
            raise await duplicate_id_number_error(uow, guard, owner, member.id_number_bidx)
        await uow.session.execute(
            text("UPDATE member_identity SET id_number_bidx = :new WHERE id_number_bidx = :old"),
            {"new": member.id_number_bidx, "old": old_bidx},
        )
    if not changes:
        return []
    changes.update(extra or {})
    now = datetime.now(UTC)
    member.version += 1
    member.updated_at = now
    uow.session.add(member)
    await uow.session.flush()
    _record_history(uow, member, action, changes, at=now)
    fields = sorted(changes)
    uow.audit(
        f"member.{action}",
        "member",
        member.id,
        tenant_id=member.tenant_id,
        detail={
            "fields": fields,
            "version": member.version,
            **({"reason": extra["reason"]["new"]} if extra and "reason" in extra else {}),
        },
    )
    emit_member_event(
        uow, member, "member.status_changed" if action == "status" else "member.updated", fields
    )
    return fields


_UNSET: Any = object()
_DRAFT_FIELDS = frozenset(
    {
        "name",
        "id_number",
        "gender",
        "birth_date",
        "ethnicity",
        "phone",
        "education",
        "work_unit",
        "post",
        "admitted_on",
        "full_member_on",
        "member_class",
        "mobile",
        "tags",
        "organization_id",
    }
)


async def update_member(
    uow: UnitOfWork,
    guard: Guard,
    protector: FieldProtector,
    member_id: uuid.UUID,
    changes: dict[str, Any],
    *,
    today: date,
    precondition: Precondition | None = None,
) -> MemberRecord:
    """Change fields of a member record; all field errors at once; a version per change.

    `changes` holds only the fields sent (values in domain types; None clears). Status
    changes go through `change_status`; `user_id` links an account (needs user:update).
    """
    member = await get_member(uow, member_id)
    org, domain = await member_domain(uow, member)
    guard.require("member", "write", domain)
    if precondition is not None:
        precondition(member, org)
    unknown = set(changes) - _DRAFT_FIELDS - {"user_id"}
    if unknown:
        raise ValueError(f"not a member field: {sorted(unknown)}")
    target = org
    new_org_id = changes.get("organization_id", member.organization_id)
    if new_org_id is None:
        raise _field_error(
            "organization_id", "required", "必须填写所在党组织", "The organization is required"
        )
    if new_org_id != member.organization_id:
        target, _ = await _target_organization(uow, guard, new_org_id, "write")
        if target.tenant_id != member.tenant_id:
            raise _field_error(
                "organization_id",
                "other_tenant",
                "党员调往其他机关工委须办理组织关系转接，不能直接修改所在党组织",
                "Moving a member to another tenant goes through a membership transfer",
            )
    user_id: Any = _UNSET
    if "user_id" in changes and changes["user_id"] != member.user_id:
        user_id = changes["user_id"]
        await _check_user_link(uow, guard, member, user_id)
    draft_changes = {k: v for k, v in changes.items() if k in _DRAFT_FIELDS}
    if "tags" in draft_changes:
        draft_changes["tags"] = tuple(draft_changes["tags"] or ())
    if "member_class" in draft_changes and draft_changes["member_class"] is None:
        draft_changes["member_class"] = MemberClass.ORDINARY
    current = draft_of(member, protector)
    if "id_number" in draft_changes:
        # Gender and birth date follow a new 身份证号 unless sent with it.
        draft_changes.setdefault("gender", None)
        draft_changes.setdefault("birth_date", None)
    if draft_changes.get("id_number") is None and "id_number" in draft_changes:
        draft_changes["id_number"] = ""
    draft = replace(current, **draft_changes)
    checked = validate_member(draft, today=today, previous_status=current.status)
    fresh = build_member_row(checked, target, protector, member_id=member.id)
    await _save_changes(uow, guard, member, fresh, action="update", user_id=user_id)
    return MemberRecord(member, target)


async def change_status(
    uow: UnitOfWork,
    guard: Guard,
    protector: FieldProtector,
    member_id: uuid.UUID,
    *,
    status: MemberStatus,
    reason: str,
    full_member_on: date | None,
    today: date,
    precondition: Precondition | None = None,
) -> MemberRecord:
    """转正, 停止党籍, 除名 or restoring a suspended member; never a row removal."""
    member = await get_member(uow, member_id)
    org, domain = await member_domain(uow, member)
    guard.require("member", "write", domain)
    if precondition is not None:
        precondition(member, org)
    current = MemberStatus(member.status)
    if status is current:
        raise conflict(
            "status_unchanged",
            f"党员状态已是“{current.label}”",
            f"The member's status is already {current.value}",
            "status",
        )
    check_status_transition(current, status, reason=reason)
    draft = replace(
        draft_of(member, protector),
        status=status,
        status_reason=reason.strip() if status in _REASONED else None,
        full_member_on=full_member_on or member.full_member_on,
    )
    checked = validate_member(draft, today=today, previous_status=current)
    fresh = build_member_row(checked, org, protector, member_id=member.id)
    await _save_changes(
        uow,
        guard,
        member,
        fresh,
        action="status",
        user_id=_UNSET,
        extra={"reason": {"old": None, "new": reason.strip()}},
    )
    return MemberRecord(member, org)


_REASONED = frozenset({MemberStatus.SUSPENDED, MemberStatus.REMOVED})


async def member_history(
    uow: UnitOfWork,
    guard: Guard,
    member_id: uuid.UUID,
    *,
    limit: int,
    before_version: int | None,
) -> list[MemberHistory]:
    """Versions of a member record, newest first (sensitive values appear masked only)."""
    member = await get_member(uow, member_id)
    _, domain = await member_domain(uow, member)
    guard.require("member", "read", domain)
    stmt = select(MemberHistory).where(
        MemberHistory.tenant_id == member.tenant_id,  # type: ignore[arg-type]
        MemberHistory.member_id == member.id,  # type: ignore[arg-type]
    )
    if before_version is not None:
        stmt = stmt.where(MemberHistory.version < before_version)  # type: ignore[arg-type]
    stmt = stmt.order_by(MemberHistory.version.desc()).limit(limit + 1)  # type: ignore[attr-defined]
    return list((await uow.session.execute(stmt)).scalars())


# ---------------------------------------------------------------- lists and statistics


def _scope_required() -> DomainError:
    return DomainError(
        "member_scope_required",
        Message(
            "您只能查看所辖党组织的党员，请指定党组织（organization_id）",
            "You may list members of your own organizations only; pass organization_id",
        ),
        status=403,
    )


async def list_members(
    uow: UnitOfWork,
    guard: Guard,
    protector: FieldProtector,
    *,
    organization_id: uuid.UUID | None,
    include_descendants: bool,
    tenant_id: uuid.UUID | None,
    filters: queries.MemberFilter,
    sort: queries.SortKey,
    descending: bool,
    after: queries.Keyset | None,
    limit: int,
) -> list[MemberRecord]:
    """Members of an organization (subtree) or of the caller's visible tenant subtree.

    Without `organization_id` the caller needs member:read on their whole tenant (or on
    `tenant_id`); branch secretaries list their own organizations.
    """
    if organization_id is not None:
        org = await get_org_or_404(uow, organization_id)
        guard.require("member", "read", await org_domain_of(uow, org))
        filters = (
            replace(filters, organization_scope=(org.tenant_id, org.path))
            if include_descendants
            else replace(filters, organization_id=org.id)
        )
    if tenant_id is not None:
        tenant = await get_tenant(uow, tenant_id)
        if not guard.can("member", "read", tenant_domain(tenant.path)):
            raise _scope_required()
        filters = replace(filters, tenant_path=tenant.path)
    elif organization_id is None and not guard.can("member", "read"):
        raise _scope_required()
    members = await queries.list_members(
        uow, filters, protector, sort=sort, descending=descending, after=after, limit=limit
    )
    return [MemberRecord(m, org) for m, org in await _with_organizations(uow, members)]


async def _with_organizations(
    uow: UnitOfWork, members: list[Member]
) -> list[tuple[Member, Organization]]:
    """Each member with its organization, read in one statement for the whole page."""
    keys = {(m.tenant_id, m.organization_id) for m in members}
    if not keys:
        return []
    found = await uow.session.execute(
        select(Organization).where(
            tuple_(Organization.tenant_id, Organization.id).in_(sorted(keys))  # type: ignore[arg-type]
        )
    )
    orgs = {(o.tenant_id, o.id): o for o in found.scalars()}
    return [(m, orgs[(m.tenant_id, m.organization_id)]) for m in members]


async def get_org_or_404(uow: UnitOfWork, org_id: uuid.UUID) -> Organization:
    org = (
        await uow.session.execute(select(Organization).where(Organization.id == org_id))  # type: ignore[arg-type]
    ).scalar_one_or_none()
    if org is None:
        raise not_found("organization")
    return org


async def organization_member_stats(
    uow: UnitOfWork, guard: Guard, org_id: uuid.UUID, *, today: date
) -> tuple[Organization, queries.MemberCounts]:
    """党员统计 for an organization's subtree."""
    org = await get_org_or_404(uow, org_id)
    guard.require("member", "read", await org_domain_of(uow, org))
    return org, await queries.organization_counts(uow, org.tenant_id, org.path, today=today)


@dataclass(frozen=True, slots=True)
class TenantStats:
    tenant: Tenant
    total: queries.MemberCounts
    own: queries.MemberCounts  # members of the tenant's own organizations
    children: list[tuple[Tenant, queries.MemberCounts]]


async def tenant_member_stats(
    uow: UnitOfWork, guard: Guard, tenant_id: uuid.UUID, *, today: date
) -> TenantStats:
    """党员统计 rolled up over a tenant subtree, and per direct child tenant."""
    tenant = await get_tenant(uow, tenant_id)
    guard.require("member", "read", tenant_domain(tenant.path))
    buckets = await queries.tenant_counts(uow, tenant.path, today=today)
    children = list(
        (
            await uow.session.execute(
                select(Tenant).where(Tenant.parent_id == tenant.id).order_by(Tenant.code)  # type: ignore[arg-type]
            )
        ).scalars()
    )
    total = queries.MemberCounts()
    for counts in buckets.values():
        total.merge(counts)
    return TenantStats(
        tenant=tenant,
        total=total,
        own=buckets.get(tenant.path, queries.MemberCounts()),
        children=[(c, buckets.get(c.path, queries.MemberCounts())) for c in children],
    )
