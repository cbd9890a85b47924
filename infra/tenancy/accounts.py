"""Account safety: passwords change with every session ended, and a tenant always keeps
an administrator.

An administrator could deactivate itself or drop its own `tenant_admin` grant and leave
its tenant with nobody able to undo it; the last active holder of an administrator role
on a tenant keeps it (409 `last_tenant_admin`). A password set by anyone ends every
session of the account; one's own needs the current password.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime

from sqlalchemy import func, select, text

from domain.shared import DomainError, ErrorKind
from domain.tenancy import ShippedRole, check_password
from domain.tenancy.messages import MESSAGES
from infra.db.session import UnitOfWork
from infra.hashing import PASSWORD_HASHING
from infra.tenancy import throttle
from infra.tenancy.sessions import end_sessions
from infra.tenancy.tables import AppUser, RoleAssignment

# The roles that administer a whole tenant; each tenant that has one keeps one.
ADMIN_ROLES = (ShippedRole.TENANT_ADMIN.value, ShippedRole.PLATFORM_ADMIN.value)


def _last_admin(role: str) -> DomainError:
    return MESSAGES.error("last_tenant_admin", ErrorKind.CONFLICT, role=role)


async def keep_an_administrator(
    uow: UnitOfWork, user_id: uuid.UUID, *, grant: RoleAssignment | None = None
) -> None:
    """Refuse when the user (or just the given grant) is the last active administrator.

    Concurrent refusals are serialized per tenant (advisory lock), so two administrators
    cannot deactivate each other at the same moment and leave nobody.
    """
    if grant is not None:
        grants = [grant] if grant.role in ADMIN_ROLES and grant.organization_id is None else []
    else:
        grants = list(
            (
                await uow.session.execute(
                    select(RoleAssignment).where(
                        RoleAssignment.user_id == user_id,  # type: ignore[arg-type]
                        RoleAssignment.role.in_(ADMIN_ROLES),  # type: ignore[attr-defined]
                        RoleAssignment.organization_id.is_(None),  # type: ignore[union-attr]
                    )
                )
            ).scalars()
        )
    for held in grants:
        await uow.session.execute(
            text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
            {"key": f"zhibu.admins:{held.domain}"},
        )
        others = (
            await uow.session.execute(
                select(func.count())
                .select_from(RoleAssignment)
                .join(
                    AppUser,
                    (AppUser.tenant_id == RoleAssignment.tenant_id)  # type: ignore[arg-type]
                    & (AppUser.id == RoleAssignment.user_id),
                )
                .where(
                    RoleAssignment.role == held.role,  # type: ignore[arg-type]
                    RoleAssignment.domain == held.domain,  # type: ignore[arg-type]
                    RoleAssignment.user_id != user_id,  # type: ignore[arg-type]
                    AppUser.is_active,  # type: ignore[arg-type]
                )
            )
        ).scalar_one()
        if not others:
            raise _last_admin(held.role)


async def set_password(
    uow: UnitOfWork,
    user: AppUser,
    password: str,
    *,
    one_time: bool = False,
    password_hash: str | None = None,
    phone: str | None = None,
) -> None:
    """Store a new password, forget the account's failed logins and end every session.

    A one-time password lets its holder do nothing but choose a new one. Callers that can
    hash before their transaction pass `password_hash`, so no connection waits on argon2.
    """
    check_password(password, user.username, phone)
    user.password_hash = password_hash or await PASSWORD_HASHING.hash(password)
    user.password_change_required = one_time
    await throttle.forget(uow.session, throttle.user_subject(user.id))
    await end_sessions(uow, tenant_id=user.tenant_id, user_id=user.id)


async def check_current_password(password_hash: str, current: str | None) -> None:
    """Changing one's own password needs the current one (a stolen session is not enough)."""
    if not current:
        raise MESSAGES.error(
            "current_password_required",
            errors=[
                MESSAGES.field("current_password", "current_password_missing", code="required")
            ],
        )
    async with PASSWORD_HASHING.admitted():
        right = await PASSWORD_HASHING.verify(password_hash, current)
    if not right:
        raise _current_password_wrong()


def _current_password_wrong() -> DomainError:
    return MESSAGES.error(
        "current_password_wrong",
        ErrorKind.FORBIDDEN,
        errors=[MESSAGES.field("current_password", "current_password_wrong_field", code="wrong")],
    )


async def _own_account(uow: UnitOfWork, user_id: uuid.UUID, tenant_id: uuid.UUID) -> AppUser:
    user = await uow.session.get(AppUser, (tenant_id, user_id), with_for_update=True)
    if user is None or not user.is_active:
        raise MESSAGES.error("account_unavailable", ErrorKind.UNAUTHENTICATED, code="session_ended")
    return user


async def own_password_hash(uow: UnitOfWork, user_id: uuid.UUID, tenant_id: uuid.UUID) -> str:
    """The stored hash, read in a transaction of its own: the check hashes after it ends."""
    return (await _own_account(uow, user_id, tenant_id)).password_hash


async def change_own_password(
    uow: UnitOfWork,
    user_id: uuid.UUID,
    tenant_id: uuid.UUID,
    new: str,
    *,
    checked_hash: str,
    new_hash: str,
) -> None:
    """Store `new` (hashed as `new_hash`) if the password checked against is still current."""
    user = await _own_account(uow, user_id, tenant_id)
    if user.password_hash != checked_hash:
        raise _current_password_wrong()
    await set_password(uow, user, new, password_hash=new_hash)
    _touch(uow, user)
    uow.audit("user.password_change", "user", user.id, tenant_id=user.tenant_id)


async def reset_password(uow: UnitOfWork, username: str) -> str:
    """An operator's reset (CLI): a one-time password to be changed at once; every session
    of the account ends."""
    found = (
        await uow.session.execute(
            select(AppUser).where(func.lower(AppUser.username) == username.lower())
        )
    ).scalar_one_or_none()
    # Locked by its key once found: a lock names its tenant (one shard on Citus).
    user = found and await uow.session.get(
        AppUser, (found.tenant_id, found.id), with_for_update=True, populate_existing=True
    )
    if user is None:
        raise MESSAGES.error(
            "user_unknown", ErrorKind.NOT_FOUND, code="user_not_found", username=username
        )
    password = _random_password(user.username)
    await set_password(uow, user, password, one_time=True)
    _touch(uow, user)
    uow.audit("user.password_reset", "user", user.id, tenant_id=user.tenant_id)
    return password


def _random_password(username: str) -> str:
    while True:  # 20 random characters pass the strength rules but for a rare draw
        candidate = secrets.token_urlsafe(15)
        try:
            check_password(candidate, username)
        except DomainError:
            continue
        return candidate


def _touch(uow: UnitOfWork, user: AppUser) -> None:
    user.version += 1
    user.updated_at = datetime.now(UTC)
    uow.session.add(user)
