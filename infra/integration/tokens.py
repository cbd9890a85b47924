"""The client credentials grant: a client's id and secret for a short-lived access token.

The client id names the tenant, whose path (a definer function, before any scope) scopes
the lookup; the secret names its row, so one argon2 check is made, off the event loop and
within the hashing bounds logins share. Unknown clients and secrets cost the same check.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, text

from domain.integration import (
    ClientId,
    ClientSecret,
    invalid_client,
    invalid_scope,
    narrow,
)
from infra.db.session import Actor, Database, Scope
from infra.hashing import PASSWORD_HASHING
from infra.integration.clients import placement
from infra.integration.tables import ApiClientRow, ApiClientSecretRow
from infra.security import DUMMY_HASH, ClientClaims, issue_client_token


@dataclass(frozen=True, slots=True)
class IssuedToken:
    access_token: str
    expires_in: int
    scopes: tuple[str, ...]


async def _tenant_path(db: Database, client: ClientId) -> str | None:
    rows = await db.fetch_unscoped("SELECT zhibu_tenant_path(%(t)s)", {"t": client.tenant_id})
    return rows[0][0] if rows else None


async def client_credentials(
    db: Database,
    *,
    client_id: str,
    client_secret: str,
    scope: str | None,
    jwt_secret: bytes,
    lifetime: timedelta,
    actor: Actor,
    now: datetime,
) -> IssuedToken:
    """Raises OAuthError (invalid_client, invalid_scope) as RFC 6749 §5.2 says."""
    parsed, presented = ClientId.parse(client_id), ClientSecret.parse(client_secret)
    tenant_path = await _tenant_path(db, parsed) if parsed else None
    async with PASSWORD_HASHING.admitted():
        if parsed is None or presented is None or tenant_path is None:
            await PASSWORD_HASHING.verify(DUMMY_HASH, client_secret)
            raise invalid_client()
        async with db.unit_of_work(Scope(tenant_path), actor) as uow:
            found = (
                await uow.session.execute(
                    select(ApiClientRow, ApiClientSecretRow.secret_hash)
                    .join(
                        ApiClientSecretRow,
                        (ApiClientSecretRow.tenant_id == ApiClientRow.tenant_id)  # type: ignore[arg-type]
                        & (ApiClientSecretRow.client_id == ApiClientRow.id),
                    )
                    .where(
                        ApiClientRow.tenant_id == parsed.tenant_id,  # type: ignore[arg-type]
                        ApiClientRow.id == parsed.id,  # type: ignore[arg-type]
                        ApiClientRow.revoked_at.is_(None),  # type: ignore[union-attr]
                        ApiClientSecretRow.tenant_id == parsed.tenant_id,  # type: ignore[arg-type]
                        ApiClientSecretRow.id == presented.id,  # type: ignore[arg-type]
                        (ApiClientSecretRow.expires_at.is_(None))  # type: ignore[union-attr]
                        | (ApiClientSecretRow.expires_at > text("now()")),  # type: ignore[operator]
                    )
                )
            ).first()
            ok = await PASSWORD_HASHING.verify(
                found[1] if found else DUMMY_HASH, str(presented) if found else client_secret
            )
            if found is None or not ok:
                uow.audit(
                    "api_client.token",
                    "api_client",
                    parsed.id,
                    tenant_id=parsed.tenant_id,
                    outcome="failure",
                )
                # The failure is recorded, then raised when the transaction has committed.
                uow.fail_after_commit(invalid_client())
                return IssuedToken("", 0, ())
            client: ApiClientRow = found[0]
            scopes = narrow(client.scopes, scope)
            if scopes is None:
                raise invalid_scope(scope or "")
            where = await placement(
                uow, tenant_id=client.tenant_id, organization_id=client.organization_id
            )
            if where is None:  # its organization was deleted
                raise invalid_client()
            uow.audit(
                "api_client.token",
                "api_client",
                client.id,
                tenant_id=client.tenant_id,
                detail={"scopes": list(scopes)},
            )
    claims = ClientClaims(
        client_id=client.id,
        tenant_id=client.tenant_id,
        tenant_path=tenant_path,
        account_id=client.account_id,
        name=client.name,
        domain=where.domain,
        scopes=scopes,
        expires_at=now + lifetime,
    )
    token, _ = issue_client_token(secret=jwt_secret, claims=claims, now=now)
    return IssuedToken(token, int(lifetime.total_seconds()), scopes)
