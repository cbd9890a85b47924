"""Staff accounts: create, list, read, update; usernames and phones are login identifiers."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from domain.shared import DomainError, Guard, conflict, new_id, not_found, require_scopes
from domain.tenancy import check_account_fields, check_password, tenant_domain
from domain.tenancy.messages import MESSAGES
from infra.db.session import UnitOfWork
from infra.protection import FieldProtector
from infra.tenancy.accounts import check_current_password, keep_an_administrator, set_password
from infra.tenancy.auth import login_identifier
from infra.tenancy.service_accounts import NO_PASSWORD
from infra.tenancy.sessions import end_sessions
from infra.tenancy.tables import AppUser, LoginIdentity
from infra.tenancy.tenants import get_tenant
from infra.tenancy.visibility import after, users_within

# People's accounts: an API client's service account is managed through its client.
_PEOPLE = AppUser.password_hash != NO_PASSWORD  # type: ignore[arg-type]


async def get_user(uow: UnitOfWork, user_id: uuid.UUID) -> AppUser:
    user = (
        await uow.session.execute(
            select(AppUser).where(AppUser.id == user_id, _PEOPLE)  # type: ignore[arg-type]
        )
    ).scalar_one_or_none()
    if user is None:
        raise not_found("user")
    return user


async def create_user(
    uow: UnitOfWork,
    guard: Guard,
    *,
    home_tenant_id: uuid.UUID,
    tenant_id: uuid.UUID | None,
    username: str,
    display_name: str,
    phone: str | None,
    password: str,
    password_hash: str,
    protector: FieldProtector,
) -> AppUser:
    """Create an account; `password_hash` was computed before the transaction began."""
    tenant = await get_tenant(uow, tenant_id or home_tenant_id)
    guard.require("user", "create", tenant_domain(tenant.path))
    check_account_fields(username, phone)
    check_password(password, username, phone)
    user = AppUser(
        tenant_id=tenant.id,
        id=new_id(),
        username=username,
        display_name=display_name,
        password_hash=password_hash,
    )
    if phone is not None:
        _set_phone(user, protector, phone)
    try:
        async with uow.session.begin_nested():
            uow.session.add(user)
            await uow.session.flush()
    except IntegrityError as exc:
        raise _identifier_taken("username", username) from exc
    await _claim_identifiers(uow, user, protector, username, phone)
    uow.audit("user.create", "user", user.id, tenant_id=tenant.id, detail={"username": username})
    return user


def _set_phone(user: AppUser, protector: FieldProtector, phone: str) -> None:
    sealed = protector.staff_phone(phone)
    user.phone_enc = sealed.ciphertext
    user.phone_bidx = sealed.blind_index
    user.phone_masked = sealed.masked


async def _claim_identifiers(
    uow: UnitOfWork,
    user: AppUser,
    protector: FieldProtector,
    username: str | None,
    phone: str | None,
) -> None:
    for raw, field in ((username, "username"), (phone, "phone")):
        if raw is None:
            continue
        try:
            async with uow.session.begin_nested():
                uow.session.add(
                    LoginIdentity(
                        identifier=login_identifier(raw, protector),
                        tenant_id=user.tenant_id,
                        user_id=user.id,
                    )
                )
                await uow.session.flush()
        except IntegrityError as exc:
            shown = raw if field == "username" else user.phone_masked
            raise _identifier_taken(field, shown) from exc


def _identifier_taken(field: str, shown: str | None) -> DomainError:
    """409 for a username or phone already in use, whichever tenant holds it."""
    return conflict(MESSAGES, f"{field}_taken", field, shown=shown)


async def list_users(
    uow: UnitOfWork,
    guard: Guard,
    *,
    limit: int,
    cursor: uuid.UUID | None,
    tenant_id: uuid.UUID | None,
    q: str | None,
) -> list[AppUser]:
    scopes = require_scopes(guard, "user", "read")
    stmt = select(AppUser).where(users_within(scopes), _PEOPLE)
    if tenant_id:
        stmt = stmt.where(AppUser.tenant_id == tenant_id)
    if q:
        stmt = stmt.where(
            AppUser.username.contains(q, autoescape=True)  # type: ignore[attr-defined]
            | AppUser.display_name.contains(q, autoescape=True)  # type: ignore[attr-defined]
        )
    stmt = after(stmt, AppUser.id, cursor).order_by(AppUser.id).limit(limit + 1)  # type: ignore[arg-type]
    return list((await uow.session.execute(stmt)).scalars())


async def read_user(uow: UnitOfWork, guard: Guard, user_id: uuid.UUID) -> AppUser:
    user = await get_user(uow, user_id)
    domain = tenant_domain((await get_tenant(uow, user.tenant_id)).path)
    if not guard.can("user", "read", domain):
        seen = await uow.session.execute(
            select(AppUser.id).where(
                AppUser.id == user.id,  # type: ignore[arg-type]
                users_within(guard.scopes("user", "read")),
            )
        )
        if seen.first() is None:
            guard.require("user", "read", domain)
    return user


async def update_user(
    uow: UnitOfWork,
    guard: Guard,
    user_id: uuid.UUID,
    *,
    display_name: str | None,
    phone: str | None,
    is_active: bool | None,
    password: str | None,
    caller_id: uuid.UUID,
    password_hash: str | None,
    protector: FieldProtector,
    current_password: str | None = None,
) -> AppUser:
    """Edit an account; deactivating it or setting its password ends its sessions.

    A new password comes with its hash, made before the transaction began.
    """
    user = await get_user(uow, user_id)
    domain = tenant_domain((await get_tenant(uow, user.tenant_id)).path)
    guard.require("user", "update", domain)
    check_account_fields(None, phone)
    changed: list[str] = []
    if display_name is not None:
        user.display_name = display_name
        changed.append("display_name")
    if is_active is not None:
        guard.require("user", "disable", domain)
        if user.is_active and not is_active:
            await keep_an_administrator(uow, user.id)
            await end_sessions(uow, tenant_id=user.tenant_id, user_id=user.id)
        user.is_active = is_active
        changed.append("is_active")
    if password is not None:
        if user.id == caller_id:
            await check_current_password(user.password_hash, current_password)
        current = protector.reveal_staff_phone(user.phone_enc) if user.phone_enc else None
        await set_password(uow, user, password, password_hash=password_hash, phone=phone or current)
        changed.append("password")
    if phone is not None and protector.staff_phone_index(phone) != user.phone_bidx:
        if user.phone_bidx:
            old = await uow.session.get(LoginIdentity, "p:" + user.phone_bidx.hex())
            if old is not None:
                await uow.session.delete(old)
                await uow.session.flush()
        _set_phone(user, protector, phone)
        await _claim_identifiers(uow, user, protector, None, phone)
        changed.append("phone")
    if changed:
        user.version += 1
        user.updated_at = datetime.now(UTC)
        uow.session.add(user)
        uow.audit(
            "user.update", "user", user.id, tenant_id=user.tenant_id, detail={"fields": changed}
        )
    return user
