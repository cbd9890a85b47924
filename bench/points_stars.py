"""Benchmark: a province's yearly star ratings (issue 14's Speed section).

    python -m bench.points_stars [--members 500000] [--branches 20000] [--activities 11]

A fresh database holds one province tenant with `branches` branches under a committee
(most established years ago, one in twenty during last year) and `members` members spread
over them (COPY, as `bench.members_search` loads them). Every branch held `activities`
meetings last year (a complete year), each member is on the roster of their branch's
meetings and checked in to nine in ten, and every check-in earned one ledger entry
(三会一课 +3, 主题党日 +2 …): at the defaults 5,500,000 roster rows, about 4,950,000
check-ins and as many entries; half the meetings carry evidence, a third of the branches
have each manual item scored. The records are made by one SQL statement per table, in
the order a live system writes them (rosters and check-ins meeting by meeting), with
foreign-key triggers off and the big tables' indexes built after the load.

Measured, each once: the member star run through its job handler (`points.star_run`:
scores from the ledger, grading by shares in Python, ratings written and published) as
the application role under row-level security, beside a floor, one hand-written SQL
statement computing and writing the same ratings (sum and breakdown per member, ranks
and share bands by window functions) as the owner; and the branch star run (the three
registered indicators and the manual items) through the same handler. Targets: the
member run under 30 s and within 2× the floor, the branch run under 10 s. Results go to
bench/results-points-stars.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import psycopg

from bench.members_import import BenchDb, prepare_database
from bench.members_search import load_members
from domain.members import OrgRef
from domain.points import BRANCH_DEFAULT, MEMBER_DEFAULT, Subject
from domain.tenancy import org_child_path
from infra.db.bootstrap import conninfo_of, drop_database
from infra.db.session import Actor, Database, Scope
from infra.platform.jobs import JobContext
from infra.points.star_runs import queue_star_run, run_star_job

RESULTS = Path(__file__).with_name("results-points-stars.json")
YEAR = datetime.now(UTC).year - 1
KINDS = ("branch_congress", "committee_meeting", "party_lecture", "theme_day", "group_meeting")
ITEMS = {"branch_congress": 3, "committee_meeting": 3, "party_lecture": 3, "theme_day": 2,
         "group_meeting": 3}  # fmt: skip


class AllowAll:
    """The province administrator's guard, without the policy engine."""

    def require(self, obj: str, act: str, domain: str | None = None) -> None:
        return None

    def can(self, obj: str, act: str, domain: str | None = None) -> bool:
        return True

    def scopes(self, obj: str, act: str) -> list[tuple[str, str | None]]:
        return []


def established(i: int) -> date:
    """Most branches owe the whole year's meetings; one in twenty was set up during it."""
    if i % 20 == 0:
        return date(YEAR, 1 + i % 12, 1 + i % 28)
    return date(YEAR - 1 - i % 30, 1 + i % 12, 1)


def build_branches(db: BenchDb, count: int) -> tuple[uuid.UUID, str, list[OrgRef]]:
    with psycopg.connect(conninfo_of(db.admin)) as conn:
        row = conn.execute("SELECT id, path::text FROM tenant WHERE code = '440000'").fetchone()
        assert row is not None
        tenant_id, tenant_path = row
        root_id = uuid.uuid4()
        root_path = org_child_path(None, root_id)
        conn.execute(
            "INSERT INTO organization (tenant_id, id, parent_id, kind, name, path)"
            " VALUES (%s, %s, NULL, 'party_committee', '基准测试省直党委', %s)",
            (tenant_id, root_id, root_path),
        )
        branches = []
        with conn.cursor().copy(
            "COPY organization (tenant_id, id, parent_id, kind, name, path, established_on)"
            " FROM STDIN"
        ) as copy:
            for i in range(count):
                oid = uuid.uuid4()
                path = org_child_path(root_path, oid)
                name = f"基准测试第{i + 1}党支部"
                copy.write_row((tenant_id, oid, root_id, "branch", name, path, established(i)))
                branches.append(OrgRef(oid, tenant_id, name, "branch", path, tenant_path))
        conn.commit()
    return tenant_id, tenant_path, branches


BULK = ("activity_attendee", "checkin", "point_entry")


