"""Two-factor login with TOTP (RFC 6238, pyotp) and one-time recovery codes.

The password step (infra.tenancy.auth) asks `MfaService.challenge` whether a second step is
due; if so it answers with a short-lived signed challenge instead of a session. The
challenge names the account and what must follow: the code of an enrolled authenticator
("verify"), or enrolment first ("enroll"). Only then is a session started, and it records
that the factor was passed (`refresh_token.mfa_at`, the access token's `amr`), so refreshing
it keeps that assurance.

At rest the TOTP secret is encrypted with the field key (AES-256-GCM, like 身份证号) and
recovery codes are kept as keyed hashes (HMAC with the blind-index key), so a copy of the
database alone neither yields codes nor lets anyone brute-force them offline.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
import pyotp
from sqlalchemy import select, text, update

from domain.shared import DomainError
from domain.tenancy import effective_settings
from domain.tenancy.mfa import (
    MFA_ALREADY_ENROLLED,
    MFA_CHALLENGE_INVALID,
    MFA_CODE_INVALID,
    MFA_NOT_ENROLLED,
    MFA_REQUIRED_AGAIN,
    RECOVERY_ALPHABET,
    RECOVERY_CODE_COUNT,
    RECOVERY_CODE_LENGTH,
    FactorThrottle,
    Requirement,
    factor_locked,
    format_recovery_code,
    read_code,
    requirement,
    step_is_fresh,
)
from infra.db.session import Actor, Database, Scope, UnitOfWork, set_scope
from infra.protection import FieldProtector
from infra.settings import Settings
from infra.tenancy.auth import AuthService, LoginChallenge, Session
from infra.tenancy.sessions import end_sessions
from infra.tenancy.tables import AppUser, RefreshTokenRow, RoleAssignment, UserMfa

ISSUER = "Zhibu 支部"
TOTP_COLUMN = "user_mfa.secret"
RECOVERY_COLUMN = "user_mfa.recovery_code"
CHALLENGE_LIFETIME = timedelta(minutes=5)
THROTTLE = FactorThrottle()
_ALGORITHM = "HS256"


@dataclass(frozen=True, slots=True)
class Account:
    """Whose factor is being enrolled or checked: from a challenge or an access token."""

    user_id: uuid.UUID
    tenant_id: uuid.UUID
    tenant_path: str
    username: str
    via_challenge: bool
    session_id: uuid.UUID | None = None  # the bearer's session, when not via a challenge


@dataclass(frozen=True, slots=True)
class Enrollment:
    secret: str
    otpauth_uri: str


@dataclass(frozen=True, slots=True)
class Confirmation:
    recovery_codes: list[str]
    session: Session | None


@dataclass(frozen=True, slots=True)
class MfaStatus:
    enrolled: bool
    enrolled_at: datetime | None
    recovery_codes_left: int
    session_verified: bool


class MfaService:
    def __init__(self, db: Database, settings: Settings, protector: FieldProtector) -> None:
        self.db = db
        self.settings = settings
        self.protector = protector
        self._key = hashlib.sha256(
            b"zhibu.mfa-challenge\x00" + settings.secret_bytes("jwt_secret")
        ).digest()

    # --- the hook in the password step -------------------------------------------------

    async def challenge(
        self, uow: UnitOfWork, user: AppUser, tenant_path: str, now: datetime
    ) -> LoginChallenge | None:
        """A challenge when this account needs a second step, else None."""
        needed = await self._requirement(uow, user)
        if needed == "none":
            return None
        uow.audit(
            "auth.mfa_challenge", "user", user.id, tenant_id=user.tenant_id, detail={"step": needed}
        )
        expires = now + CHALLENGE_LIFETIME
        payload = {
            "sub": str(user.id),
            "tid": str(user.tenant_id),
            "tpath": tenant_path,
            "name": user.username,
            "purpose": needed,
            "jti": secrets.token_urlsafe(8),
            "exp": int(expires.timestamp()),
            "typ": "mfa_challenge",
        }
        token = jwt.encode(payload, self._key, algorithm=_ALGORITHM)
        return LoginChallenge(token, expires, enrollment_required=needed == "enroll")

    async def check_refresh(self, uow: UnitOfWork, user: AppUser, mfa_at: datetime | None) -> None:
        """A session that never passed a factor the account now needs (the switch was turned
        on, or the account enrolled elsewhere) is not renewed: its owner logs in again."""
        if mfa_at is None and await self._requirement(uow, user) != "none":
            raise MFA_REQUIRED_AGAIN

    async def _requirement(self, uow: UnitOfWork, user: AppUser) -> Requirement:
        factor = await uow.session.get(UserMfa, (user.tenant_id, user.id))
        enrolled = factor is not None and factor.confirmed_at is not None
        roles: list[str] = []
        staff_required = False
        if not enrolled:
            roles = list(
                (
                    await uow.session.execute(
                        select(RoleAssignment.role).where(
                            RoleAssignment.tenant_id == user.tenant_id,  # type: ignore[arg-type]
                            RoleAssignment.user_id == user.id,  # type: ignore[arg-type]
                        )
                    )
                ).scalars()
            )
            if roles:
                chain = (
                    await uow.session.execute(
                        text("SELECT zhibu_settings_chain(:t)"), {"t": user.tenant_id}
                    )
                ).scalars()
                staff_required = effective_settings(list(chain)).mfa_required_for_staff
        return requirement(
            roles,
            enrolled=enrolled,
            admins_required=self.settings.mfa_required_for_admins,
            staff_required=staff_required,
        )

    def account_of(self, challenge: str, purpose: str) -> Account:
        """The account a challenge was issued to, if it is genuine, unexpired and for `purpose`."""
        try:
            payload = jwt.decode(
                challenge,
                self._key,
                algorithms=[_ALGORITHM],
                options={"require": ["sub", "tid", "tpath", "exp", "typ", "purpose"]},
            )
            if payload["typ"] != "mfa_challenge" or payload["purpose"] != purpose:
                raise MFA_CHALLENGE_INVALID
            return Account(
                uuid.UUID(payload["sub"]),
                uuid.UUID(payload["tid"]),
                str(payload["tpath"]),
                str(payload.get("name", "")),
                via_challenge=True,
            )
        except (jwt.PyJWTError, ValueError, KeyError, TypeError) as exc:
            raise MFA_CHALLENGE_INVALID from exc

    # --- second step of a login --------------------------------------------------------

    async def complete_login(self, challenge: str, code: str, actor: Actor) -> Session:
        """Exchange a "verify" challenge and a TOTP or recovery code for a session."""
        account = self.account_of(challenge, "verify")
        now = datetime.now(UTC)
        async with self._uow(account, actor) as uow:
            session = await self._complete_login(uow, account, code, now)
        if session is None:  # unreachable: a refused code raised on leaving the unit of work
            raise MFA_CODE_INVALID
        return session

    async def _complete_login(
        self, uow: UnitOfWork, account: Account, code: str, now: datetime
    ) -> Session | None:
        user = await self._active_user(uow, account)
        factor = await self._factor(uow, account)
        if factor is None or factor.confirmed_at is None:
            raise MFA_CHALLENGE_INVALID
        method = self._check(uow, factor, code, now, recovery_allowed=True)
        if method is None:
            return None
        uow.audit("auth.mfa_verified", "user", user.id, detail={"method": method})
        return self._auth().start_session(
            uow, user, account.tenant_path, uow.actor, now, mfa_at=now
        )

    # --- enrolment ---------------------------------------------------------------------

    async def enroll(self, account: Account, actor: Actor) -> Enrollment:
        """Start (or restart) enrolment: a new secret, kept until a code confirms it."""
        now = datetime.now(UTC)
        secret = pyotp.random_base32()
        sealed = self.protector.cipher.encrypt(TOTP_COLUMN, secret)
        async with self._uow(account, actor) as uow:
            user = await self._active_user(uow, account)
            factor = await self._factor(uow, account)
            if factor is not None and factor.confirmed_at is not None:
                raise MFA_ALREADY_ENROLLED
            factor = factor or UserMfa(
                tenant_id=account.tenant_id, user_id=account.user_id, secret_ciphertext=sealed
            )
            factor.secret_ciphertext = sealed
            factor.last_used_step = None
            factor.updated_at = now
            uow.session.add(factor)
            uow.audit("auth.mfa_enroll_started", "user", user.id)
        uri = pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=ISSUER)
        return Enrollment(secret, uri)

    async def confirm(self, account: Account, code: str, actor: Actor) -> Confirmation:
        """Activate the pending secret with a code from it; hand out the recovery codes once."""
        now = datetime.now(UTC)
        async with self._uow(account, actor) as uow:
            confirmation = await self._confirm(uow, account, code, now)
        if confirmation is None:  # unreachable: a refused code raised on leaving the unit of work
            raise MFA_CODE_INVALID
        return confirmation

    async def _confirm(
        self, uow: UnitOfWork, account: Account, code: str, now: datetime
    ) -> Confirmation | None:
        user = await self._active_user(uow, account)
        factor = await self._factor(uow, account)
        if factor is None:
            raise MFA_NOT_ENROLLED
        if factor.confirmed_at is not None:
            raise MFA_ALREADY_ENROLLED
        if self._check(uow, factor, code, now, recovery_allowed=False) is None:
            return None
        codes = self._new_recovery_codes(factor)
        factor.confirmed_at = now
        uow.session.add(factor)
        uow.audit("auth.mfa_enrolled", "user", user.id)
        session = None
        if account.via_challenge:
            session = self._auth().start_session(
                uow, user, account.tenant_path, uow.actor, now, mfa_at=now
            )
        elif account.session_id is not None:
            # The bearer just proved the factor: their session keeps that from its next refresh.
            await uow.session.execute(
                update(RefreshTokenRow)
                .where(
                    RefreshTokenRow.tenant_id == account.tenant_id,  # type: ignore[arg-type]
                    RefreshTokenRow.family_id == account.session_id,  # type: ignore[arg-type]
                    RefreshTokenRow.user_id == account.user_id,  # type: ignore[arg-type]
                )
                .values(mfa_at=now)
            )
        return Confirmation(codes, session)

    async def renew_recovery_codes(self, account: Account, code: str, actor: Actor) -> list[str]:
        """Ten new recovery codes for a current TOTP code; the old ones stop working."""
        now = datetime.now(UTC)
        async with self._uow(account, actor) as uow:
            codes = await self._renew(uow, account, code, now)
        if codes is None:  # unreachable: a refused code raised on leaving the unit of work
            raise MFA_CODE_INVALID
        return codes

    async def _renew(
        self, uow: UnitOfWork, account: Account, code: str, now: datetime
    ) -> list[str] | None:
        user = await self._active_user(uow, account)
        factor = await self._factor(uow, account)
        if factor is None or factor.confirmed_at is None:
            raise MFA_NOT_ENROLLED
        if self._check(uow, factor, code, now, recovery_allowed=False) is None:
            return None
        codes = self._new_recovery_codes(factor)
        uow.session.add(factor)
        uow.audit("auth.mfa_recovery_codes_renewed", "user", user.id)
        return codes

    async def status(self, account: Account, session_verified: bool) -> MfaStatus:
        async with self._uow(account, None) as uow:
            factor = await self._factor(uow, account, lock=False)
        enrolled = factor is not None and factor.confirmed_at is not None
        return MfaStatus(
            enrolled=enrolled,
            enrolled_at=factor.confirmed_at if factor else None,
            recovery_codes_left=len(factor.recovery_code_hashes) if factor and enrolled else 0,
            session_verified=session_verified,
        )

    # --- helpers -----------------------------------------------------------------------

    def _auth(self) -> AuthService:
        return AuthService(self.db, self.settings, self.protector)

    def _uow(
        self, account: Account, actor: Actor | None
    ) -> AbstractAsyncContextManager[UnitOfWork]:
        who = Actor(
            account.user_id,
            account.username,
            account.tenant_id,
            actor.client_addr if actor else None,
            actor.request_id if actor else None,
        )
        return self.db.unit_of_work(Scope(account.tenant_path, account.user_id), who)

    async def _active_user(self, uow: UnitOfWork, account: Account) -> AppUser:
        user = await uow.session.get(AppUser, (account.tenant_id, account.user_id))
        if user is None or not user.is_active:
            raise MFA_CHALLENGE_INVALID
        return user

    async def _factor(self, uow: UnitOfWork, account: Account, lock: bool = True) -> UserMfa | None:
        stmt = select(UserMfa).where(
            UserMfa.tenant_id == account.tenant_id,  # type: ignore[arg-type]
            UserMfa.user_id == account.user_id,  # type: ignore[arg-type]
        )
        return (
            await uow.session.execute(stmt.with_for_update() if lock else stmt)
        ).scalar_one_or_none()

    def _new_recovery_codes(self, factor: UserMfa) -> list[str]:
        """Replace the factor's recovery codes; the plain codes are returned, only once."""
        codes = [
            "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
            for _ in range(RECOVERY_CODE_COUNT)
        ]
        factor.recovery_code_hashes = [self._recovery_hash(factor, c) for c in codes]
        return [format_recovery_code(c) for c in codes]

    def _recovery_hash(self, factor: UserMfa, code: str) -> bytes:
        return self.protector.index.digest(RECOVERY_COLUMN, f"{factor.user_id}:{code}")

    def _check(
        self, uow: UnitOfWork, factor: UserMfa, raw: str, now: datetime, *, recovery_allowed: bool
    ) -> str | None:
        """ "totp" or "recovery_code" when the code is right; else record the failure for commit.

        A refused code still commits (the failure count, the audit event) and the caller
        answers with the error kept in `uow.fail_after_commit`.
        """
        if THROTTLE.is_locked(factor.locked_until, now):
            assert factor.locked_until is not None
            raise factor_locked(factor.locked_until)
        method = None
        try:
            kind, code = read_code(raw)
        except DomainError:
            kind, code = "invalid", ""
        if kind == "totp":
            secret = self.protector.cipher.decrypt(TOTP_COLUMN, factor.secret_ciphertext)
            step = _matching_step(pyotp.TOTP(secret), code, now)
            if step is not None and step_is_fresh(step, factor.last_used_step):
                factor.last_used_step = step
                method = "totp"
        elif kind == "recovery" and recovery_allowed:
            digest = self._recovery_hash(factor, code)
            left = [h for h in factor.recovery_code_hashes if not hmac.compare_digest(h, digest)]
            if len(left) < len(factor.recovery_code_hashes):
                factor.recovery_code_hashes = left
                method = "recovery_code"
        factor.updated_at = now
        if method is None:
            factor.failed_attempts, factor.locked_until = THROTTLE.after_failure(
                factor.failed_attempts, now
            )
            uow.session.add(factor)
            uow.audit("auth.mfa_verified", "user", factor.user_id, outcome="failure")
            uow.fail_after_commit(
                factor_locked(factor.locked_until) if factor.locked_until else MFA_CODE_INVALID
            )
            return None
        factor.failed_attempts = 0
        factor.locked_until = None
        uow.session.add(factor)
        return method


