"""A tenant's effective settings (its own over its ancestors' over the defaults), for
other contexts."""

from __future__ import annotations

import uuid

from sqlalchemy import text

from domain.tenancy import TenantSettings, effective_settings
from infra.db.session import UnitOfWork


async def effective_settings_of(uow: UnitOfWork, tenant_id: uuid.UUID) -> TenantSettings:
    chain = (
        await uow.session.execute(text("SELECT zhibu_settings_chain(:t)"), {"t": tenant_id})
    ).scalars()
    return effective_settings(list(chain))
