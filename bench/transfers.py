"""Benchmark: the transfer queues of a province with many transfers in flight (p95 over HTTP).

    python -m bench.transfers [--transfers 20000] [--requests 100]

Loads one member per transfer with COPY into the demo province tree (广东 440000 > 深圳
440300 > 福田 440304 / 南山 440305), then as the owner one transfer per member to a branch
of another tenant (draft, returned, pending approval or sent; the sent ones with their
arrival; every letter still valid, 1 to 90 days left, as the hourly expiry keeps them, so
that no expiry runs beside the measurement), and measures over HTTP: the province's
roll-up (`transfer-queue`), one county's, one branch's, and a county's to-do list
(`transfers?state=pending_approval`) and arrivals (`transfers?side=receiving&state=sent`).
The floor is the roll-up's aggregation as plain SQL, as the owner, without row-level
security or HTTP. Results: bench/results-members.json
under "transfers" (issue 16's target: p95 under 100 ms).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
import uuid
from typing import Any

import psycopg

from bench.members_import import BenchDb, prepare_database, write_results
from bench.members_search import bearer, build_orgs, load_members, percentile, serving
from infra.db.bootstrap import conninfo_of, drop_database

STATES = "ARRAY['pending_approval', 'sent', 'draft', 'returned', 'sent']"

LOAD = f"""
WITH target AS (
    SELECT DISTINCT ON (tenant_id) tenant_id, id, name FROM organization
    WHERE kind = 'branch' ORDER BY tenant_id, id
), numbered AS (
    SELECT m.*, row_number() OVER (ORDER BY m.id) AS n FROM member m
)
INSERT INTO transfer (tenant_id, id, member_id, kind, reason, state, from_organization_id,
    from_tenant_name, from_organization_name, to_tenant_id, to_organization_id,
    to_tenant_name, to_organization_name, approvals_required, approvals_done, started_by,
    started_by_name, started_at, updated_at, sent_at, letter_number, letter_issued_on,
    validity_days, expires_at, member_name, member_gender, member_birth_date,
    member_ethnicity, member_status, member_id_number_enc, member_id_number_masked,
    member_phone_enc, member_phone_masked)
SELECT m.tenant_id, gen_random_uuid(), m.id, 'across_tenants', 'work_change',
    ({STATES})[1 + mod(m.n, 5)], m.organization_id, '基准', '基准支部', t.tenant_id, t.id,
    '基准', t.name, 1, 0, gen_random_uuid(), 'bench', now() - (mod(m.n, 40)) * interval '1 day',
    now() - (mod(m.n, 40)) * interval '1 day', now() - (mod(m.n, 40)) * interval '1 day',
    nextval('transfer_letter_number'), current_date, 90,
    now() + (1 + mod(m.n, 90)) * interval '1 day', m.name, m.gender, m.birth_date,
    m.ethnicity, m.status, m.id_number_enc, m.id_number_masked, m.phone_enc, m.phone_masked
FROM numbered m
JOIN LATERAL (
    SELECT * FROM target WHERE target.tenant_id <> m.tenant_id
    ORDER BY target.tenant_id LIMIT 1 OFFSET mod(m.n, 3)
) t ON true
WHERE m.n <= %(count)s
"""

ARRIVALS = """
INSERT INTO transfer_arrival (tenant_id, id, from_tenant_id, from_tenant_name,
    from_organization_name, to_organization_id, to_organization_name, kind, reason, state,
    letter_number, letter_issued_on, validity_days, expires_at, member_name, member_gender,
    member_birth_date, member_ethnicity, member_status, member_id_number_masked,
    member_phone_masked, sent_at)
SELECT to_tenant_id, id, tenant_id, from_tenant_name, from_organization_name,
    to_organization_id, to_organization_name, kind, reason, state, letter_number,
    letter_issued_on, validity_days, expires_at, member_name, member_gender,
    member_birth_date, member_ethnicity, member_status, member_id_number_masked,
    member_phone_masked, sent_at
FROM transfer WHERE state = 'sent'
"""

FLOOR = """
SELECT tenant_id,
    count(*) FILTER (WHERE state IN ('draft', 'returned', 'pending_approval')),
    count(*) FILTER (WHERE state = 'sent'),
    count(*) FILTER (WHERE state = 'pending_approval' AND updated_at < now() - interval '15 days'
                     OR state = 'sent' AND expires_at < now() + interval '7 days')