def _matching_step(totp: pyotp.TOTP, code: str, now: datetime) -> int | None:
    """The time step whose code this is, allowing one step of clock drift either way."""
    base = totp.timecode(now)
    for offset in (0, -1, 1):
        if hmac.compare_digest(totp.generate_otp(base + offset), code):
            return base + offset
    return None


async def reset_factor(db: Database, username: str, actor_name: str) -> uuid.UUID | None:
    """Operator reset of a lost factor (CLI): remove it and end the account's sessions, audited.

    Returns the account's id, or None when no such account exists.
    """
    async with db.unit_of_work(None) as uow:
        found = (
            await uow.session.execute(
                text("SELECT tenant_id, user_id, tenant_path FROM zhibu_login_lookup(:i)"),
                {"i": "u:" + username.strip().lower()},
            )
        ).first()
        if found is None:
            return None
        tenant_id, user_id, tenant_path = found
        await set_scope(uow.session, Scope(tenant_path, user_id))
        uow.actor = Actor(None, actor_name, tenant_id, None, actor_name)
        factor = await uow.session.get(UserMfa, (tenant_id, user_id))
        if factor is not None:
            await uow.session.delete(factor)
        await end_sessions(uow, tenant_id=tenant_id, user_id=user_id)
        uow.audit(
            "auth.mfa_reset",
            "user",
            user_id,
            tenant_id=tenant_id,
            detail={"had_factor": factor is not None, "by": actor_name},
        )
    return uuid.UUID(str(user_id))
