"""Refusals are part of the audit trail: a denied action is recorded after the rollback."""

from __future__ import annotations

import logging
from typing import Any

from litestar.types import Scope

from infra.db.session import AuditRecord, Database, write_audit
from infra.db.session import Scope as DbScope

log = logging.getLogger(__name__)


async def audit_denials(exception: Exception, scope: Scope) -> None:
    denied: dict[str, Any] | None = scope.get("state", {}).get("denied")  # type: ignore[call-overload]
    if not denied:
        return
    db: Database = scope["app"].state.db
    principal = denied["principal"]
    record = AuditRecord(
        action=f"{scope.get('method', '')} {scope.get('path', '')}".strip(),
        resource_type=denied["permission"].split(":")[0],
        resource_id=None,
        outcome="denied",
        tenant_id=principal.tenant_id,
        detail={"permission": denied["permission"], "domain": denied["domain"]},
    )
    try:
        async with db.unit_of_work(DbScope(principal.tenant_path, principal.user_id)) as uow:
            await write_audit(uow.session, denied["actor"], [record])
    except Exception:  # the refusal itself has been answered; never turn it into a 500
        log.exception("could not audit a denied request")
