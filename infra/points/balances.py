"""Stored balances against their entries: recompute, compare, and put right.

A balance is kept for speed and must always equal the sum of its entries; this is the
check (an administrator's endpoint, and the tests). A mismatch is reported and the stored
balance is set to the sum, audited: the entries are the record, the balance a cache.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import text

from domain.shared import Guard, not_found
from domain.tenancy import tenant_domain
from infra.db.routing import tenant_filter
from infra.db.session import UnitOfWork
from infra.tenancy import tenant_ref


@dataclass(frozen=True, slots=True)
class Mismatch:
    member_id: uuid.UUID
    period: str
    stored: int
    entries_sum: int


@dataclass(frozen=True, slots=True)
class Recomputed:
    tenant_id: uuid.UUID
    balances: int
    mismatches: list[Mismatch]


async def recompute(uow: UnitOfWork, guard: Guard, tenant_id: uuid.UUID) -> Recomputed:
    tenant = await tenant_ref(uow, tenant_id)
    if tenant is None:
        raise not_found("tenant")
    guard.require("points", "recompute", tenant_domain(tenant.path))
    routed, params = tenant_filter(uow.session)
    params["t"] = tenant.id
    sums = {
        (r.member_id, r.period): (int(r.points), int(r.n))
        for r in await uow.session.execute(
            text(
                "SELECT member_id, period, sum(points) AS points, count(*) AS n"  # noqa: S608
                f" FROM point_entry WHERE tenant_id = :t AND {routed}"
                " GROUP BY tenant_id, member_id, period"
            ),
            params,
        )
    }
    stored = {
        (r.member_id, r.period): (r.points, r.entries)
        for r in await uow.session.execute(
            text(
                "SELECT member_id, period, points, entries FROM point_balance"  # noqa: S608
                f" WHERE tenant_id = :t AND {routed} FOR UPDATE"
            ),
            params,
        )
    }
    mismatches = []
    for key in sorted(set(sums) | set(stored), key=lambda k: (str(k[0]), k[1])):
        want, count = sums.get(key, (0, 0))
        have = stored.get(key, (0, 0))
        if have != (want, count):
            mismatches.append(Mismatch(key[0], key[1], have[0], want))
            params = {"t": tenant.id, "m": key[0], "p": key[1], "v": want, "n": count}
            # two statements: Citus refuses now() in an INSERT's ON CONFLICT DO UPDATE
            await uow.session.execute(
                text(
                    "INSERT INTO point_balance (tenant_id, member_id, period)"
                    " VALUES (:t, :m, :p) ON CONFLICT DO NOTHING"
                ),
                params,
            )
            await uow.session.execute(
                text(
                    "UPDATE point_balance SET points = :v, entries = :n, updated_at = now()"
                    " WHERE tenant_id = :t AND member_id = :m AND period = :p"
                ),
                params,
            )
    uow.audit(
        "points.recompute",
        "tenant",
        tenant.id,
        tenant_id=tenant.id,
        detail={"balances": len(stored), "mismatches": len(mismatches)},
    )
    return Recomputed(tenant.id, len(stored), mismatches)
