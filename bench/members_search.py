"""Benchmark: list and search a province of members through HTTP (p95 latency).

    python -m bench.members_search [--members 500000] [--requests 100]

Loads the members with COPY (fast, as superuser) into a fresh database spread over branches
of the demo province tree (广东 440000 > 深圳 440300 > 福田 440304 / 南山 440305), starts the
API in-process on a loopback port and measures, as the province administrator: the first
page of the list, an organization-subtree + status filter, pinyin-initials search, full
pinyin search, a name fragment (the given name), one character (a surname) and an exact
身份证号 lookup. Results go to bench/results-members.json under
"search".
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import random
import statistics
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import psycopg
import uvicorn

from bench.members_import import (
    BENCH_PASSWORD,
    BenchDb,
    id_numbers,
    names,
    prepare_database,
    write_results,
)
from bench.run import UNLIMITED
from domain.members import Education, Gender, MemberClass, MemberDraft, MemberStatus, OrgRef
from domain.members.identity import parse_id_number
from domain.tenancy import org_child_path
from infra.db.bootstrap import conninfo_of, drop_database
from infra.members.import_writes import MEMBER_COLUMNS, copy_line, new_member_values
from infra.protection import FieldProtector

BRANCHES_PER_TENANT = 60


def build_orgs(db: BenchDb) -> dict[str, list[OrgRef]]:
    """A party committee with branches in each demo tenant; returns branches by tenant code."""
    out: dict[str, list[OrgRef]] = {}
    with psycopg.connect(conninfo_of(db.admin)) as conn:
        tenants = conn.execute(
            "SELECT id, code, path::text FROM tenant WHERE code IN"
            " ('440000', '440300', '440304', '440305')"
        ).fetchall()
        for tenant_id, code, tenant_path in tenants:
            root_id = uuid.uuid4()
            root_path = org_child_path(None, root_id)
            conn.execute(
                "INSERT INTO organization (tenant_id, id, parent_id, kind, name, path)"
                " VALUES (%s, %s, NULL, 'party_committee', %s, %s)",
                (tenant_id, root_id, f"基准测试党委{code}", root_path),
            )
            branches = []
            for i in range(BRANCHES_PER_TENANT):
                oid = uuid.uuid4()
                path = org_child_path(root_path, oid)
                name = f"基准测试第{i + 1}党支部{code}"
                conn.execute(
                    "INSERT INTO organization (tenant_id, id, parent_id, kind, name, path)"
                    " VALUES (%s, %s, %s, 'branch', %s, %s)",
                    (tenant_id, oid, root_id, name, path),
                )
                branches.append(OrgRef(oid, tenant_id, name, "branch", path, tenant_path))
            out[code] = branches
            out[f"root:{code}"] = [
                OrgRef(root_id, tenant_id, "root", "party_committee", root_path, tenant_path)
            ]
        conn.commit()
    return out


def load_members(db: BenchDb, orgs: dict[str, list[OrgRef]], count: int) -> list[str]:
    """COPY `count` members (and their 身份证号 directory rows); returns their ID numbers."""
    protector = FieldProtector.from_settings(db.settings)
    rng = random.Random(5)
    numbers = id_numbers(count, area="440300", seed_value=3)
    people = names(count, rng)
    branches = [b for code, items in orgs.items() if not code.startswith("root:") for b in items]
    now = datetime.now(UTC)
    today = date.today()
    educations = list(Education)
    members = io.StringIO()
    identities = io.StringIO()
    for i, (number, name) in enumerate(zip(numbers, people, strict=True)):
        facts = parse_id_number(number, today=today)
        admitted = facts.birth_date.replace(year=facts.birth_date.year + 25, day=1)
        full = i % 10 != 0
        draft = MemberDraft(
            name=name,
            id_number=number,
            status=MemberStatus.FULL if full else MemberStatus.PROBATIONARY,
            admitted_on=admitted,
            full_member_on=admitted + timedelta(days=366) if full else None,
            gender=facts.gender if facts.gender else Gender.MALE,
            birth_date=facts.birth_date,
            ethnicity="汉族",
            phone=f"13{i % 10}{i:08d}",
            education=educations[i % len(educations)],
            member_class=MemberClass.ORDINARY,
        )
        row = new_member_values(draft, branches[i % len(branches)], protector, now)
        members.write(copy_line(tuple(getattr(row, c) for c in MEMBER_COLUMNS)))
        identities.write(copy_line((row.id_number_bidx, row.tenant_id, row.id)))
    # Each statement its own transaction: on Citus, ANALYZE after a COPY that ran locally
    # (the coordinator holds member_identity) in the same transaction is refused.
    with psycopg.connect(conninfo_of(db.admin), autocommit=True) as conn:
        with conn.cursor().copy(f"COPY member ({', '.join(MEMBER_COLUMNS)}) FROM STDIN") as copy:
            copy.write(members.getvalue().encode())
        conn.execute("ANALYZE member")
        with conn.cursor().copy(
            "COPY member_identity (id_number_bidx, tenant_id, member_id) FROM STDIN"
        ) as copy:
            copy.write(identities.getvalue().encode())
        conn.execute("ANALYZE member_identity")
    # The steady state of a live registry, which autovacuum reaches a minute after a bulk
    # load: the visibility map set, so list pages (and name fragments, from the grams the
    # member triggers wrote) read their keys index-only.
    with psycopg.connect(conninfo_of(db.admin), autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE) member, member_identity, member_name_gram")
    return numbers


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


KINDS = (
    "list_first_page",
    "filter_subtree_status",
    "pinyin_initials",
    "pinyin_full",
    "name_fragment",
    "name_one_character",
    "exact_id_number",
)


@asynccontextmanager
async def serving(db: BenchDb) -> AsyncIterator[httpx.AsyncClient]:
    """The API in-process on a loopback port, and a client of it."""
    from api.app import create_app
    from infra.settings import Settings

    settings = Settings(
        ZHIBU_DATA_DIR=db.settings.data_dir,
        APP_DATABASE_URL=db.app,
        DB_POOL_SIZE=5,
        ZHIBU_MFA_REQUIRED_FOR_ADMINS=False,
        **UNLIMITED,
    )
    app = create_app(settings)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn exposes a flag, not an event
        await asyncio.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as http:
            yield http
    finally:
        server.should_exit = True
        await task


async def bearer(http: httpx.AsyncClient, username: str) -> dict[str, str]:
    r = await http.post(
        "/api/v1/auth/login", json={"username": username, "password": BENCH_PASSWORD}
    )
    r.raise_for_status()
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


async def measure(
    db: BenchDb,
    orgs: dict[str, list[OrgRef]],
    numbers: list[str],
    n: int,
    kinds: tuple[str, ...] = KINDS,
) -> dict[str, Any]:
    rng = random.Random(9)
    sample_names = names(200, random.Random(5))
    from domain.members import name_search_keys

    results: dict[str, Any] = {}
    async with serving(db) as http:
        headers = await bearer(http, "gd_admin")
        futian_root = orgs["root:440304"][0].id

        def queries(kind: str) -> dict[str, Any]:
            if kind == "list_first_page":
                return {"limit": 50}
            if kind == "filter_subtree_status":
                return {
                    "limit": 50,
                    "organization_id": str(futian_root),
                    "include_descendants": "true",
                    "status": "full",
                }
            name = rng.choice(sample_names)
            keys = name_search_keys(name)
            if kind == "pinyin_initials":
                return {"limit": 50, "q": keys.initials}
            if kind == "pinyin_full":
                return {"limit": 50, "q": keys.full}
            if kind == "name_fragment":  # the given name, or its last two characters
                return {"limit": 50, "q": name[1:][-2:]}
            if kind == "name_one_character":  # a surname: the most matches
                return {"limit": 50, "q": name[0]}
            return {"limit": 50, "q": rng.choice(numbers)}

        for kind in kinds:
            timings: list[float] = []
            for i in range(n + 5):
                params = queries(kind)
                started = time.perf_counter()
                r = await http.get("/api/v1/members", params=params, headers=headers)
                elapsed = (time.perf_counter() - started) * 1000
                if r.status_code != 200:
                    raise RuntimeError(f"{kind}: {r.status_code} {r.text[:300]}")
                if kind == "exact_id_number" and len(r.json()["items"]) != 1:
                    raise RuntimeError(f"exact lookup found {len(r.json()['items'])} rows")
                if i >= 5:  # warm-up excluded
                    timings.append(elapsed)
            results[kind] = {
                "p50_ms": round(statistics.median(timings), 1),
                "p95_ms": round(percentile(timings, 95), 1),
                "max_ms": round(max(timings), 1),
                "requests": len(timings),
            }
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=500_000)
    parser.add_argument("--requests", type=int, default=100)
    args = parser.parse_args()
    started = time.perf_counter()
    db = prepare_database(f"zhibu_bench_search_{uuid.uuid4().hex[:6]}")
    orgs = build_orgs(db)
    setup = time.perf_counter() - started
    started = time.perf_counter()
    numbers = load_members(db, orgs, args.members)
    load_seconds = time.perf_counter() - started
    print(f"loaded {args.members:,} members in {load_seconds:.1f} s", flush=True)
    try:
        results = asyncio.run(measure(db, orgs, numbers, args.requests))
    finally:
        drop_database(db.root, db.name)
    met = all(r["p95_ms"] < 100 for r in results.values())
    write_results(
        "search",
        {
            "members": args.members,
            "branches": 4 * BRANCHES_PER_TENANT,
            "load_seconds": round(load_seconds, 1),
            "setup_seconds": round(setup, 1),
            "queries": results,
            "target_p95_ms": 100,
            "load_average_1m_at_end": round(os.getloadavg()[0], 2),
            "met": met,
        },
    )
    print(f"\nMember list/search over HTTP, {args.members:,} members in a province")
    print(f"{'query':<26}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}")
    for kind, r in results.items():
        print(f"{kind:<26}{r['p50_ms']:>10.1f}{r['p95_ms']:>10.1f}{r['max_ms']:>10.1f}")
    print(f"target p95 < 100 ms: {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