def _drop_keys(conn: psycopg.Connection[Any]) -> list[str]:
    """Drop the keys and indexes of the three big tables, returning the statements that
    rebuild them: one sort per index after the load instead of millions of scattered
    inserts into it (nothing references these tables, so nothing else must go)."""
    tables = list(BULK)
    keys = conn.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE contype IN ('p', 'u') AND conrelid::regclass::text = ANY(%s)",
        (tables,),
    ).fetchall()
    indexes = conn.execute(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i"
        " WHERE i.indrelid::regclass::text = ANY(%s) AND NOT EXISTS (SELECT 1"
        "   FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.contype IN ('p', 'u'))",
        (tables,),
    ).fetchall()
    for name, _ in indexes:
        conn.execute(f"DROP INDEX {name}")
    for table, name, _ in keys:
        conn.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
    return [f"ALTER TABLE {t} ADD CONSTRAINT {n} {d}" for t, n, d in keys] + [d for _, d in indexes]


def build_records(db: BenchDb, tenant_id: uuid.UUID, activities: int) -> dict[str, int]:
    """Last year's meetings, rosters, check-ins, evidence and ledger entries, in SQL: one
    statement per table, as the superuser with foreign-key triggers off (every reference
    is made from the rows it points to) and the big tables' indexes rebuilt afterwards."""
    kinds = "ARRAY[" + ",".join(f"'{k}'" for k in KINDS) + "]"
    items = json.dumps([{"code": k, "name": k, "points": p, "source": "attendance",
                         "activity_kind": k, "category": None, "cap_per_period": None,
                         "classes": []}
                        for k, p in ITEMS.items()])  # fmt: skip
    version_id = uuid.uuid4()
    steps = [
        (
            "INSERT INTO point_rule_version (tenant_id, id, version, effective_from, base_score,"
            " period, classes, items, exclusions, created_by)"
            " VALUES (%(t)s, %(v)s, 1, '2000-01-01', 60, 'yearly', '[]', %(items)s, '[]', %(v)s)"
        ),
        (
            "INSERT INTO activity (tenant_id, id, organization_id, kind, title, starts_at,"
            " ends_at, status, finished_at)"
            " SELECT %(t)s, zhibu_uuid7(), o.id, (" + kinds + ")[1 + (n %% 5)], '基准会议',"
            " make_timestamptz(%(year)s, 1 + (n %% 12), 10, 9, 0, 0, 'Asia/Shanghai'),"
            " make_timestamptz(%(year)s, 1 + (n %% 12), 10, 11, 0, 0, 'Asia/Shanghai'),"
            " 'finished', make_timestamptz(%(year)s, 1 + (n %% 12), 10, 11, 0, 0, 'Asia/Shanghai')"
            " FROM organization o CROSS JOIN generate_series(0, %(a)s - 1) AS n"
            " WHERE o.tenant_id = %(t)s AND o.kind = 'branch'"
        ),
        (
            "INSERT INTO activity_organization (tenant_id, activity_id, organization_id,"
            " is_organizer) SELECT tenant_id, id, organization_id, true FROM activity"
            " WHERE tenant_id = %(t)s"
        ),
        (
            "INSERT INTO activity_attendee (tenant_id, activity_id, member_id, organization_id,"
            " member_status) SELECT a.tenant_id, a.id, m.id, m.organization_id, m.status"
            " FROM activity a JOIN member m"
            "   ON m.tenant_id = a.tenant_id AND m.organization_id = a.organization_id"
            " WHERE a.tenant_id = %(t)s ORDER BY a.id, m.id"
        ),
        (
            "INSERT INTO checkin (tenant_id, id, activity_id, member_id, source, occurred_at,"
            " recorded_by) SELECT att.tenant_id, zhibu_uuid7(), att.activity_id,"
            " att.member_id, 'self', a.starts_at, att.member_id"
            " FROM activity_attendee att JOIN activity a"
            "   ON a.tenant_id = att.tenant_id AND a.id = att.activity_id"
            " WHERE att.tenant_id = %(t)s"
            "   AND abs(hashtext(att.member_id::text || att.activity_id::text)) %% 10 <> 0"
            " ORDER BY att.activity_id, att.member_id"
        ),
        (
            "INSERT INTO evidence (tenant_id, id, activity_id, kind, filename, content_type,"
            " size_bytes, sha256, object_key, status, uploaded_by, upload_expires_at,"
            " confirmed_at) SELECT tenant_id, zhibu_uuid7(), id, 'minutes', 'm.pdf',"
            " 'application/pdf', 1000, repeat('a', 64), 'bench/' || id, 'attached', %(v)s,"
            " now(), now() FROM activity WHERE tenant_id = %(t)s"
            "   AND abs(hashtext(id::text)) %% 2 = 0"
        ),
        (
            "INSERT INTO point_entry (tenant_id, id, member_id, period, kind, points,"
            " rule_version_id, rule_version, item_code, item_points, cause_type, cause_id)"
            " SELECT c.tenant_id, zhibu_uuid7(), c.member_id, %(year)s::text, 'accrual',"
            " CASE a.kind WHEN 'theme_day' THEN 2 ELSE 3 END, %(v)s, 1, a.kind,"
            " CASE a.kind WHEN 'theme_day' THEN 2 ELSE 3 END, 'checkin', c.id"
            " FROM checkin c JOIN activity a ON a.tenant_id = c.tenant_id AND a.id = c.activity_id"
            " WHERE c.tenant_id = %(t)s ORDER BY c.id"
        ),
    ]
    steps.append(
        "INSERT INTO star_score (tenant_id, organization_id, period, indicator, score, reason,"
        " scored_by) SELECT tenant_id, id, %(year)s::text, item, CASE item WHEN 'innovation'"
        " THEN 10 ELSE 8 END, '基准评分', %(v)s FROM organization"
        " CROSS JOIN unnest(ARRAY['innovation', 'conduct']) AS item"
        " WHERE tenant_id = %(t)s AND kind = 'branch' AND abs(hashtext(id::text || item)) %% 3 = 0"
    )
    params = {"t": tenant_id, "v": version_id, "items": items, "year": YEAR, "a": activities}
    with psycopg.connect(conninfo_of(db.admin), autocommit=True) as conn:
        conn.execute("SET session_replication_role = replica")
        conn.execute("SET maintenance_work_mem = '1GB'")
        conn.execute("SET work_mem = '256MB'")
        conn.execute("SET synchronous_commit = off")
        rebuild = _drop_keys(conn)
        for sql in steps:
            table = sql.split("(")[0].strip()
            with _timed(table):
                conn.execute(sql, params)
                # the next statement joins what this one wrote: plan it on its statistics
                conn.execute(f"ANALYZE {table.removeprefix('INSERT INTO ')}")
        with _timed(f"{len(rebuild)} keys and indexes rebuilt"):
            for sql in rebuild:
                conn.execute(sql)
        with _timed("VACUUM (ANALYZE)"):
            conn.execute(
                "VACUUM (ANALYZE) activity, activity_organization, activity_attendee, checkin,"
                " evidence, point_entry"
            )
        counts: dict[str, int] = {}
        for table in ("activity", "activity_attendee", "checkin", "point_entry"):
            one = conn.execute(f"SELECT count(*) FROM {table}").fetchone()
            counts[table] = int(one[0]) if one else 0
    return counts


