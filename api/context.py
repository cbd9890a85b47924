"""Per-request context: who calls, in which language, with which database and policy."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from litestar import Request
from litestar.datastructures import State

from api.errors import ProblemError, language
from domain.integration import permissions_of
from domain.tenancy import ShippedRole
from infra.authz import (
    Authorizer,
    fetch_snapshot,
    parse_domain,
    tenant_domain,
    user_subject,
)
from infra.db.session import Actor, Database, Scope, UnitOfWork
from infra.integration import ClientLiveness
from infra.security import AccessClaims, AccessTokenVerifier, ClientClaims, TokenError
from infra.tenancy import SessionLiveness, SessionState

_CLAIMS_STATE_KEY = "zhibu_bearer"


Claims = AccessClaims | ClientClaims


def bearer_claims(scope: Any, tokens: AccessTokenVerifier) -> Claims | TokenError | None:
    """The request's bearer token, verified once per request: the rate limiter keys on it
    and Ctx authenticates with it. None without a bearer token, the refusal if it fails."""
    state = scope.setdefault("state", {})
    if _CLAIMS_STATE_KEY in state:
        return state[_CLAIMS_STATE_KEY]  # type: ignore[no-any-return]
    header = next((value for name, value in scope["headers"] if name == b"authorization"), b"")
    scheme, _, token = header.decode("latin-1").partition(" ")
    found: Claims | TokenError | None = None
    if scheme.lower() == "bearer" and token.strip():
        try:
            found = tokens.verify(token.strip())
        except TokenError as exc:
            found = exc
    state[_CLAIMS_STATE_KEY] = found
    return found


_CLIENT_ROLE = ShippedRole.API_CLIENT.value


@dataclass(frozen=True, slots=True)
class ClientGrant:
    """What an API client may do: its scopes' permissions, in its subtree only, and no more
    than the api_client role allows there."""

    client_id: uuid.UUID
    domain: str
    scopes: tuple[str, ...]
    permissions: frozenset[str]

    def covers(self, obj: str, act: str, domain: str) -> bool:
        return f"{obj}:{act}" in self.permissions and domain.startswith(self.domain)


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller, as the access token says: a person, or an API client
    acting through its service account (`user_id`; `session_id` is then the client's id)."""

    user_id: uuid.UUID
    tenant_id: uuid.UUID
    tenant_path: str
    username: str
    session_id: uuid.UUID
    mfa: bool = False  # the session passed a second factor
    client: ClientGrant | None = None

    @property
    def subject(self) -> str:
        return user_subject(self.user_id)

    @property
    def home_domain(self) -> str:
        return tenant_domain(self.tenant_path)


