"""Login, refresh-token rotation with reuse detection, logout.

Logout and a replayed refresh token end the session (`infra.tenancy.sessions`): its
access tokens stop working on the next request, not when they expire.

Login looks the user up through a SECURITY DEFINER function (the caller has no tenant
scope yet), then continues inside the user's own tenant scope like any other request.
"""

from __future__ import annotations

import hmac
import math
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import select, text

from domain.shared import DomainError, ErrorKind, display_time, new_id
from domain.tenancy.messages import MESSAGES
from infra.db.session import Actor, AuditRecord, Database, Scope, UnitOfWork, set_scope, write_audit
from infra.hashing import PASSWORD_HASHING
from infra.protection import FieldProtector
from infra.security import DUMMY_HASH, RefreshToken, TokenError, issue_access_token
from infra.settings import Settings
from infra.tenancy import throttle
from infra.tenancy.sessions import end_sessions
from infra.tenancy.tables import AppUser, RefreshTokenRow

_CST = ZoneInfo("Asia/Shanghai")
_PHONE = re.compile(r"^(?:\+?86)?1[3-9]\d{9}$")

INVALID_CREDENTIALS = MESSAGES.error("invalid_credentials", ErrorKind.UNAUTHENTICATED)


@dataclass(frozen=True, slots=True)
class Session:
    access_token: str
    access_expires_at: datetime
    refresh_token: str
    refresh_expires_at: datetime
    user_id: uuid.UUID
    tenant_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class LoginChallenge:
    """The password was right; a second factor (or its enrolment) must follow."""

    challenge: str
    expires_at: datetime
    enrollment_required: bool


class SecondFactor(Protocol):
    """Decides, once the password is right, whether the login needs a second step, and
    whether a session may be renewed without one."""

    async def challenge(
        self, uow: UnitOfWork, user: AppUser, tenant_path: str, now: datetime
    ) -> LoginChallenge | None: ...

    async def check_refresh(
        self, uow: UnitOfWork, user: AppUser, mfa_at: datetime | None
    ) -> None: ...


def account_locked(until: datetime) -> DomainError:
    """Too many failures from this client (or on this account): try again at `until`."""
    wait = max(1, math.ceil((until - datetime.now(UTC)).total_seconds()))
    return MESSAGES.error(
        "account_locked",
        ErrorKind.LIMITED,
        retry_after=wait,
        until_local=f"{until.astimezone(_CST):%Y-%m-%d %H:%M:%S}",
        until=display_time(until),
    )


def login_identifier(raw: str, protector: FieldProtector) -> str:
    """The login directory's key: `u:<username>`, or `p:<blind index of the phone>`."""
    cleaned = re.sub(r"[\s-]", "", raw)
    if _PHONE.match(cleaned):
        return "p:" + protector.staff_phone_index(cleaned[-11:]).hex()
    return "u:" + raw.strip().lower()


@dataclass(frozen=True, slots=True)
class Account:
    """What login reads before hashing, so no connection is held while it hashes."""

    tenant_id: uuid.UUID
    user_id: uuid.UUID
    tenant_path: str
    username: str
    password_hash: str


async def _find_account(uow: UnitOfWork, identifier: str) -> Account | None:
    found = (
        await uow.session.execute(
            text("SELECT tenant_id, user_id, tenant_path FROM zhibu_login_lookup(:i)"),
            {"i": identifier},
        )
    ).first()
    if found is None:
        return None
    tenant_id, user_id, tenant_path = found
    await set_scope(uow.session, Scope(tenant_path, user_id))
    username, password_hash = (
        await uow.session.execute(
            select(AppUser.username, AppUser.password_hash).where(
                AppUser.tenant_id == tenant_id,  # type: ignore[arg-type]
                AppUser.id == user_id,  # type: ignore[arg-type]
            )
        )
    ).one()
    return Account(tenant_id, user_id, tenant_path, username, password_hash)


async def _active_user(uow: UnitOfWork, account: Account) -> AppUser | None:
    """The account, if still active and with the password just checked (not changed since)."""
    user = (
        await uow.session.execute(
            select(AppUser)
            .where(
                AppUser.tenant_id == account.tenant_id,  # type: ignore[arg-type]
                AppUser.id == account.user_id,  # type: ignore[arg-type]
            )
            .with_for_update()
        )
    ).scalar_one_or_none()
    if user is None or not user.is_active or user.password_hash != account.password_hash:
        return None
    return user


def _audit_attempt(uow: UnitOfWork, account: Account, actor: Actor, outcome: str) -> None:
    uow.actor = Actor(
        account.user_id, account.username, account.tenant_id, actor.client_addr, actor.request_id
    )
    uow.audit("auth.login", "user", account.user_id, tenant_id=account.tenant_id, outcome=outcome)


