"""Benchmark: the monthly bill run for a province, beside a hand-written INSERT … SELECT.

    python -m bench.dues_bills [--members 500000]

Loads the province (`bench.dues_setup`), then bills this month with the bill run itself
(`infra.dues.generate_bills`, tenant by tenant as the monthly schedule does: batches of
members, one transaction each and two in flight, bills and their charges, audit and outbox
events) and last month with the floor (`FLOOR_BILLS` and `FLOOR_CHARGES`, one statement
each per tenant), checks that both made the same bills (count, amount and rule of every
member), and runs the bill run again to time a rerun that makes nothing. Results go to
bench/results-dues-bills.json; the targets are under 60 s and within 2× of the floor.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
import uuid
from datetime import UTC, datetime

import psycopg

from bench.dues_setup import CODES, floor_bills, province, write_results
from bench.members_import import BenchDb, prepare_database
from domain.dues import add_months, month_of
from domain.tenancy import PLATFORM_PATH
from infra.db.bootstrap import conninfo_of, drop_database
from infra.db.session import Actor, Database, Scope
from infra.dues import generate_bills, today

SYSTEM = Actor(user_id=None, name="bench", tenant_id=None, client_addr=None, request_id=None)


async def bill_run(db: BenchDb, month: datetime) -> tuple[float, int]:
    database = Database(db.app, pool_size=2)
    try:
        with psycopg.connect(conninfo_of(db.admin)) as conn:
            tenants = [
                t
                for (t,) in conn.execute(
                    "SELECT id FROM tenant WHERE code = ANY(%s)", (list(CODES),)
                )
            ]
        started = time.perf_counter()
        created = 0
        for tenant in tenants:
            report = await generate_bills(
                database,
                Scope(PLATFORM_PATH),
                SYSTEM,
                tenant_id=tenant,
                month=month_of(today(month)),
                now=month,
            )
            created += report["created"]
        return time.perf_counter() - started, created
    finally:
        await database.dispose()


SAME = """
SELECT count(*) FILTER (WHERE a.id IS NULL OR b.id IS NULL),
       count(*) FILTER (WHERE a.amount_fen <> b.amount_fen OR a.rule <> b.rule
                        OR a.organization_id <> b.organization_id),
       count(*)
FROM (SELECT * FROM dues_bill WHERE month = %s) a
FULL JOIN (SELECT * FROM dues_bill WHERE month = %s) b USING (tenant_id, member_id)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=500_000)
    args = parser.parse_args()
    db = prepare_database(f"zhibu_bench_dues_bills_{uuid.uuid4().hex[:6]}")
    try:
        load = province(db, args.members)
        print(f"loaded {args.members:,} members in {load:.1f} s", flush=True)
        now = datetime.now(UTC)
        this_month = month_of(today(now))
        last_month = add_months(this_month, -1)
        ours, created = asyncio.run(bill_run(db, now))
        print(f"bill run: {created:,} bills in {ours:.2f} s", flush=True)
        floor = floor_bills(db, last_month, back=True)
        print(f"floor (INSERT … SELECT): {floor:.2f} s", flush=True)
        with psycopg.connect(conninfo_of(db.admin)) as conn:
            missing, different, total = conn.execute(SAME, (this_month, last_month)).fetchone() or (
                0,
                0,
                0,
            )
        if missing or different or total != created:
            raise RuntimeError(f"not the same bills: {missing} missing, {different} different")
        rerun, again = asyncio.run(bill_run(db, now))
        assert again == 0, again
    finally:
        drop_database(db.root, db.name)
    ratio = ours / floor
    met = ours < 60 and ratio <= 2
    path = write_results(
        "dues-bills",
        {
            "members": args.members,
            "bills": created,
            "bill_run_seconds": round(ours, 2),
            "bills_per_second": round(created / ours),
            "floor_seconds": round(floor, 2),
            "ratio_to_floor": round(ratio, 2),
            "rerun_seconds": round(rerun, 2),
            "target": "under 60 s and within 2x of the floor",
            "load_average_1m_at_end": round(os.getloadavg()[0], 2),
            "met": met,
        },
    )
    print(
        f"\nBill run for {args.members:,} members: {ours:.2f} s, floor {floor:.2f} s,"
        f" ratio {ratio:.2f} (rerun {rerun:.2f} s); target {'met' if met else 'NOT met'}"
    )
    print(f"results in {path}")


if __name__ == "__main__":
    main()
