"""Member registry use cases (党员信息管理).

Create, read, update and change the status of one member record, and list its versions.
Each use case runs inside the caller's unit of work (so row-level security already limits
which members exist), asks the `Guard` whether the caller may act in the member's
organization domain, applies the rules of domain.members and writes the change with its
history version (`records`) and audit event.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select, text

from domain.members import (
    MemberClass,
    MemberDraft,
    MemberStatus,
    changes_between,
    check_status_transition,
    kept_status_reason,
    validate_member,
)
from domain.members.messages import MESSAGES
from domain.shared import DomainError, ErrorKind, Guard, conflict
from infra.authz import tenant_domain
from infra.db.session import UnitOfWork
from infra.members import probes
from infra.members.identities import claim_identity, duplicate_id_number_error, find_identity_owner
from infra.members.loading import (
    MemberRecord,
    field_error,
    get_member,
    get_tenant_or_404,
    member_domain,
    target_organization,
)
from infra.members.records import (
    apply_fresh,
    build_member_row,
    creation_changes,
    draft_of,
    emit_member_event,
    record_history,
    tracked_values,
)
from infra.members.tables import Member, MemberHistory
from infra.protection import FieldProtector
from infra.tenancy import account_exists


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
        raise field_error(
            "organization_id",
            "required",
            MESSAGES.message("members.organization_id_required"),
        )
    org, _ = await target_organization(uow, guard, draft.organization_id, "write")
    checked = validate_member(draft, today=today)
    member = build_member_row(checked, org, protector)
    await probes.ensure_budget(uow, now=datetime.now(UTC))
    owner = await find_identity_owner(uow, member.id_number_bidx)
    if owner is not None:
        raise await duplicate_id_number_error(uow, guard, owner, member.id_number_bidx)
    uow.session.add(member)
    await uow.session.flush()
    await claim_identity(uow, guard, member)
    record_history(uow, member, "create", creation_changes(member), at=member.created_at)
    uow.audit(
        "member.create",
        "member",
        member.id,
        tenant_id=member.tenant_id,
        detail={"organization_id": str(org.id), "name": member.name},
    )
    emit_member_event(uow, member, "member.created", [])
    return MemberRecord(member, org.name)


# ---------------------------------------------------------------- read


async def read_member(
    uow: UnitOfWork, guard: Guard, member_id: uuid.UUID, *, viewer_id: uuid.UUID
) -> MemberRecord:
    """A member record, masked; readable with member:read, or by the member it belongs to."""
    member = await get_member(uow, member_id)
    org, domain = await member_domain(uow, member)
    if member.user_id != viewer_id:
        guard.require("member", "read", domain)
    return MemberRecord(member, org.name)


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
            MESSAGES.message("members.member_not_linked"),
            kind=ErrorKind.NOT_FOUND,
        )
    org, _ = await member_domain(uow, member)
    return MemberRecord(member, org.name)


# ---------------------------------------------------------------- update


Precondition = Callable[[MemberRecord], None]
"""Checks the record as it stands before a change (If-Match); raises to refuse it."""


async def _check_user_link(
    uow: UnitOfWork, guard: Guard, member: Member, user_id: uuid.UUID | None
) -> None:
    tenant = await get_tenant_or_404(uow, member.tenant_id)
    guard.require("user", "update", tenant_domain(tenant.path))
    if user_id is None:
        return
    if not await account_exists(uow, member.tenant_id, user_id):
        raise field_error(
            "user_id",
            "not_found",
            MESSAGES.message("members.user_id_not_found"),
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
        raise conflict(MESSAGES, "user_already_linked", "user_id")


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
    apply_fresh(member, fresh)
    if user_id is not _UNSET:
        member.user_id = user_id  # type: ignore[assignment]
    after = tracked_values(member)
    changes = changes_between(before, after)
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
    record_history(uow, member, action, changes, at=now)
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
        precondition(MemberRecord(member, org.name))
    unknown = set(changes) - _DRAFT_FIELDS - {"user_id"}
    if unknown:
        raise ValueError(f"not a member field: {sorted(unknown)}")
    target = org
    new_org_id = changes.get("organization_id", member.organization_id)
    if new_org_id is None:
        raise field_error(
            "organization_id",
            "required",
            MESSAGES.message("members.organization_id_required"),
        )
    if new_org_id != member.organization_id:
        target, _ = await target_organization(uow, guard, new_org_id, "write")
        if target.tenant_id != member.tenant_id:
            raise field_error(
                "organization_id",
                "other_tenant",
                MESSAGES.message("members.other_tenant"),
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
    return MemberRecord(member, target.name)


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
        precondition(MemberRecord(member, org.name))
    current = MemberStatus(member.status)
    if status is current:
        raise conflict(
            MESSAGES, "status_unchanged", "status", label=current.label, value=current.value
        )
    check_status_transition(current, status, reason=reason)
    draft = replace(
        draft_of(member, protector),
        status=status,
        status_reason=kept_status_reason(status, reason),
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
    return MemberRecord(member, org.name)


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