FROM transfer WHERE state IN ('draft', 'pending_approval', 'sent', 'returned')
GROUP BY tenant_id
"""


def load_transfers(db: BenchDb, count: int) -> None:
    with psycopg.connect(conninfo_of(db.admin), autocommit=True) as conn:
        conn.execute(LOAD, {"count": count})
        conn.execute(ARRIVALS)
        conn.execute("VACUUM (ANALYZE) transfer, transfer_arrival")


def floor(db: BenchDb, n: int) -> dict[str, float]:
    timings = []
    with psycopg.connect(conninfo_of(db.admin)) as conn:
        for _ in range(n):
            started = time.perf_counter()
            conn.execute(FLOOR).fetchall()
            timings.append((time.perf_counter() - started) * 1000)
    return _summary(timings)


def _summary(timings: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": round(percentile(timings, 95), 1),
        "max_ms": round(max(timings), 1),
    }


def _places(db: BenchDb) -> dict[str, str]:
    with psycopg.connect(conninfo_of(db.admin)) as conn:
        row = conn.execute(
            "SELECT o.id FROM organization o JOIN tenant t ON t.id = o.tenant_id"
            " WHERE t.code = '440304' AND o.kind = 'branch' ORDER BY o.id LIMIT 1"
        ).fetchone()
    assert row is not None
    return {"branch": str(row[0])}


async def measure(db: BenchDb, n: int) -> dict[str, Any]:
    places = _places(db)
    queries = {
        "province_rollup": ("gd_admin", "/api/v1/transfer-queue", {}),
        "county_rollup": ("futian_admin", "/api/v1/transfer-queue", {}),
        "branch_queue": (
            "futian_admin",
            "/api/v1/transfer-queue",
            {"organization_id": places["branch"]},
        ),
        "county_to_do_list": (
            "futian_admin",
            "/api/v1/transfers",
            {"state": "pending_approval", "limit": 50},
        ),
        "county_arrivals_list": (
            "nanshan_admin",
            "/api/v1/transfers",
            {"side": "receiving", "state": "sent", "limit": 50},
        ),
    }
    results: dict[str, Any] = {}
    async with serving(db) as http:
        tokens = {u: await bearer(http, u) for u in {q[0] for q in queries.values()}}
        for kind, (user, path, params) in queries.items():
            timings = []
            for i in range(n + 5):
                started = time.perf_counter()
                r = await http.get(path, params=params, headers=tokens[user])
                elapsed = (time.perf_counter() - started) * 1000
                r.raise_for_status()
                if i >= 5:  # the first requests warm plans and caches
                    timings.append(elapsed)
            results[kind] = _summary(timings)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--transfers", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=100)
    args = parser.parse_args()
    db = prepare_database(f"zhibu_bench_transfers_{uuid.uuid4().hex[:6]}")
    try:
        orgs = build_orgs(db)
        started = time.perf_counter()
        load_members(db, orgs, args.transfers)
        load_transfers(db, args.transfers)
        load_seconds = time.perf_counter() - started
        print(f"loaded {args.transfers:,} transfers in {load_seconds:.1f} s", flush=True)
        results = asyncio.run(measure(db, args.requests))
        base = floor(db, args.requests)
    finally:
        drop_database(db.root, db.name)
    met = all(r["p95_ms"] < 100 for r in results.values())
    write_results(
        "transfers",
        {
            "transfers": args.transfers,
            "load_seconds": round(load_seconds, 1),
            "queries": results,
            "floor_sql_rollup": base,
            "ratio_province_rollup_to_floor_p95": round(
                results["province_rollup"]["p95_ms"] / max(base["p95_ms"], 0.1), 1
            ),
            "target_p95_ms": 100,
            "load_average_1m_at_end": round(os.getloadavg()[0], 2),
            "met": met,
        },
    )
    print(f"\nTransfer queues over HTTP, {args.transfers:,} transfers in flight")
    print(f"{'query':<24}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}")
    for kind, r in {**results, "floor (plain SQL)": base}.items():
        print(f"{kind:<24}{r['p50_ms']:>10.1f}{r['p95_ms']:>10.1f}{r['max_ms']:>10.1f}")
    print(f"target p95 < 100 ms: {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
