"""The time rules in force for a tenant: the 2014 defaults tightened by its settings
(`development_time_rules`, inherited down the tenant tree like every setting)."""

from __future__ import annotations

import uuid

from domain.development import DEFAULT_RULES, TimeRules
from infra.db.session import UnitOfWork
from infra.tenancy import effective_settings_of


async def time_rules_of(uow: UnitOfWork, tenant_id: uuid.UUID) -> TimeRules:
    settings = await effective_settings_of(uow, tenant_id)
    return DEFAULT_RULES.tightened(settings.development_time_rules.model_dump(exclude_none=True))
