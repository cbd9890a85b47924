"""Cross-tenant 身份证号 hits: counted per user and day, audited in both tenants, limited.

The count lives in `identity_probe_count` (a small counter table of its own, PostgreSQL
being what all workers share); the asker's tenant audits which tenant holds the record,
the holder's tenant audits who asked (`zhibu_audit_identity_probes`, which writes only for
holders of the blind indexes given, outside the asker's subtree). Neither names the member.
Both are kept whatever becomes of the request (`UnitOfWork.keep`): a refused registration
rolls back, its probe does not. The holders' audit, written as the owner, gets a
transaction of its own (`keep_apart`), which Citus needs.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import text

from domain.members.probes import budget_day, check_probe_budget
from domain.shared import new_id
from infra.db.session import UnitOfWork

_USED = text(
    "SELECT hits FROM identity_probe_count WHERE tenant_id = :t AND user_id = :u AND day = :d"
)
_COUNT = text(
    "INSERT INTO identity_probe_count (tenant_id, user_id, day, hits) VALUES (:t, :u, :d, :n)"
    " ON CONFLICT (tenant_id, user_id, day)"
    " DO UPDATE SET hits = identity_probe_count.hits + EXCLUDED.hits"
)
_AUDIT_HOLDERS = text(
    "SELECT zhibu_audit_identity_probes(CAST(:b AS bytea[]), CAST(:ids AS uuid[]),"
    " :actor_name, :tenant, :addr, :request_id)"
)


def _asker(uow: UnitOfWork) -> tuple[uuid.UUID, uuid.UUID] | None:
    """(user, tenant) whose budget applies; None for an operator's CLI run."""
    actor = uow.actor
    if actor is None or actor.user_id is None or actor.tenant_id is None:
        return None
    return actor.user_id, actor.tenant_id


async def _used(uow: UnitOfWork, asker: tuple[uuid.UUID, uuid.UUID], day: date) -> int:
    user_id, tenant_id = asker
    found = await uow.session.execute(_USED, {"t": tenant_id, "u": user_id, "d": day})
    return int(found.scalar_one_or_none() or 0)


async def ensure_budget(uow: UnitOfWork, *, now: datetime) -> None:
    """Before looking numbers up: 429 once today's budget is spent, whatever is asked."""
    asker = _asker(uow)
    if asker is not None:
        check_probe_budget(await _used(uow, asker, budget_day(now)), 0, now=now)


async def charge(
    uow: UnitOfWork,
    hits: Sequence[tuple[bytes, uuid.UUID]],
    *,
    now: datetime,
) -> None:
    """Record this request's cross-tenant hits, (blind index, holder tenant) pairs.

    Raises the 429 when they overspend today's budget: the request is then refused whole.
    """
    if not hits:
        return
    asker = _asker(uow)
    day = budget_day(now)
    used = await _used(uow, asker, day) if asker is not None else 0
    holders = sorted({str(tenant) for _, tenant in hits})

    async def record(kept: UnitOfWork) -> None:
        if asker is not None:
            user_id, tenant_id = asker
            await kept.session.execute(
                _COUNT, {"t": tenant_id, "u": user_id, "d": day, "n": len(hits)}
            )
            kept.audit(
                "member.identity_probe",
                "member_identity",
                outcome="denied",
                tenant_id=tenant_id,
                detail={"holder_tenant_ids": holders, "hits": len(hits)},
            )

    async def audit_holders(apart: UnitOfWork) -> None:
        actor = apart.actor
        await apart.session.execute(
            _AUDIT_HOLDERS,
            {
                "b": [b for b, _ in hits],
                "ids": [new_id() for _ in hits],
                "actor_name": actor.name if actor else None,
                "tenant": asker[1] if asker else None,
                "addr": actor.client_addr if actor else None,
                "request_id": actor.request_id if actor else None,
            },
        )

    uow.keep(record)
    uow.keep_apart(audit_holders)
    if asker is not None:
        check_probe_budget(used, len(hits), now=now)
