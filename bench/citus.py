"""Citus beside plain PostgreSQL on the same machine (issue 12's Speed section).

    python -m bench.citus [--members 500000] [--requests 100] [--checkins 9600] [--port P]

Runs on each engine in turn — the embedded PostgreSQL under var/bench (or DATABASE_URL),
then a Citus coordinator and two workers on 127.0.0.1:P..P+2 under var/citus (started
here, P from CITUS_PORT, default 15432; stopped at the end unless it was already running):
- the check-in benchmark (bench.checkin: the API against a bare insert, same database);
- the member list and search p95 over `--members` members in the demo province
  (bench.members_search), each kind of query on its own, so that one failing on an engine
  is reported as failed rather than ending the run;
- on Citus, the shards that typical requests touch: the statements the server sends for a
  county administrator's and the province administrator's requests, explained again in
  their scope (bench.shards); a county's should touch one shard each.

Writes bench/results-citus.json and prints a table. On one machine Citus adds hops
(coordinator to workers on loopback), so it is slower; the ratio is what to read.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg

from bench import checkin, members_search
from bench.members_import import BenchDb, prepare_database
from bench.shards import explained, statements_in_scope, task_count
from infra.db import citus
from infra.db.bootstrap import conninfo_of, drop_database

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results-citus.json"
ENGINES = ("postgresql", "citus")


@contextmanager
def database_url(url: str | None) -> Iterator[None]:
    """The benchmarks' server for the block: DATABASE_URL, or the embedded one."""
    before = os.environ.pop("DATABASE_URL", None)
    if url is not None:
        os.environ["DATABASE_URL"] = url
    try:
        yield
    finally:
        os.environ.pop("DATABASE_URL", None)
        if before is not None:
            os.environ["DATABASE_URL"] = before


@contextmanager
def citus_cluster(port: int) -> Iterator[str]:
    """The coordinator's administrator URL; the cluster stops after, if started here."""
    base = ROOT / "var" / "citus"
    coordinator = citus.nodes(base, port)[0]
    try:
        psycopg.connect(citus.admin_url(coordinator), connect_timeout=2).close()
        running = True
    except psycopg.OperationalError:
        running = False
    url = citus.start(base, port)
    try:
        yield url
    finally:
        if not running:
            citus.stop(base, port)


def run_checkin(requests: int, concurrency: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "checkin.json"
        argv = ["--requests", str(requests), "--concurrency", str(concurrency)]
        code = checkin.main([*argv, "--results", str(out)])
        report: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return {
        "ratio": report["ratio"],
        "api_rps": report["api"]["rps"],
        "api_p50_ms": report["api"]["p50_ms"],
        "api_p99_ms": report["api"]["p99_ms"],
        "floor_rps": report["floor"]["rps"],
        "errors": report["api"]["errors"] + report["floor"]["errors"],
        "exit_code": code,
    }


async def requests_shards(db: BenchDb) -> dict[str, Any]:
    """Distributed statements and their task counts per typical request."""
    with psycopg.connect(conninfo_of(db.admin)) as conn:
        paths = dict(conn.execute("SELECT code, path::text FROM tenant").fetchall())
    out: dict[str, Any] = {}
    async with members_search.serving(db) as http:
        for who, code in (("county", "440304"), ("province", "440000")):
            username = "futian_admin" if who == "county" else "gd_admin"
            headers = await members_search.bearer(http, username)
            page = await http.get("/api/v1/members", params={"limit": 50}, headers=headers)
            page.raise_for_status()
            member_id = page.json()["items"][0]["id"]
            requests = {
                "member_list": ("/api/v1/members", {"limit": 50}),
                "member_by_id": (f"/api/v1/members/{member_id}", {}),
                "activity_list": ("/api/v1/activities", {"limit": 50}),
            }
            for name, (url, params) in requests.items():
                with statements_in_scope(paths[code]) as statements:
                    r = await http.get(url, params=params, headers=headers)
                    r.raise_for_status()
                plans = explained(db.app, paths[code], statements)
                counts = [n for n in map(task_count, plans) if n is not None]
                out[f"{who}_{name}"] = {
                    "statements": len(plans),
                    "task_counts": counts,
                    "max_shards": max(counts, default=0),
                }
    return out


def run_search(members: int, requests: int, engine: str) -> dict[str, Any]:
    db = prepare_database(f"zhibu_bench_citus_{uuid.uuid4().hex[:6]}")
    try:
        orgs = members_search.build_orgs(db)
        started = time.perf_counter()
        numbers = members_search.load_members(db, orgs, members)
        loaded = round(time.perf_counter() - started, 1)
        queries: dict[str, Any] = {}
        for kind in members_search.KINDS:
            try:
                queries.update(
                    asyncio.run(members_search.measure(db, orgs, numbers, requests, (kind,)))
                )
            except RuntimeError as failed:
                queries[kind] = {"failed": str(failed)[:300]}
        shards = asyncio.run(requests_shards(db)) if engine == "citus" else None
    finally:
        drop_database(db.root, db.name)
    return {"load_seconds": loaded, "queries": queries, "shards": shards}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=500_000)
    parser.add_argument("--requests", type=int, default=100, help="per search kind")
    parser.add_argument("--checkins", type=int, default=9_600)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--port", type=int, default=int(os.environ.get("CITUS_PORT", "15432")))
    args = parser.parse_args(argv)
    results: dict[str, Any] = {}
    with citus_cluster(args.port) as citus_url:
        for engine in ENGINES:
            print(f"== {engine}", flush=True)
            with database_url(citus_url if engine == "citus" else None):
                results[engine] = {
                    "checkin": run_checkin(args.checkins, args.concurrency),
                    "search": run_search(args.members, args.requests, engine),
                }
    pg, ci = results["postgresql"], results["citus"]
    report = {
        "members": args.members,
        "checkins": args.checkins,
        "concurrency": args.concurrency,
        "checkin_rps_citus_over_postgresql": round(
            ci["checkin"]["api_rps"] / pg["checkin"]["api_rps"], 3
        ),
        **results,
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    RESULTS.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print_table(report)
    print(f"written to {RESULTS.relative_to(ROOT)}")
    failed = any("failed" in q for e in ENGINES for q in results[e]["search"]["queries"].values())
    return 1 if failed or any(results[e]["checkin"]["errors"] for e in ENGINES) else 0


def print_table(report: dict[str, Any]) -> None:
    pg, ci = report["postgresql"], report["citus"]
    print(f"\n{'check-in':<28}{'PostgreSQL':>14}{'Citus':>14}")
    for key in ("api_rps", "api_p50_ms", "api_p99_ms", "ratio"):
        print(f"{key:<28}{pg['checkin'][key]:>14}{ci['checkin'][key]:>14}")
    print(f"Citus/PostgreSQL check-in req/s: {report['checkin_rps_citus_over_postgresql']}")
    print(f"\n{'member search p95 ms':<28}{'PostgreSQL':>14}{'Citus':>14}")
    for kind in members_search.KINDS:
        cells = [e["search"]["queries"][kind].get("p95_ms", "failed") for e in (pg, ci)]
        print(f"{kind:<28}{cells[0]:>14}{cells[1]:>14}")
    print(f"\n{'shards touched (Citus)':<28}{'statements':>12}{'max shards':>12}")
    for name, s in (ci["search"]["shards"] or {}).items():
        print(f"{name:<28}{s['statements']:>12}{s['max_shards']:>12}")


if __name__ == "__main__":
    raise SystemExit(main())
