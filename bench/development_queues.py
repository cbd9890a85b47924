"""Benchmark: the development queues of a province over HTTP (p95), beside a raw-SQL floor.

    python -m bench.development_queues [--applicants 50000] [--requests 100]

Loads the applicants with COPY into a fresh database, spread over the branches of the demo
province tree (广东 440000 > 深圳 440300 > 福田 440304 / 南山 440305) at every step of the
pipeline, with deadlines from two months past to four months ahead. Then, as the province
administrator over HTTP, and as the same statement on a bare psycopg connection (the
floor: no API, no row-level security): one branch's overdue steps and steps due within a
month, the 福田 committee's subtree roll-up of both, and the whole province's overdue list.
Results go to bench/results-development.json.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import random
import statistics
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg

from bench.members_import import BenchDb, id_numbers, names, prepare_database
from bench.members_search import (
    BRANCHES_PER_TENANT,
    bearer,
    build_orgs,
    percentile,
    serving,
)
from domain.members import OrgRef
from domain.members.identity import parse_id_number
from domain.shared import new_id
from domain.shared.times import DISPLAY_ZONE
from infra.db.bootstrap import conninfo_of, drop_database
from infra.db.session import Database
from infra.development import remind_every_tenant
from infra.members.import_writes import copy_line
from infra.protection import FieldProtector

RESULTS = Path(__file__).with_name("results-development.json")
COLUMNS = (
    "tenant_id",
    "id",
    "organization_id",
    "name",
    "gender",
    "birth_date",
    "id_number_enc",
    "id_number_bidx",
    "id_number_masked",
    "status",
    "current_step",
    "stage",
    "applied_on",
    "possible_from",
    "due_by",
    "notice_ends_on",
)
RELAY_SETTLE_SECONDS = 15
_STAGE_OF_STEP = [1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 3, 4, 4, 4, 4, 4, 4, 5, 5, 5, 5, 5, 5, 5, 5]


def load_applicants(db: BenchDb, orgs: dict[str, list[OrgRef]], count: int, today: date) -> None:
    """COPY `count` applicants at random steps; about half have a deadline."""
    protector = FieldProtector.from_settings(db.settings)
    rng = random.Random(17)
    branches = [b for code, items in orgs.items() if not code.startswith("root:") for b in items]
    out = io.StringIO()
    for i, (number, name) in enumerate(
        zip(id_numbers(count, area="440300", seed_value=11), names(count, rng), strict=True)
    ):
        facts = parse_id_number(number, today=today)
        sealed = protector.id_number(facts.number)
        step = rng.randint(1, 24)
        due = today + timedelta(days=rng.randint(-60, 120)) if rng.random() < 0.5 else None
        notice = today + timedelta(days=rng.randint(-10, 5)) if rng.random() < 0.1 else None
        branch = branches[i % len(branches)]
        row = (
            branch.tenant_id,
            new_id(),
            branch.id,
            name,
            facts.gender.value,
            facts.birth_date,
            sealed.ciphertext,
            sealed.blind_index,
            sealed.masked,
            "probationary" if step >= 17 else "in_progress",
            step,
            _STAGE_OF_STEP[step],
            today - timedelta(days=30 * step),
            None,
            due,
            notice,
        )
        out.write(copy_line(row))
    with psycopg.connect(conninfo_of(db.admin), autocommit=True) as conn:
        with conn.cursor().copy(f"COPY applicant ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            copy.write(out.getvalue().encode())
        conn.execute("VACUUM (ANALYZE) applicant")


_SELECT = "SELECT a.id, a.name, a.status, a.current_step, a.due_by FROM applicant a"
FLOOR_SQL = {
    "branch": _SELECT + " WHERE a.tenant_id = %(t)s AND a.organization_id = %(o)s"
    " AND {cond} ORDER BY a.id LIMIT 51",
    "subtree": _SELECT + " JOIN organization o"
    " ON o.tenant_id = a.tenant_id AND o.id = a.organization_id"
    " WHERE a.tenant_id = %(t)s AND o.path <@ CAST(%(p)s AS ltree) AND {cond}"
    " ORDER BY a.id LIMIT 51",
    "province": _SELECT + " WHERE {cond} ORDER BY a.id LIMIT 51",
}
"""The statements the API's queue lists come down to, with the 51 rows a page of 50 reads."""
CONDITIONS = {"overdue": "a.due_by < %(today)s", "due": "a.due_by <= %(horizon)s"}
KINDS = (
    ("branch_overdue", "branch", "overdue"),
    ("branch_due_within_month", "branch", "due"),
    ("subtree_overdue", "subtree", "overdue"),
    ("subtree_due_within_month", "subtree", "due"),
    ("province_overdue", "province", "overdue"),
)


def _stats(timings: list[float]) -> dict[str, Any]:
    return {
        "p50_ms": round(statistics.median(timings), 2),
        "p95_ms": round(percentile(timings, 95), 2),
        "max_ms": round(max(timings), 2),
        "requests": len(timings),
    }


