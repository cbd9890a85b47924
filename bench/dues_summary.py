"""Benchmark: the dues summary of a province over HTTP (p95), beside the raw aggregate.

    python -m bench.dues_summary [--members 500000] [--months 12] [--requests 100]

Loads the province (`bench.dues_setup`), makes `months` months of bills and charges with
the floor's INSERT … SELECT (500,000 × 12 = 6,000,000 bills) and pays about 85% of them
(payment entries as the payment code writes them). The setup writes them with triggers off
(`session_replication_role = replica`: no per-row key checks, no ledger trigger) and then
derives the open bills and both figure tables from the ledger in three statements, as
migrations 0038 and 0063 filled them: minutes instead of the better part of an hour. That the
trigger keeps the same figures as each entry is written is what
`tests/integration/dues/test_summary.py` checks. Then it measures as the province
administrator `GET /dues/summary` over the months and the first page of
`GET /dues/summary/by-organization`, and beside them the same roll-up aggregated from the
bills and the ledger directly (what the summary would cost without the stored figures,
timed once); both must agree. Results go to bench/results-dues-summary.json; the target is
p95 under 100 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
import uuid
from datetime import UTC, date, datetime
from typing import Any

import psycopg

from bench.dues_setup import CODES, FLOOR_BILLS, FLOOR_CHARGES, province, write_results
from bench.members_import import BenchDb, prepare_database
from bench.members_search import bearer, percentile, serving
from domain.dues import add_months, format_month, month_of
from infra.db.bootstrap import conninfo_of, drop_database
from infra.dues import today

PAYMENTS = """
INSERT INTO dues_ledger_entry (tenant_id, id, member_id, organization_id, bill_id, month,
                               kind, amount_fen)
SELECT tenant_id, gen_random_uuid(), member_id, organization_id, id, month, 'payment',
       -amount_fen
FROM dues_bill
WHERE tenant_id = %(tenant)s AND month = %(month)s AND abs(hashtext(id::text)) %% 100 < 85
"""

RAW = """
WITH bills AS (
    SELECT b.month, b.id, sum(e.amount_fen) AS balance,
           sum(e.amount_fen) FILTER (WHERE e.kind = 'charge') AS charged,
           -coalesce(sum(e.amount_fen) FILTER (WHERE e.kind = 'exemption'), 0) AS relieved,
           -coalesce(sum(e.amount_fen) FILTER (WHERE e.kind IN ('payment', 'back_payment')), 0)
             - coalesce(sum(e.amount_fen) FILTER (WHERE e.kind = 'refund'), 0) AS collected
    FROM dues_bill b
    JOIN dues_ledger_entry e ON e.tenant_id = b.tenant_id AND e.bill_id = b.id
    WHERE b.tenant_id = ANY(%(tenants)s) AND b.month BETWEEN %(first)s AND %(last)s
    GROUP BY b.month, b.id
)
SELECT month, count(*), sum(charged) - sum(relieved), sum(collected),
       count(*) FILTER (WHERE balance > 0)
