"""Benchmark: import 100,000 generated members through the API's import code path, beside a
plain COPY of the same rows (the floor).

    python -m bench.members_import [--rows 100000]

Uses DATABASE_URL if set, else the embedded server under var/bench; each run creates a fresh
database, migrates and seeds it, and imports into the empty county tenant 440304 as
`futian_admin` would (tenant scope, row-level security on). Results go to
bench/results-members.json under "import".
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import json
import os
import random
import time
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import psycopg

from domain.members import id_check_character
from infra.db.bootstrap import (
    conninfo_of,
    drop_database,
    fresh_database,
    server_url,
)
from infra.db.session import Actor, Database, Scope
from infra.members import (
    ImportActor,
    Importer,
    ImportOptions,
    import_sheet,
    read_table,
)
from infra.protection import FieldProtector
from infra.seed import seed
from infra.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results-members.json"
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程"
)
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国志红玉梅文斌宇浩凯晨欣怡嘉"
BENCH_PASSWORD = "Bench-Admin-Pass-2026"


@dataclass(frozen=True)
class BenchDb:
    root: str
    name: str
    admin: str
    app: str
    settings: Settings


def prepare_database(name: str) -> BenchDb:
    """A fresh, migrated, seeded database (embedded unless DATABASE_URL)."""
    data_dir = ROOT / "var" / "bench"
    data_dir.mkdir(parents=True, exist_ok=True)
    settings = Settings(ZHIBU_DATA_DIR=data_dir)
    root = server_url(os.environ.get("DATABASE_URL"), data_dir)
    urls = fresh_database(root, name, settings.app_db_password_value)
    seed(urls.admin, admin_password=BENCH_PASSWORD, demo=True)
    return BenchDb(root, name, urls.admin, urls.app, settings)


def id_numbers(count: int, *, area: str = "440304", seed_value: int = 7) -> list[str]:
    """`count` distinct valid 身份证号 (birth dates 1960–1995 × sequence numbers)."""
    days = (date(1995, 12, 31) - date(1960, 1, 1)).days
    rng = random.Random(seed_value)
    offsets = rng.sample(range(days * 1000), count)
    numbers = []
    for offset in offsets:
        born = date(1960, 1, 1) + timedelta(days=offset % days)
        first17 = f"{area}{born:%Y%m%d}{offset // days:03d}"
        numbers.append(first17 + id_check_character(first17))
    return numbers


def names(count: int, rng: random.Random) -> list[str]:
    return [
        rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))
        for _ in range(count)
    ]


def generate_csv(count: int, branch: str) -> bytes:
    rng = random.Random(11)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            "姓名",
            "身份证号码",
            "民族",
            "手机号",
            "学历",
            "工作单位",
            "入党时间",
            "转正时间",
            "所在党支部",
        ]
    )
    educations = ["大学本科", "研究生", "大专", "高中"]
    for i, (number, name) in enumerate(zip(id_numbers(count), names(count, rng), strict=True)):
        born = int(number[6:10])
        admitted = date(born + 25, 1 + i % 12, 1 + i % 28)
        full = admitted + timedelta(days=366) if i % 10 else None
        writer.writerow(
            [
                name,
                number,
                "汉族",
                f"13{i % 10}{i:08d}",
                educations[i % 4],
                "福田区某局",
                admitted.isoformat(),
                full.isoformat() if full else "",
                branch,
            ]
        )
    return buffer.getvalue().encode("utf-8")


async def import_through_api_path(db: BenchDb, content: bytes) -> tuple[float, dict[str, Any]]:
    with psycopg.connect(conninfo_of(db.admin)) as conn:
        row = conn.execute(
            "SELECT t.id, t.path::text, u.id FROM tenant t JOIN app_user u ON u.tenant_id = t.id"
            " WHERE t.code = '440304' AND u.username = 'futian_admin'"
        ).fetchone()
    assert row is not None
    tenant_id, tenant_path, user_id = row
    database = Database(db.app, pool_size=2)
    protector = FieldProtector.from_settings(db.settings)
    started = time.perf_counter()
    table = await asyncio.to_thread(read_table, content, "bench.csv")
    actor = Actor(user_id, "futian_admin", tenant_id, None, "bench")
    async with database.unit_of_work(Scope(tenant_path, user_id), actor) as uow:
        report = await import_sheet(
            uow,
            table,
            Importer(ImportActor(user_id, "futian_admin", tenant_id)),
            protector,
            ImportOptions(mode="all", filename="bench.csv"),
        )
    elapsed = time.perf_counter() - started
    await database.dispose()
    return elapsed, report.counts()


def copy_floor(db: BenchDb, tenant_code: str = "440304") -> dict[str, float]:
    """Take the imported rows out, delete them, and COPY the same rows back in (superuser)."""
    tables = ("member", "member_identity", "member_history")
    with psycopg.connect(conninfo_of(db.admin)) as conn:
        tenant = conn.execute("SELECT id FROM tenant WHERE code = %s", (tenant_code,)).fetchone()
        assert tenant is not None
        dumps: dict[str, bytes] = {}
        columns: dict[str, str] = {}
        for table in tables:
            # generated columns (member's search keys) are computed again on the way in
            columns[table] = ", ".join(
                name
                for (name,) in conn.execute(
                    "SELECT column_name FROM information_schema.columns"
                    " WHERE table_name = %s AND is_generated = 'NEVER' ORDER BY ordinal_position",
                    (table,),
                )
            )
            buffer = io.BytesIO()
            with conn.cursor().copy(
                f"COPY (SELECT {columns[table]} FROM {table} WHERE tenant_id = '{tenant[0]}')"
                " TO STDOUT"
            ) as copy:
                for chunk in copy:
                    buffer.write(chunk)
            dumps[table] = buffer.getvalue()
        # the bench database holds nothing else: start from empty tables, as a bulk load would
        conn.execute("TRUNCATE member_name_gram, member_history, member_identity, member CASCADE")
        conn.commit()
        timings: dict[str, float] = {}
        for table in tables:
            started = time.perf_counter()
            with conn.cursor().copy(f"COPY {table} ({columns[table]}) FROM STDIN") as copy:
                copy.write(dumps[table])
            conn.commit()
            timings[table] = time.perf_counter() - started
            # keep the foreign-key checks of the next table on the index (planner stats)
            conn.execute(f"ANALYZE {table}")
            conn.commit()
    return timings


def write_results(section: str, data: dict[str, Any]) -> None:
    existing: dict[str, Any] = {}
    if RESULTS.exists():
        existing = json.loads(RESULTS.read_text(encoding="utf-8"))
    existing[section] = data
    RESULTS.write_text(json.dumps(existing, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    rows = args.rows
    started = time.perf_counter()
    db = prepare_database(f"zhibu_bench_import_{uuid.uuid4().hex[:6]}")
    setup = time.perf_counter() - started
    content = generate_csv(rows, "区财政局党支部")
    elapsed, counts = asyncio.run(import_through_api_path(db, content))
    assert counts["created"] == rows, counts
    print(f"import: {rows:,} rows in {elapsed:.2f} s", flush=True)
    floor = copy_floor(db)
    member_copy = floor["member"]
    all_copy = sum(floor.values())
    result = {
        "rows": rows,
        "file_bytes": len(content),
        "import_seconds": round(elapsed, 2),
        "import_rows_per_second": round(rows / elapsed),
        "copy_member_seconds": round(member_copy, 2),
        "copy_member_rows_per_second": round(rows / member_copy),
        "copy_all_tables_seconds": round(all_copy, 2),
        "copy_all_tables_rows_per_second": round(rows / all_copy),
        "ratio_import_to_copy_all_tables": round(elapsed / all_copy, 1),
        "target_seconds": 30,
        "met": elapsed < 30,
        "setup_seconds": round(setup, 1),
        "cpu_count": os.cpu_count(),
        "load_average_1m_at_end": round(os.getloadavg()[0], 2),
    }
    write_results("import", result)
    print(f"\nMember import, {rows:,} rows ({len(content) / 1e6:.1f} MB CSV)")
    print(f"{'path':<44}{'seconds':>10}{'rows/s':>12}")
    print(
        f"{'import (API code path, RLS, encryption)':<44}{elapsed:>10.2f}{rows / elapsed:>12,.0f}"
    )
    print(f"{'COPY member only (floor)':<44}{member_copy:>10.2f}{rows / member_copy:>12,.0f}")
    print(f"{'COPY member+identity+history':<44}{all_copy:>10.2f}{rows / all_copy:>12,.0f}")
    print(
        f"ratio import / COPY (all tables): {elapsed / all_copy:.1f}x; target < 30 s: "
        f"{'met' if elapsed < 30 else 'NOT met'}"
    )
    drop_database(db.root, db.name)


if __name__ == "__main__":
    main()
