"""The caller's own account, as `/me` shows it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from domain.shared import ErrorKind
from domain.tenancy.messages import MESSAGES
from infra.db.session import Database, Scope


@dataclass(frozen=True, slots=True)
class Profile:
    """What `/me` shows of the caller's account and tenant."""

    username: str
    display_name: str
    phone: str | None
    tenant_code: str
    tenant_name: str
    tenant_level: str
    tenant_path: str


_PROFILE_SQL = (
    "SELECT u.username, u.display_name, u.phone_masked, t.code, t.name, t.level, t.path::text"
    " FROM app_user u JOIN tenant t ON t.id = u.tenant_id"
    " WHERE u.tenant_id = %(tenant)s AND u.id = %(user)s AND u.is_active"
)


async def profile(db: Database, scope: Scope, tenant_id: uuid.UUID) -> Profile:
    """The caller's own account in one round trip: /me is the most frequent request."""
    rows = await db.fetch_scoped(scope, _PROFILE_SQL, {"tenant": tenant_id, "user": scope.user_id})
    if not rows:
        raise MESSAGES.error(
            "account_unavailable", ErrorKind.UNAUTHENTICATED, code="session_expired"
        )
    return Profile(*rows[0])
