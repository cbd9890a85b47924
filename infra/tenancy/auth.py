"""Login, refresh-token rotation with reuse detection, logout.

Logout and a replayed refresh token end the session (`infra.tenancy.sessions`): its
access tokens stop working on the next request, not when they expire.

Login looks the user up through a SECURITY DEFINER function (the caller has no tenant
scope yet), then continues inside the user's own tenant scope like any other request.
"""

from __future__ import annotations

import asyncio
import hmac
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, text

from domain.shared import DomainError, Message, display_time, new_id
from domain.tenancy import LockoutPolicy, LoginState
from infra.db.session import (
    Actor,
    AuditRecord,
    Database,
    Scope,
    UnitOfWork,
    set_scope,
    write_audit,
)
from infra.security import (
    DUMMY_HASH,
    RefreshToken,
    TokenError,
    issue_access_token,
    verify_password,
)
from infra.settings import Settings
from infra.tenancy.sessions import end_sessions
from infra.tenancy.tables import AppUser, RefreshTokenRow

LOCKOUT = LockoutPolicy()
_CST = ZoneInfo("Asia/Shanghai")
_PHONE = re.compile(r"^(?:\+?86)?1[3-9]\d{9}$")

INVALID_CREDENTIALS = DomainError(
    "invalid_credentials",
    Message("用户名或密码错误。", "Wrong username or password."),
    status=401,
)


@dataclass(frozen=True, slots=True)
class Session:
    access_token: str
    access_expires_at: datetime
    refresh_token: str
    refresh_expires_at: datetime
    user_id: uuid.UUID
    tenant_id: uuid.UUID


class AccountLocked(DomainError):
    def __init__(self, until: datetime) -> None:
        super().__init__(
            "account_locked",
            Message(
                f"连续登录失败次数过多，账号已锁定至 {until.astimezone(_CST):%Y-%m-%d %H:%M:%S}。",
                f"Too many failed logins; the account is locked until {display_time(until)}.",
            ),
            status=429,
        )
        self.until = until


def login_identifier(raw: str) -> str:
    cleaned = re.sub(r"[\s-]", "", raw)
    if _PHONE.match(cleaned):
        return "p:" + cleaned[-11:]
    return "u:" + raw.strip().lower()


class AuthService:
    def __init__(self, db: Database, settings: Settings) -> None:
        self.db = db
        self.settings = settings

    def _issue(
        self, user: AppUser, tenant_path: str, family: uuid.UUID, now: datetime
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
        )

    def _new_refresh(
        self, user: AppUser, family: uuid.UUID, now: datetime, absolute: datetime
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
        )
        return token, row

    async def login(self, identifier: str, password: str, actor: Actor) -> Session:
        async with self.db.unit_of_work(None, actor) as uow:
            session = await self._attempt_login(uow, identifier, password, actor)
        if session is None:  # unreachable: a refused attempt raised on leaving the unit of work
            raise INVALID_CREDENTIALS
        return session

    async def _attempt_login(
        self, uow: UnitOfWork, identifier: str, password: str, actor: Actor
    ) -> Session | None:
        """Log in, or record the failure for commit and return None."""
        now = datetime.now(UTC)
        found = (
            await uow.session.execute(
                text("SELECT tenant_id, user_id, tenant_path FROM zhibu_login_lookup(:i)"),
                {"i": login_identifier(identifier)},
            )
        ).first()
        if found is None:
            await asyncio.to_thread(verify_password, DUMMY_HASH, password)
            raise INVALID_CREDENTIALS
        tenant_id, user_id, tenant_path = found
        await set_scope(uow.session, Scope(tenant_path, user_id))
        user = (
            await uow.session.execute(
                select(AppUser)
                .where(AppUser.tenant_id == tenant_id, AppUser.id == user_id)  # type: ignore[arg-type]
                .with_for_update()
            )
        ).scalar_one()
        state = LoginState(user.failed_logins, user.last_failed_login_at, user.locked_until)
        locked_until = LOCKOUT.check(state, now)
        who = Actor(user.id, user.username, user.tenant_id, actor.client_addr, actor.request_id)
        uow.actor = who
        if locked_until is not None:
            uow.audit("auth.login", "user", user.id, tenant_id=user.tenant_id, outcome="denied")
            uow.fail_after_commit(AccountLocked(locked_until))
            return None
        ok = user.is_active and await asyncio.to_thread(
            verify_password, user.password_hash, password
        )
        if not ok:
            state = LOCKOUT.after_failure(state, now)
            user.failed_logins = state.failures
            user.last_failed_login_at = state.last_failure_at
            user.locked_until = state.locked_until
            uow.session.add(user)
            uow.audit("auth.login", "user", user.id, tenant_id=user.tenant_id, outcome="failure")
            uow.fail_after_commit(
                AccountLocked(state.locked_until) if state.locked_until else INVALID_CREDENTIALS
            )
            return None
        user.failed_logins = 0
        user.last_failed_login_at = None
        user.locked_until = None
        user.last_login_at = now
        uow.session.add(user)
        family = new_id()
        absolute = now + timedelta(hours=self.settings.refresh_absolute_hours)
        token, row = self._new_refresh(user, family, now, absolute)
        uow.session.add(row)
        uow.audit("auth.login", "user", user.id, tenant_id=user.tenant_id)
        access, access_exp = self._issue(user, tenant_path, family, now)
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
            raise DomainError(
                "session_ended",
                Message("登录会话已结束，请重新登录。", "The session has ended; log in again."),
                status=401,
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
            uow.fail_after_commit(
                DomainError(
                    "refresh_token_reused",
                    Message(
                        "该刷新令牌已被使用过，为安全起见本次登录会话已全部注销，请重新登录。",
                        "This refresh token was already used; the whole session was revoked.",
                    ),
                    status=401,
                )
            )
            return None
        if now >= row.idle_expires_at or now >= row.absolute_expires_at or not user.is_active:
            raise DomainError(
                "session_expired",
                Message("会话已过期，请重新登录。", "The session has expired; log in again."),
                status=401,
            )
        row.used_at = now
        uow.session.add(row)
        token, new_row = self._new_refresh(user, row.family_id, now, row.absolute_expires_at)
        uow.session.add(new_row)
        access, access_exp = self._issue(user, tenant_path, row.family_id, now)
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
    return DomainError(
        "refresh_token_invalid",
        Message("刷新令牌无效，请重新登录。", "The refresh token is invalid; log in again."),
        status=401,
    )
