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


_PROFILE_SQL = "SELECT * FROM zhibu_own_profile(%(tenant_path)s, %(user)s, %(tenant)s)"


async def profile(db: Database, scope: Scope, tenant_id: uuid.UUID) -> Profile:
    """The caller's own account in one statement: /me is the most frequent request."""
    rows = await db.fetch_scoping(
        _PROFILE_SQL,
        {"tenant_path": scope.tenant_path, "user": scope.user_id, "tenant": tenant_id},
    )
    if not rows:
        raise MESSAGES.error(
            "account_unavailable", ErrorKind.UNAUTHENTICATED, code="session_expired"
        )
    return Profile(*rows[0])