@contextmanager
def _timed(label: str) -> Iterator[None]:
    started = time.perf_counter()
    yield
    print(f"  {label}: {time.perf_counter() - started:.1f} s", flush=True)


async def rate(
    db: BenchDb, tenant_id: uuid.UUID, tenant_path: str, subject: Subject
) -> tuple[float, dict[str, Any]]:
    """Queue a run as the province administrator, then time its job handler."""
    database = Database(db.app, pool_size=2)
    with psycopg.connect(conninfo_of(db.admin)) as conn:
        one = conn.execute("SELECT id FROM app_user WHERE username = 'gd_admin'").fetchone()
        assert one is not None
        user_id = one[0]
    scope = Scope(tenant_path, user_id)
    actor = Actor(user_id, "gd_admin", tenant_id, None, "bench")
    try:
        async with database.unit_of_work(scope, actor) as uow:
            run = await queue_star_run(
                uow,
                AllowAll(),
                tenant_id=tenant_id,
                subject=subject,
                period=str(YEAR),
                scheme=MEMBER_DEFAULT if subject is Subject.MEMBER else BRANCH_DEFAULT,
                publish_at=datetime.now(UTC),
                created_by=user_id,
                home_tenant_id=tenant_id,
            )
        job = JobContext(database, tenant_id, run.job_id, user_id, tenant_path,
                         {"tenant_id": str(tenant_id), "run_id": str(run.id)}, None, 1)  # fmt: skip
        started = time.perf_counter()
        report = await run_star_job(job)
        return time.perf_counter() - started, report
    finally:
        await database.dispose()


