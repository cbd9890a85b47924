"""Service accounts (服务账号): the account an API client acts through.

A client's writes, audit events, idempotency keys and jobs name an account like a person's;
this one has no login identity and no usable password, so nobody can log in as it, and it
is deactivated when its client is revoked.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import update

from infra.db.session import UnitOfWork
from infra.tenancy.tables import AppUser

# Not an argon2 hash: every password check against it fails. It also tells service
# accounts apart: /users neither lists nor edits them (their client is managed instead).
NO_PASSWORD = "!service-account"  # noqa: S105 - a marker, not a secret


async def create_service_account(
    uow: UnitOfWork, *, tenant_id: uuid.UUID, account_id: uuid.UUID, display_name: str
) -> None:
    uow.session.add(
        AppUser(
            tenant_id=tenant_id,
            id=account_id,
            username=f"api_client_{account_id.hex}",
            display_name=display_name,
            password_hash=NO_PASSWORD,
        )
    )
    await uow.session.flush()


async def deactivate_service_account(
    uow: UnitOfWork, *, tenant_id: uuid.UUID, account_id: uuid.UUID
) -> None:
    await uow.session.execute(
        update(AppUser)
        .where(AppUser.tenant_id == tenant_id, AppUser.id == account_id)  # type: ignore[arg-type]
        .values(is_active=False, updated_at=datetime.now(UTC))
    )
