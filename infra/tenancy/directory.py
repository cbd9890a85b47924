"""Tenants and accounts as other contexts refer to them: a tenant's name and place in the
tree, its child tenants, whether an account exists.

Published through `infra.tenancy` so that no other context reads `tenant` or `app_user`
itself, nor holds their mapped rows; row-level security applies as to the tables.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from infra.db.session import UnitOfWork
from infra.tenancy.tables import AppUser, Tenant


@dataclass(frozen=True, slots=True)
class TenantRef:
    id: uuid.UUID
    code: str
    name: str
    path: str


_TENANT = select(Tenant.id, Tenant.code, Tenant.name, Tenant.path)


def _ref(row: Any) -> TenantRef:
    return TenantRef(*row)


async def tenant_ref(uow: UnitOfWork, tenant_id: uuid.UUID) -> TenantRef | None:
    """One tenant the caller can see, or None."""
    row = (await uow.session.execute(_TENANT.where(Tenant.id == tenant_id))).first()
    return _ref(row) if row else None


async def visible_tenants(uow: UnitOfWork) -> list[TenantRef]:
    """Every tenant the caller's scope shows (for work done tenant by tenant), by path."""
    stmt = _TENANT.where(Tenant.parent_id.is_not(None)).order_by(Tenant.path)  # type: ignore[union-attr]
    return [_ref(r) for r in (await uow.session.execute(stmt)).all()]


async def child_tenants(uow: UnitOfWork, tenant_id: uuid.UUID) -> list[TenantRef]:
    """The visible tenants directly below one, by division code."""
    stmt = _TENANT.where(Tenant.parent_id == tenant_id).order_by(Tenant.code)
    return [_ref(r) for r in (await uow.session.execute(stmt)).all()]


async def account_exists(uow: UnitOfWork, tenant_id: uuid.UUID, user_id: uuid.UUID) -> bool:
    """Whether the caller can see this staff account in this tenant."""
    found = await uow.session.execute(
        select(AppUser.id).where(AppUser.tenant_id == tenant_id, AppUser.id == user_id)
    )
    return found.first() is not None