FLOOR = """
WITH earned AS (
    SELECT member_id, sum(pts) AS earned, json_object_agg(item, pts)::jsonb AS items
    FROM (SELECT tenant_id, member_id, coalesce(item_code, cause_type) AS item,
                 sum(points) AS pts
          FROM point_entry WHERE tenant_id = %(t)s AND period = %(p)s
          GROUP BY tenant_id, member_id, coalesce(item_code, cause_type)) x
    GROUP BY tenant_id, member_id
), scored AS (
    SELECT m.id, m.organization_id, 60 + coalesce(e.earned, 0) AS score,
           coalesce(e.items, '{}') AS items
    FROM member m LEFT JOIN earned e ON e.member_id = m.id
    WHERE m.tenant_id = %(t)s AND m.status IN ('probationary', 'full')
), ranked AS (
    SELECT *, rank() OVER (ORDER BY score DESC) - 1 AS place, count(*) OVER () AS n
    FROM scored
)
INSERT INTO star_rating (tenant_id, id, run_id, subject, subject_id, organization_id,
    period, score, drafted_stars, stars, rank, breakdown, publish_at, stands_at)
SELECT %(t)s, gen_random_uuid(), %(run)s, 'member', id, organization_id, %(p)s, score,
       stars, stars, place + 1, jsonb_build_object('base', 60, 'items', items), now(), now()
FROM (SELECT *, CASE WHEN place < floor(n * 0.10) THEN 5
                     WHEN place < floor(n * 0.10) + floor(n * 0.30) THEN 4
                     WHEN place < floor(n * 0.10) + floor(n * 0.30) + floor(n * 0.40) THEN 3
                     WHEN place < floor(n * 0.10) + floor(n * 0.30) + floor(n * 0.40)
                                  + floor(n * 0.15) THEN 2
                     ELSE 1 END AS stars
      FROM ranked) graded
"""


def floor_run(db: BenchDb, tenant_id: uuid.UUID) -> float:
    """The same ratings by one hand-written statement (as the owner, no policy)."""
    run_id = uuid.uuid4()
    with psycopg.connect(conninfo_of(db.admin)) as conn:
        conn.execute(
            "INSERT INTO star_run (tenant_id, id, subject, period, scheme, status, job_id,"
            " publish_at, stands_at, created_by) VALUES (%s, %s, 'member', 'floor', '{}',"
            " 'published', %s, now(), now(), %s)",
            (tenant_id, run_id, run_id, run_id),
        )
        # The planner help the run's stage gets (infra.points.star_scoring): without it
        # both walk the ledger's (tenant, member) index over a heap in time order.
        conn.execute("SET enable_indexscan = off")
        started = time.perf_counter()
        conn.execute(FLOOR, {"t": tenant_id, "p": str(YEAR), "run": run_id})
        conn.commit()
        return time.perf_counter() - started


def checkpoint(db: BenchDb) -> None:
    """Flush what came before, so that a measurement does not pay for the load's (or the
    previous measurement's) writes."""
    with psycopg.connect(conninfo_of(db.admin), autocommit=True) as conn:
        conn.execute("CHECKPOINT")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=500_000)
    parser.add_argument("--branches", type=int, default=20_000)
    parser.add_argument("--activities", type=int, default=11)
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()
    started = time.perf_counter()
    db = prepare_database(f"zhibu_bench_stars_{uuid.uuid4().hex[:6]}")
    try:
        with _timed("branches"):
            tenant_id, tenant_path, branches = build_branches(db, args.branches)
        with _timed("members"):
            load_members(db, {"440000": branches}, args.members)
        counts = build_records(db, tenant_id, args.activities)
        setup = time.perf_counter() - started
        print(f"setup {setup:.0f} s: {counts}", flush=True)
        load_before = os.getloadavg()
        checkpoint(db)
        floor = floor_run(db, tenant_id)
        print(f"floor (one SQL statement): {floor:.2f} s", flush=True)
        checkpoint(db)
        members, report = asyncio.run(rate(db, tenant_id, tenant_path, Subject.MEMBER))
        print(f"member star run: {members:.2f} s, {report['distribution']}", flush=True)
        checkpoint(db)
        branch, report_b = asyncio.run(rate(db, tenant_id, tenant_path, Subject.BRANCH))
        print(f"branch star run: {branch:.2f} s, {report_b['distribution']}", flush=True)
        load_after = os.getloadavg()
        result = {
            "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "load_average_1_5_15": {
                "before": [round(x, 2) for x in load_before],
                "after": [round(x, 2) for x in load_after],
            },
            "members": args.members,
            "branches": args.branches,
            **counts,
            "setup_seconds": round(setup),
            "member_run_seconds": round(members, 2),
            "member_floor_seconds": round(floor, 2),
            "member_ratio_to_floor": round(members / floor, 2),
            "member_target": "< 30 s and <= 2x floor",
            "branch_run_seconds": round(branch, 2),
            "branch_target": "< 10 s",
            "distribution": report["distribution"],
        }
        print(json.dumps(result, ensure_ascii=False, indent=2), flush=True)
        RESULTS.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", "utf-8")
    finally:
        if not args.keep:
            drop_database(db.root, db.name)


if __name__ == "__main__":
    main()