class Ctx:
    """The caller: who they are, what they may do, their transaction and language.

    Services and clients are not carried here: handlers name them as parameters and the
    composition root (`api.deps`) provides them.
    """

    def __init__(self, request: Request[Any, Any, State]) -> None:
        self.request = request
        state = request.app.state
        self._db: Database = state.db
        self.authz: Authorizer = state.authz
        self.lang = language(request)
        self.request_id: str | None = request.scope.get("state", {}).get("request_id")
        self._principal: Principal | None = None
        self._refusal: ProblemError | None = None
        self._password_change_required = False
        self._changing_password = False

    @property
    def client_addr(self) -> str | None:
        return self.request.client.host if self.request.client else None

    @property
    def principal(self) -> Principal:
        """The caller; 401 unless the request carried a live session's access token."""
        principal = self.authenticated()
        if self._password_change_required and not self._changing_password:
            raise ProblemError(403, "password_change_required")
        return principal

    def authenticated(self) -> Principal:
        """The caller, or 401; no other gate, so api.admission can ask before the handler
        (which may let a pending password change through) has run."""
        if self._principal is None:
            raise self._refusal or ProblemError(
                401, "unauthenticated", headers={"WWW-Authenticate": "Bearer"}
            )
        return self._principal

    def acting_client(self) -> ClientGrant | None:
        """The API client calling, if one is (None for a person or no one)."""
        return self._principal.client if self._principal else None

    def changing_password(self) -> None:
        """This request changes the caller's password: let it through a pending change."""
        self._changing_password = True

    async def authenticate(self) -> None:
        """Verify the bearer token, and that its session and account are still alive.

        A refusal is kept, not raised: endpoints open to everyone (login, refresh) ignore a
        stale header, the others answer 401 when they ask for the principal.
        """
        claims = bearer_claims(self.request.scope, self.request.app.state.tokens)
        if claims is None:
            return
        if isinstance(claims, TokenError):
            code = "token_expired" if "expired" in str(claims).lower() else "token_invalid"
            self._refusal = ProblemError(
                401, code, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}
            )
            return
        if isinstance(claims, ClientClaims):
            await self._authenticate_client(claims)
            return
        sessions: SessionLiveness = self.request.app.state.sessions
        state = await sessions.state(claims.tenant_id, claims.user_id, claims.session_id)
        if state is SessionState.ENDED:
            self._refusal = ProblemError(
                401, "session_ended", headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}
            )
            return
        self._password_change_required = state is SessionState.PASSWORD_CHANGE_REQUIRED
        self._principal = Principal(
            user_id=claims.user_id,
            tenant_id=claims.tenant_id,
            tenant_path=claims.tenant_path,
            username=claims.username,
            session_id=claims.session_id,
            mfa=claims.mfa,
        )

    async def _authenticate_client(self, claims: ClientClaims) -> None:
        clients: ClientLiveness = self.request.app.state.clients
        if not await clients.alive(claims):
            self._refusal = ProblemError(
                401,
                "api_client_revoked",
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
            return
        self._principal = Principal(
            user_id=claims.account_id,
            tenant_id=claims.tenant_id,
            tenant_path=claims.tenant_path,
            username=f"{_CLIENT_ROLE}:{claims.name}",
            session_id=claims.client_id,
            client=ClientGrant(
                claims.client_id, claims.domain, claims.scopes, permissions_of(claims.scopes)
            ),
        )

    def actor(self) -> Actor:
        p = self._principal
        return Actor(
            user_id=p.user_id if p else None,
            name=p.username if p else None,
            tenant_id=p.tenant_id if p else None,
            client_addr=self.client_addr,
            request_id=self.request_id,
        )

    @asynccontextmanager
    async def uow(self) -> AsyncIterator[UnitOfWork]:
        """The caller's transaction, scoped to their tenant subtree by row-level security."""
        p = self.principal
        async with self._db.unit_of_work(Scope(p.tenant_path, p.user_id), self.actor()) as uow:
            yield uow

    async def authz_changed(self) -> None:
        """Reload this worker's policy now; the others follow the NOTIFY."""
        async with self._db.unit_of_work(None) as uow:
            self.authz.load(await fetch_snapshot(uow.session))

    def can(self, obj: str, act: str, domain: str | None = None) -> bool:
        p = self.principal
        dom = domain or p.home_domain
        if p.client is not None:
            return p.client.covers(obj, act, dom) and self.authz.allowed(
                _CLIENT_ROLE, dom, obj, act
            )
        if self.authz.allowed(p.subject, dom, obj, act):
            return True
        # Everyone may see their own account; members' other rights follow from their
        # member record, not from a Casbin grouping per member.
        return (
            obj == "profile"
            and dom == p.home_domain
            and self.authz.allowed("member", dom, obj, act)
        )

    def can_within(self, obj: str, act: str, domain: str, boundary: str) -> bool:
        """Holds obj:act on `domain` through a grant made inside `boundary` (a tenant's
        domain): a superior tenant's staff, whose grants cover it from above, do not."""
        p = self.principal
        if p.client is not None:
            return p.client.domain.startswith(boundary) and self.can(obj, act, domain)
        for role, pattern in self.authz.roles_of(p.subject):
            granted = pattern.removesuffix("*")
            covers = domain.startswith(granted) if pattern.endswith("*") else domain == granted
            if (
                covers
                and granted.startswith(boundary)
                and self.authz.allowed(role, domain, obj, act)
            ):
                return True
        return False

    def scopes(self, obj: str, act: str) -> list[tuple[str, str | None]]:
        """Where the caller holds obj:act, as (tenant path, organization path or None).

        Lists use it: a secretary of one branch lists that branch's subtree, a county
        admin the whole county; an empty list means the caller holds it nowhere.
        """
        p = self.principal
        if p.client is not None:
            held = self.can(obj, act, p.client.domain)
            return [parse_domain(p.client.domain)] if held else []
        found = [
            parse_domain(pattern)
            for _, pattern in self.authz.roles_of(p.subject)
            if self.authz.allowed(p.subject, pattern.removesuffix("*"), obj, act)
        ]
        if not found and self.can(obj, act):
            found.append((p.tenant_path, None))
        return found

    def require(self, obj: str, act: str, domain: str | None = None) -> None:
        if not self.can(obj, act, domain):
            self.request.scope.setdefault("state", {})["denied"] = {  # type: ignore[typeddict-item]
                "principal": self.principal,
                "actor": self.actor(),
                "permission": f"{obj}:{act}",
                "domain": domain or self.principal.home_domain,
            }
            raise ProblemError(403, "forbidden")


CTX_STATE_KEY = "zhibu_ctx"


async def provide_ctx(request: Request[Any, Any, State]) -> Ctx:
    """The request's context, authenticated once: api.admission makes it before the body
    is read, and the handler's dependency gets the same one."""
    made = request.scope.get("state", {}).get(CTX_STATE_KEY)
    if isinstance(made, Ctx):
        return made
    ctx = Ctx(request)
    await ctx.authenticate()
    request.scope.setdefault("state", {})[CTX_STATE_KEY] = ctx  # type: ignore[typeddict-unknown-key]
    return ctx


def absolute(ctx: Ctx, url: str) -> str:
    """Local-storage URLs are root-relative unless ZHIBU_PUBLIC_URL is set: complete them
    with the address the caller used."""
    if url.startswith("/"):
        return str(ctx.request.base_url).rstrip("/") + url
    return url