FROM bills GROUP BY month ORDER BY month
"""


DERIVED = [
    """
    INSERT INTO dues_open_bill (tenant_id, bill_id, member_id, organization_id, month)
    SELECT b.tenant_id, b.id, b.member_id, b.organization_id, b.month
    FROM dues_bill b JOIN dues_ledger_entry e ON e.tenant_id = b.tenant_id AND e.bill_id = b.id
    GROUP BY b.tenant_id, b.id
    HAVING sum(e.amount_fen) > 0
    """,
    """
    INSERT INTO dues_month_figure (
        tenant_id, organization_id, month, bills, charged_fen, relieved_fen, collected_fen,
        refunded_fen, open_bills
    )
    SELECT e.tenant_id, e.organization_id, e.month,
           count(*) FILTER (WHERE e.kind = 'charge'),
           coalesce(sum(e.amount_fen) FILTER (WHERE e.kind = 'charge'), 0),
           coalesce(-sum(e.amount_fen) FILTER (WHERE e.kind = 'exemption'), 0),
           coalesce(-sum(e.amount_fen) FILTER (WHERE e.kind IN ('payment', 'back_payment')), 0),
           coalesce(sum(e.amount_fen) FILTER (WHERE e.kind = 'refund'), 0),
           coalesce(min(o.n), 0)
    FROM dues_ledger_entry e
    LEFT JOIN (
        SELECT tenant_id, organization_id, month, count(*) AS n FROM dues_open_bill
        GROUP BY 1, 2, 3
    ) o USING (tenant_id, organization_id, month)
    GROUP BY 1, 2, 3
    """,
    """
    INSERT INTO dues_tenant_month_figure (
        tenant_id, month, stripe, bills, charged_fen, relieved_fen, collected_fen,
        refunded_fen, open_bills
    )
    SELECT tenant_id, month, get_byte(uuid_send(organization_id), 15) % 16, sum(bills),
           sum(charged_fen), sum(relieved_fen), sum(collected_fen), sum(refunded_fen),
           sum(open_bills)
    FROM dues_month_figure
    GROUP BY 1, 2, 3
    """,
]


def make_months(db: BenchDb, months: list[date]) -> float:
    started = time.perf_counter()
    current = months[-1]
    with psycopg.connect(conninfo_of(db.admin), autocommit=True) as conn:
        conn.execute("SET session_replication_role = replica")
        tenants = [
            t
            for (t,) in conn.execute(
                "SELECT id FROM tenant WHERE code = ANY(%s)", (list(CODES),)
            ).fetchall()
        ]
        for month in months:
            for tenant in tenants:
                params = {"tenant": tenant, "month": month, "back": month < current}
                conn.execute(FLOOR_BILLS, params)
                conn.execute(FLOOR_CHARGES, params)
                conn.execute(PAYMENTS, params)
            print(f"  {format_month(month)} billed and paid", flush=True)
        for statement in DERIVED:
            conn.execute(statement)
        conn.execute(
            "VACUUM (ANALYZE) dues_bill, dues_ledger_entry, dues_open_bill, dues_month_figure,"
            " dues_tenant_month_figure"
        )
    return time.perf_counter() - started


def raw_aggregate(db: BenchDb, first: date, last: date, runs: int) -> tuple[list[Any], float]:
    with psycopg.connect(conninfo_of(db.admin)) as conn:
        tenants = [
            t
            for (t,) in conn.execute(
                "SELECT id FROM tenant WHERE code = ANY(%s)", (list(CODES),)
            ).fetchall()
        ]
        timings = []
        rows: list[Any] = []
        for _ in range(runs):
            started = time.perf_counter()
            rows = conn.execute(RAW, {"tenants": tenants, "first": first, "last": last}).fetchall()
            timings.append((time.perf_counter() - started) * 1000)
    return rows, statistics.median(timings)


async def measure(db: BenchDb, first: date, last: date, n: int) -> dict[str, Any]:
    params = {"from": format_month(first), "to": format_month(last)}
    results: dict[str, Any] = {}
    async with serving(db) as http:
        headers = await bearer(http, "gd_admin")
        for kind, path in (
            ("summary", "/api/v1/dues/summary"),
            ("by_organization_first_page", "/api/v1/dues/summary/by-organization"),
        ):
            timings = []
            body: Any = None
            for i in range(n + 5):
                started = time.perf_counter()
                r = await http.get(
                    path,
                    params={**params, "limit": "50"} if "by-" in path else params,
                    headers=headers,
                )
                elapsed = (time.perf_counter() - started) * 1000
                if r.status_code != 200:
                    raise RuntimeError(f"{kind}: {r.status_code} {r.text[:300]}")
                body = r.json()
                if i >= 5:
                    timings.append(elapsed)
            results[kind] = {
                "p50_ms": round(statistics.median(timings), 1),
                "p95_ms": round(percentile(timings, 95), 1),
                "max_ms": round(max(timings), 1),
                "requests": len(timings),
                "body": body if kind == "summary" else None,
            }
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=500_000)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--requests", type=int, default=100)
    args = parser.parse_args()
    last = month_of(today(datetime.now(UTC)))
    months = [add_months(last, k - args.months + 1) for k in range(args.months)]
    db = prepare_database(f"zhibu_bench_dues_summary_{uuid.uuid4().hex[:6]}")
    try:
        load = province(db, args.members)
        print(f"loaded {args.members:,} members in {load:.1f} s", flush=True)
        billing = make_months(db, months)
        print(f"{args.months} months billed and paid in {billing:.1f} s", flush=True)
        measured = asyncio.run(measure(db, months[0], last, args.requests))
        raw, raw_ms = raw_aggregate(db, months[0], last, 1)
    finally:
        drop_database(db.root, db.name)
    summary = measured["summary"].pop("body")
    measured["by_organization_first_page"].pop("body")
    api = [
        (m["month"], m["bills"], m["due_fen"], m["collected_fen"], m["open_bills"])
        for m in summary["months"]
    ]
    floor = [(format_month(m), int(b), int(d), int(c), int(o)) for m, b, d, c, o in raw]
    if api != floor:
        raise RuntimeError(f"the summary and the raw aggregate differ:\n{api}\n{floor}")
    bills = sum(m[1] for m in api)
    p95 = measured["summary"]["p95_ms"]
    met = p95 < 100
    path = write_results(
        "dues-summary",
        {
            "members": args.members,
            "months": args.months,
            "bills": bills,
            "setup_seconds": round(load + billing, 1),
            "http": measured,
            "raw_aggregate_ms": round(raw_ms, 1),
            "raw_over_summary_p50": round(raw_ms / measured["summary"]["p50_ms"], 1),
            "target_p95_ms": 100,
            "load_average_1m_at_end": round(os.getloadavg()[0], 2),
            "met": met,
        },
    )
    print(f"\nDues summary of a province: {args.members:,} members, {bills:,} bills")
    for kind, r in measured.items():
        print(f"{kind:<28} p50 {r['p50_ms']:>7.1f} ms  p95 {r['p95_ms']:>7.1f} ms")
    print(f"{'raw aggregate (SQL)':<28} p50 {raw_ms:>7.1f} ms")
    print(f"target p95 < 100 ms: {'met' if met else 'NOT met'}; results in {path}")


if __name__ == "__main__":
    main()