class AuthService:
    def __init__(
        self,
        db: Database,
        settings: Settings,
        protector: FieldProtector,
        second_factor: SecondFactor | None = None,
    ) -> None:
        self.db = db
        self.settings = settings
        self.protector = protector
        self.second_factor = second_factor

    def _issue(
        self, user: AppUser, tenant_path: str, family: uuid.UUID, now: datetime, mfa: bool
    ) -> tuple[str, datetime]:
        return issue_access_token(
            secret=self.settings.secret_bytes("jwt_secret"),
            user_id=user.id,
            tenant_id=user.tenant_id,
            tenant_path=tenant_path,
            username=user.username,
            session_id=family,
            now=now,
            lifetime=timedelta(minutes=self.settings.access_token_minutes),
            mfa=mfa,
        )

    def _new_refresh(
        self,
        user: AppUser,
        family: uuid.UUID,
        now: datetime,
        absolute: datetime,
        mfa_at: datetime | None,
    ) -> tuple[RefreshToken, RefreshTokenRow]:
        token = RefreshToken.new(user.tenant_id, new_id())
        idle = min(now + timedelta(minutes=self.settings.refresh_idle_minutes), absolute)
        row = RefreshTokenRow(
            tenant_id=user.tenant_id,
            id=token.token_id,
            user_id=user.id,
            family_id=family,
            token_hash=token.digest,
            issued_at=now,
            idle_expires_at=idle,
            absolute_expires_at=absolute,
            mfa_at=mfa_at,
        )
        return token, row

    async def login(self, identifier: str, password: str, actor: Actor) -> Session | LoginChallenge:
        """Check a password with no database connection held while argon2 runs.

        Unknown, disabled and wrong-password accounts get the same answer after the same
        work: one hash (a dummy one when there is no account), one recorded failure.
        Logins in progress are bounded with the hashing, so they never take more than a
        few of the pool's connections.
        """
        async with PASSWORD_HASHING.admitted():
            return await self._login(identifier, password, actor)

    async def _login(
        self, identifier: str, password: str, actor: Actor
    ) -> Session | LoginChallenge:
        now = datetime.now(UTC)
        key = login_identifier(identifier, self.protector)
        client = actor.client_addr or "unknown"
        async with self.db.unit_of_work(None, actor) as uow:
            account = await _find_account(uow, key)
            subject = throttle.subject_of(account.user_id if account else None, key, self.protector)
            locked = await throttle.locked_until(uow.session, subject, client, now)
            if locked is not None and account is not None:
                _audit_attempt(uow, account, actor, "denied")
        if locked is not None:
            raise account_locked(locked)
        ok = await PASSWORD_HASHING.verify(
            account.password_hash if account else DUMMY_HASH, password
        )
        async with self.db.unit_of_work(None, actor) as uow:
            if account is not None:
                await set_scope(uow.session, Scope(account.tenant_path, account.user_id))
            user = await _active_user(uow, account) if ok and account else None
            if user is None or account is None:
                locked = await throttle.record_failure(uow.session, subject, client, now)
                if account is not None:
                    _audit_attempt(uow, account, actor, "failure")
            else:
                await throttle.forget(uow.session, subject, client)
                session = await self._second_step(uow, user, account.tenant_path, actor, now)
        if user is None:
            raise account_locked(locked) if locked else INVALID_CREDENTIALS
        return session

    async def _second_step(
        self, uow: UnitOfWork, user: AppUser, tenant_path: str, actor: Actor, now: datetime
    ) -> Session | LoginChallenge:
        """A challenge when the account needs a second factor, else the session."""
        if self.second_factor is not None:
            uow.actor = Actor(
                user.id, user.username, user.tenant_id, actor.client_addr, actor.request_id
            )
            challenge = await self.second_factor.challenge(uow, user, tenant_path, now)
            if challenge is not None:
                return challenge
        return self.start_session(uow, user, tenant_path, actor, now)

    def start_session(
        self,
        uow: UnitOfWork,
        user: AppUser,
        tenant_path: str,
        actor: Actor | None,
        now: datetime,
        *,
        mfa_at: datetime | None = None,
    ) -> Session:
        """A new session for a user who proved who they are; `mfa_at` if a second factor did."""
        user.last_login_at = now
        uow.session.add(user)
        family = new_id()
        absolute = now + timedelta(hours=self.settings.refresh_absolute_hours)
        token, row = self._new_refresh(user, family, now, absolute, mfa_at)
        uow.session.add(row)
        uow.actor = Actor(
            user.id,
            user.username,
            user.tenant_id,
            actor.client_addr if actor else None,
            actor.request_id if actor else None,
        )
        uow.audit(
            "auth.login",
            "user",
            user.id,
            tenant_id=user.tenant_id,
            detail={"mfa": True} if mfa_at else None,
        )
        access, access_exp = self._issue(user, tenant_path, family, now, mfa_at is not None)
        return Session(access, access_exp, str(token), row.idle_expires_at, user.id, user.tenant_id)

    async def refresh(self, raw: str, actor: Actor) -> Session:
        now = datetime.now(UTC)
        try:
            presented = RefreshToken.parse(raw)
        except TokenError as exc:
            raise _refresh_invalid() from exc
        async with self.db.unit_of_work(None, actor) as uow:
            session = await self._rotate(uow, presented, actor, now)
        if session is None:  # unreachable: a replay raised on leaving the unit of work
            raise _refresh_invalid()
        return session

    async def _rotate(
        self, uow: UnitOfWork, presented: RefreshToken, actor: Actor, now: datetime
    ) -> Session | None:
        """Swap a refresh token for a new one, or revoke the family of a replayed one."""
        tenant_path = (
            await uow.session.execute(
                text("SELECT zhibu_tenant_path(:t)"), {"t": presented.tenant_id}
            )
        ).scalar()
        if tenant_path is None:
            raise _refresh_invalid()
        await set_scope(uow.session, Scope(tenant_path))
        row = (
            await uow.session.execute(
                select(RefreshTokenRow)
                .where(
                    RefreshTokenRow.tenant_id == presented.tenant_id,  # type: ignore[arg-type]
                    RefreshTokenRow.id == presented.token_id,  # type: ignore[arg-type]
                )
                .with_for_update()
            )
        ).scalar_one_or_none()
        if row is None or not hmac.compare_digest(row.token_hash, presented.digest):
            raise _refresh_invalid()
        user = await uow.session.get(AppUser, (row.tenant_id, row.user_id))
        assert user is not None
        uow.actor = Actor(
            user.id, user.username, user.tenant_id, actor.client_addr, actor.request_id
        )
        if row.used_at is None and row.revoked_at is not None:
            raise MESSAGES.error(
                "refresh_session_ended", ErrorKind.UNAUTHENTICATED, code="session_ended"
            )
        if row.used_at is not None:
            await end_sessions(
                uow, tenant_id=row.tenant_id, user_id=row.user_id, session_id=row.family_id, now=now
            )
            uow.audit(
                "auth.refresh_reuse",
                "session",
                row.family_id,
                tenant_id=row.tenant_id,
                outcome="denied",
            )
            uow.fail_after_commit(MESSAGES.error("refresh_token_reused", ErrorKind.UNAUTHENTICATED))
            return None
        if now >= row.idle_expires_at or now >= row.absolute_expires_at or not user.is_active:
            raise MESSAGES.error("session_expired", ErrorKind.UNAUTHENTICATED)
        if self.second_factor is not None:
            await self.second_factor.check_refresh(uow, user, row.mfa_at)
        row.used_at = now
        uow.session.add(row)
        token, new_row = self._new_refresh(
            user, row.family_id, now, row.absolute_expires_at, row.mfa_at
        )
        uow.session.add(new_row)
        access, access_exp = self._issue(
            user, tenant_path, row.family_id, now, row.mfa_at is not None
        )
        return Session(
            access, access_exp, str(token), new_row.idle_expires_at, user.id, user.tenant_id
        )

    async def logout(self, raw: str, actor: Actor) -> None:
        """Revoke the whole session the refresh token belongs to; unknown tokens are ignored."""
        try:
            presented = RefreshToken.parse(raw)
        except TokenError:
            return
        now = datetime.now(UTC)
        async with self.db.unit_of_work(None, actor) as uow:
            path = (
                await uow.session.execute(
                    text("SELECT zhibu_tenant_path(:t)"), {"t": presented.tenant_id}
                )
            ).scalar()
            if path is None:
                return
            await set_scope(uow.session, Scope(path))
            row = await uow.session.get(RefreshTokenRow, (presented.tenant_id, presented.token_id))
            if row is None or not hmac.compare_digest(row.token_hash, presented.digest):
                return
            await end_sessions(
                uow, tenant_id=row.tenant_id, user_id=row.user_id, session_id=row.family_id, now=now
            )
            await write_audit(
                uow.session,
                Actor(row.user_id, None, row.tenant_id, actor.client_addr, actor.request_id),
                [
                    AuditRecord(
                        "auth.logout", "session", str(row.family_id), "success", row.tenant_id
                    )
                ],
            )


def _refresh_invalid() -> DomainError:
    return MESSAGES.error("refresh_token_invalid", ErrorKind.UNAUTHENTICATED)


async def sweep_throttle(db: Database) -> None:
    """Housekeeping: drop failed-login records no lockout counts any more."""
    async with db.unit_of_work(None) as uow:
        await throttle.sweep(uow.session, datetime.now(UTC))
