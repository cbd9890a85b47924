"""Credentials: argon2id password hashes, JWT access tokens (people's and API clients'),
opaque refresh tokens."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# A hash of a random password: verifying against it costs the same as a real check, so
# unknown usernames cannot be told apart from wrong passwords by timing.
DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))

ALGORITHM = "HS256"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True, slots=True)
class AccessClaims:
    user_id: uuid.UUID
    tenant_id: uuid.UUID
    tenant_path: str
    username: str
    session_id: uuid.UUID
    expires_at: datetime
    mfa: bool = False


@dataclass(frozen=True, slots=True)
class ClientClaims:
    """An API client's access token (typ `client`): it acts through its service account,
    with its scopes, in the domain (tenant or organization subtree) it was registered for."""

    client_id: uuid.UUID
    tenant_id: uuid.UUID
    tenant_path: str
    account_id: uuid.UUID
    name: str
    domain: str
    scopes: tuple[str, ...]
    expires_at: datetime


class TokenError(Exception):
    """The token is missing, malformed, expired or signed with another key."""


def issue_access_token(
    *,
    secret: bytes,
    user_id: uuid.UUID,
    tenant_id: uuid.UUID,
    tenant_path: str,
    username: str,
    session_id: uuid.UUID,
    now: datetime,
    lifetime: timedelta,
    mfa: bool = False,
) -> tuple[str, datetime]:
    expires = now + lifetime
    payload: dict[str, Any] = {
        "sub": str(user_id),
        "tid": str(tenant_id),
        "tpath": tenant_path,
        "name": username,
        "sid": str(session_id),
        "iat": int(now.timestamp()),
        "exp": int(expires.timestamp()),
        "typ": "access",
        "amr": ["pwd", "otp"] if mfa else ["pwd"],
    }
    return jwt.encode(payload, secret, algorithm=ALGORITHM), expires


def issue_client_token(
    *, secret: bytes, claims: ClientClaims, now: datetime
) -> tuple[str, datetime]:
    payload: dict[str, Any] = {
        "sub": str(claims.client_id),
        "tid": str(claims.tenant_id),
        "tpath": claims.tenant_path,
        "acct": str(claims.account_id),
        "name": claims.name,
        "dom": claims.domain,
        "scope": " ".join(claims.scopes),
        "iat": int(now.timestamp()),
        "exp": int(claims.expires_at.timestamp()),
        "typ": "client",
    }
    return jwt.encode(payload, secret, algorithm=ALGORITHM), claims.expires_at


def decode_access_token(token: str, *, secret: bytes, now: datetime) -> AccessClaims | ClientClaims:
    try:
        payload = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            options={"require": ["sub", "tid", "tpath", "exp", "typ"], "verify_exp": False},
        )
        if payload["typ"] not in ("access", "client"):
            raise TokenError("not an access token")
        if int(payload["exp"]) <= now.timestamp():
            raise TokenError("token expired")
        if payload["typ"] == "client":
            return ClientClaims(
                client_id=uuid.UUID(payload["sub"]),
                tenant_id=uuid.UUID(payload["tid"]),
                tenant_path=str(payload["tpath"]),
                account_id=uuid.UUID(payload["acct"]),
                name=str(payload["name"]),
                domain=str(payload["dom"]),
                scopes=tuple(str(payload["scope"]).split()),
                expires_at=datetime.fromtimestamp(payload["exp"], UTC),
            )
        return AccessClaims(
            user_id=uuid.UUID(payload["sub"]),
            tenant_id=uuid.UUID(payload["tid"]),
            tenant_path=str(payload["tpath"]),
            username=str(payload.get("name", "")),
            session_id=uuid.UUID(payload["sid"]),
            expires_at=datetime.fromtimestamp(payload["exp"], UTC),
            mfa="otp" in payload.get("amr", ()),
        )
    except (jwt.PyJWTError, ValueError, KeyError, TypeError) as exc:
        raise TokenError(str(exc)) from exc


@dataclass(frozen=True, slots=True)
class RefreshToken:
    """`rt.<tenant>.<token id>.<secret>`: the ids route the lookup, only the hash is stored."""

    tenant_id: uuid.UUID
    token_id: uuid.UUID
    secret: str

    def __str__(self) -> str:
        return f"rt.{self.tenant_id.hex}.{self.token_id.hex}.{self.secret}"

    @property
    def digest(self) -> bytes:
        return hashlib.sha256(self.secret.encode()).digest()

    @classmethod
    def new(cls, tenant_id: uuid.UUID, token_id: uuid.UUID) -> RefreshToken:
        return cls(tenant_id, token_id, secrets.token_urlsafe(32))

    @classmethod
    def parse(cls, raw: str) -> RefreshToken:
        parts = raw.split(".")
        if len(parts) != 4 or parts[0] != "rt" or not parts[3]:
            raise TokenError("malformed refresh token")
        try:
            return cls(uuid.UUID(hex=parts[1]), uuid.UUID(hex=parts[2]), parts[3])
        except ValueError as exc:
            raise TokenError("malformed refresh token") from exc


class AccessTokenVerifier:
    """Verifies access tokens, remembering ones already verified until they expire.

    A client sends the same token with every request for up to 15 minutes; checking its
    HMAC once is enough. Expiry is still checked on every use.
    """

    def __init__(
        self,
        secret: bytes,
        *,
        capacity: int = 50_000,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._secret = secret
        self._clock = clock
        self._capacity = capacity
        self._verified: dict[str, AccessClaims | ClientClaims] = {}

    def verify(self, token: str) -> AccessClaims | ClientClaims:
        now = self._clock()
        claims = self._verified.get(token)
        if claims is not None:
            if claims.expires_at > now:
                return claims
            del self._verified[token]
        claims = decode_access_token(token, secret=self._secret, now=now)
        if len(self._verified) >= self._capacity:
            self._verified.clear()
        self._verified[token] = claims
        return claims