def measure_floor(
    db: BenchDb, orgs: dict[str, list[OrgRef]], n: int, today: date
) -> dict[str, Any]:
    rng = random.Random(23)
    root = orgs["root:440304"][0]
    results = {}
    with psycopg.connect(conninfo_of(db.admin), autocommit=True) as conn:
        for kind, where, cond in KINDS:
            sql = FLOOR_SQL[where].replace("{cond}", CONDITIONS[cond])
            timings = []
            for i in range(n + 5):
                branch = rng.choice(orgs["440304"])
                params = {
                    "t": branch.tenant_id,
                    "o": branch.id,
                    "p": root.path,
                    "today": today,
                    "horizon": today + timedelta(days=30),
                }
                started = time.perf_counter()
                conn.execute(sql, params).fetchall()
                if i >= 5:
                    timings.append((time.perf_counter() - started) * 1000)
            results[kind] = _stats(timings)
    return results


async def send_reminders(db: BenchDb) -> float:
    """The day's deadline reminders for the whole province, timed; sent before the API is
    measured, so that the schedule's first run at the server's start finds them sent."""
    database = Database(db.app, pool_size=2)
    started = time.perf_counter()
    try:
        await remind_every_tenant(database, now=datetime.now(UTC))
    finally:
        await database.dispose()
    elapsed = time.perf_counter() - started
    # The steady state autovacuum reaches soon after: the sent reminders analysed.
    with psycopg.connect(conninfo_of(db.admin), autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE) applicant_reminder")
    return elapsed


async def measure_api(
    db: BenchDb, orgs: dict[str, list[OrgRef]], n: int, today: date
) -> dict[str, Any]:
    rng = random.Random(23)
    root = orgs["root:440304"][0]
    results = {}
    async with serving(db) as http:
        headers = await bearer(http, "gd_admin")
        # The relay passes the reminders' events on after the server starts; measure after.
        await asyncio.sleep(RELAY_SETTLE_SECONDS)
        for kind, where, cond in KINDS:
            timings = []
            for i in range(n + 5):
                branch = rng.choice(orgs["440304"])
                params: dict[str, Any] = {"limit": 50}
                if where == "branch":
                    params["organization_id"] = str(branch.id)
                elif where == "subtree":
                    params |= {"organization_id": str(root.id), "include_descendants": "true"}
                if cond == "overdue":
                    params["overdue"] = "true"
                else:
                    params["due_by"] = (today + timedelta(days=30)).isoformat()
                started = time.perf_counter()
                r = await http.get("/api/v1/applicants", params=params, headers=headers)
                elapsed = (time.perf_counter() - started) * 1000
                if r.status_code != 200:
                    raise RuntimeError(f"{kind}: {r.status_code} {r.text[:300]}")
                if i >= 5:
                    timings.append(elapsed)
            results[kind] = _stats(timings)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--applicants", type=int, default=50_000)
    parser.add_argument("--requests", type=int, default=100)
    args = parser.parse_args()
    today = datetime.now(UTC).astimezone(DISPLAY_ZONE).date()
    db = prepare_database(f"zhibu_bench_dev_{uuid.uuid4().hex[:6]}")
    try:
        orgs = build_orgs(db)
        started = time.perf_counter()
        load_applicants(db, orgs, args.applicants, today)
        load_seconds = time.perf_counter() - started
        print(f"loaded {args.applicants:,} applicants in {load_seconds:.1f} s", flush=True)
        reminders_seconds = asyncio.run(send_reminders(db))
        print(f"reminders for {args.applicants:,} files in {reminders_seconds:.1f} s", flush=True)
        floor = measure_floor(db, orgs, args.requests, today)
        api = asyncio.run(measure_api(db, orgs, args.requests, today))
    finally:
        drop_database(db.root, db.name)
    met = all(r["p95_ms"] < 100 for r in api.values())
    result = {
        "applicants": args.applicants,
        "branches": 4 * BRANCHES_PER_TENANT,
        "load_seconds": round(load_seconds, 1),
        "reminders_seconds": round(reminders_seconds, 1),
        "api": api,
        "floor": floor,
        "p95_ratio_api_to_floor": {
            k: round(api[k]["p95_ms"] / max(floor[k]["p95_ms"], 0.01), 1) for k in api
        },
        "target_p95_ms": 100,
        "load_average_1m_at_end": round(os.getloadavg()[0], 2),
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "met": met,
    }
    RESULTS.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"\nDevelopment queues over HTTP, {args.applicants:,} applicants in a province")
    print(f"{'queue':<28}{'API p50':>9}{'API p95':>9}{'floor p95':>11}{'ratio':>7}")
    for kind, r in api.items():
        ratio = result["p95_ratio_api_to_floor"][kind]
        print(
            f"{kind:<28}{r['p50_ms']:>9.1f}{r['p95_ms']:>9.1f}{floor[kind]['p95_ms']:>11.2f}"
            f"{ratio:>7.1f}"
        )
    print(f"target p95 < 100 ms: {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
