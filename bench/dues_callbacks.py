"""Payment callbacks: 500 concurrent sandbox notifications, duplicates included, settle
every bill exactly once; callbacks per second beside a raw-SQL floor.

    python -m bench.dues_callbacks [--callbacks 500] [--duplicates 0.2] [--connections 64]

A fresh database (embedded under var/bench unless DATABASE_URL) gets one unpaid bill per
distinct payment for the demo county's members, and for each a pending sandbox payment
holding it (inserted as `start_payment` leaves them). The API runs in this process under
uvicorn (the sandbox platform signs the notifications with its key kept in PostgreSQL);
every notification is signed and encrypted before the clock starts, then all callbacks
(`--duplicates` of them a second delivery of another's notification, shuffled) are sent
at once over `--connections` keep-alive connections. Each is verified, stored apart and
applied in its own transaction: the payment, its bill, a ledger entry, a receipt, an
outbox event and the audit trail. Afterwards every bill must be paid once, with one
payment entry and one receipt. The floor, measured first on the same bills: the same
number of transactions with the same concurrency, each a conditional `UPDATE` of the
bill and the `INSERT` of its ledger entry over psycopg (no HTTP, no signature, no
notification row, receipt or event); the bills are then put back. Prints a line and
writes bench/results-dues-callbacks.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import secrets
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import psycopg
import uvicorn
from psycopg_pool import AsyncConnectionPool

from api.app import create_app
from bench.run import DATA_DIR, UNLIMITED, free_port, prepare_database
from domain.dues import PaymentOrder
from infra.db.bootstrap import OWNER_ROLE, conninfo_of
from infra.dues import SandboxCallbacks
from infra.dues.payments import attach_of
from infra.dues.providers.sandbox_callbacks import PATH
from infra.protection import FieldProtector
from infra.seed import seed
from infra.settings import Settings

RESULTS = Path(__file__).resolve().parent / "results-dues-callbacks.json"
DATABASE = "zhibu_bench_dues"
AMOUNT = 5_000


def _bills(admin_url: str, count: int) -> tuple[uuid.UUID, str, list[dict[str, Any]]]:
    """`count` unpaid bills of county 440304's members, one per (member, month), each held
    by a pending sandbox payment; the tenant, its path and the payments."""
    with psycopg.connect(conninfo_of(admin_url)) as conn:
        conn.execute(f"SET ROLE {OWNER_ROLE}")
        tenant = conn.execute("SELECT id, path::text FROM tenant WHERE code = '440304'").fetchone()
        assert tenant is not None
        tenant_id, path = tenant
        members = conn.execute(
            "SELECT id, organization_id FROM member WHERE tenant_id = %s ORDER BY id", (tenant_id,)
        ).fetchall()
        creator = conn.execute(
            "SELECT id FROM app_user WHERE tenant_id = %s LIMIT 1", (tenant_id,)
        ).fetchone()
        assert members
        assert creator is not None
        payments = []
        expires = datetime.now(UTC) + timedelta(hours=1)
        for i in range(count):
            member_id, org_id = members[i % len(members)]
            index = i // len(members)
            month = date(1900 + index // 12, index % 12 + 1, 1)
            bill_id, payment_id = uuid.uuid4(), uuid.uuid4()
            conn.execute(
                "INSERT INTO dues_bill (tenant_id, id, member_id, organization_id, month,"
                " standard_fen, amount_fen, status, back_payment, rule)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, 'unpaid', true, '{}')",
                (tenant_id, bill_id, member_id, org_id, month, AMOUNT, AMOUNT),
            )
            conn.execute(
                "INSERT INTO dues_payment (tenant_id, id, member_id, organization_id, provider,"
                " out_trade_no, amount_fen, currency, status, prepay, created_by, expires_at)"
                " VALUES (%s, %s, %s, %s, 'sandbox', %s, %s, 'CNY', 'pending', '{}', %s, %s)",
                (tenant_id, payment_id, member_id, org_id, payment_id.hex, AMOUNT, creator[0],
                 expires),
            )  # fmt: skip
            conn.execute(
                "INSERT INTO dues_payment_bill (tenant_id, payment_id, bill_id, month, amount_fen)"
                " VALUES (%s, %s, %s, %s, %s)",
                (tenant_id, payment_id, bill_id, month, AMOUNT),
            )
            conn.execute(
                "INSERT INTO dues_bill_hold (tenant_id, bill_id, payment_id) VALUES (%s, %s, %s)",
                (tenant_id, bill_id, payment_id),
            )
            payments.append(
                {"id": payment_id, "bill_id": bill_id, "member_id": member_id, "org_id": org_id,
                 "month": month}
            )  # fmt: skip
        conn.commit()
    return tenant_id, path, payments


async def _floor(
    admin_url: str, tenant_id: uuid.UUID, order: list[dict[str, Any]], connections: int
) -> float:
    """The same number of transactions, each a conditional UPDATE of a bill and the INSERT of
    its ledger entry; then the bills are put back as they were."""
    async with AsyncConnectionPool(
        conninfo_of(admin_url), min_size=10, max_size=10, open=False
    ) as pool:
        gate = asyncio.Semaphore(connections)

        async def settle(p: dict[str, Any]) -> None:
            async with gate, pool.connection() as conn, conn.transaction():
                paid = await conn.execute(
                    "UPDATE dues_bill SET status = 'paid' WHERE tenant_id = %s AND id = %s"
                    " AND status = 'unpaid' RETURNING id",
                    (tenant_id, p["bill_id"]),
                )
                if await paid.fetchone():
                    await conn.execute(
                        "INSERT INTO dues_ledger_entry (tenant_id, id, member_id,"
                        " organization_id, bill_id, month, kind, amount_fen)"
                        " VALUES (%s, %s, %s, %s, %s, %s, 'payment', %s)",
                        (tenant_id, uuid.uuid4(), p["member_id"], p["org_id"], p["bill_id"],
                         p["month"], -AMOUNT),
                    )  # fmt: skip

        started = time.perf_counter()
        await asyncio.gather(*(settle(p) for p in order))
        seconds = time.perf_counter() - started
        async with pool.connection() as conn, conn.transaction():
            ids = list({p["bill_id"] for p in order})
            await conn.execute("DELETE FROM dues_ledger_entry WHERE bill_id = ANY(%s)", (ids,))
            await conn.execute("UPDATE dues_bill SET status = 'unpaid' WHERE id = ANY(%s)", (ids,))
    return seconds


async def _callbacks(
    settings: Settings,
    tenant_id: uuid.UUID,
    path: str,
    payments: list[dict[str, Any]],
    order: list[dict[str, Any]],
    connections: int,
) -> tuple[float, dict[int, int]]:
    app = create_app(settings)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    serving = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 (uvicorn sets a flag, no event)
        await asyncio.sleep(0.05)
    try:
        sandbox: SandboxCallbacks = app.state.dues_sandbox
        now = datetime.now(UTC)
        signed = {}
        for p in payments:
            order_no = p["id"].hex
            await sandbox.platform.create(
                PaymentOrder(order_no, AMOUNT, "党费", attach=attach_of(tenant_id, path))
            )
            await sandbox.platform.pay(order_no, now=now)
            signed[p["id"]] = await sandbox.platform.notification(order_no, now=now)
        limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}", limits=limits, timeout=60
        ) as http:

            async def call(p: dict[str, Any]) -> int:
                headers, body = signed[p["id"]]
                r = await http.post(PATH, content=body, headers=headers)
                return r.status_code

            started = time.perf_counter()
            codes = await asyncio.gather(*(call(p) for p in order))
            seconds = time.perf_counter() - started
    finally:
        server.should_exit = True
        await serving
    counted: dict[int, int] = {}
    for code in codes:
        counted[code] = counted.get(code, 0) + 1
    return seconds, counted


def _check(admin_url: str, payments: list[dict[str, Any]]) -> dict[str, int]:
    ids = [p["bill_id"] for p in payments]
    with psycopg.connect(conninfo_of(admin_url)) as conn:
        row = conn.execute(
            "SELECT count(*) FILTER (WHERE status = 'paid'),"
            " (SELECT count(*) FROM dues_ledger_entry WHERE bill_id = ANY(%s)"
            "  AND kind = 'payment'),"
            " (SELECT count(*) FROM dues_receipt WHERE bill_id = ANY(%s)),"
            " (SELECT count(DISTINCT bill_id) FROM dues_receipt WHERE bill_id = ANY(%s))"
            " FROM dues_bill WHERE id = ANY(%s)",
            (ids, ids, ids, ids),
        ).fetchone()
    assert row is not None
    paid, entries, receipts, receipted = row
    return {"paid": paid, "entries": entries, "receipts": receipts, "receipted": receipted}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--callbacks", type=int, default=500)
    parser.add_argument("--duplicates", type=float, default=0.2)
    parser.add_argument("--connections", type=int, default=64)
    args = parser.parse_args(argv)
    distinct = max(1, round(args.callbacks * (1 - args.duplicates)))
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    for name, value in UNLIMITED.items():
        os.environ.setdefault(name, value)
    settings = Settings(ZHIBU_DATA_DIR=DATA_DIR)
    print("preparing database ...", flush=True)
    password = secrets.token_urlsafe(16) + "-Aa1"
    admin_url, app_url = prepare_database(settings, password, DATABASE)
    # The demo county's members (their 身份证号 encrypted, hence the protector).
    seed(
        admin_url,
        admin_password=password,
        demo=True,
        protector=FieldProtector.from_settings(settings),
    )
    # A burst of callbacks queues for the pool's connections: wait for one rather than
    # answer 503 after 3 s (a provider would call again; the bench counts every answer).
    settings = Settings(
        ZHIBU_DATA_DIR=DATA_DIR, APP_DATABASE_URL=app_url, ZHIBU_DB_ACQUIRE_TIMEOUT_SECONDS=120
    )
    tenant_id, path, payments = _bills(admin_url, distinct)
    rng = random.Random(15)
    order = payments + [rng.choice(payments) for _ in range(args.callbacks - distinct)]
    rng.shuffle(order)
    print(f"{args.callbacks} callbacks for {distinct} payments ...", flush=True)
    floor_seconds = asyncio.run(_floor(admin_url, tenant_id, order, args.connections))
    seconds, codes = asyncio.run(
        _callbacks(settings, tenant_id, path, payments, order, args.connections)
    )
    settled = _check(admin_url, payments)
    exactly_once = codes == {204: args.callbacks} and settled == {
        "paid": distinct,
        "entries": distinct,
        "receipts": distinct,
        "receipted": distinct,
    }
    rate = round(args.callbacks / seconds, 1)
    floor_rate = round(args.callbacks / floor_seconds, 1)
    report = {
        "callbacks": args.callbacks,
        "payments": distinct,
        "duplicates": args.callbacks - distinct,
        "connections": args.connections,
        "answers": {str(k): v for k, v in sorted(codes.items())},
        "settled": settled,
        "exactly_once": exactly_once,
        "callbacks_per_second": rate,
        "floor_per_second": floor_rate,
        "ratio_to_floor": round(rate / floor_rate, 3),
        "seconds": round(seconds, 2),
        "floor_seconds": round(floor_seconds, 2),
        "database": "DATABASE_URL" if os.environ.get("DATABASE_URL") else "embedded (var/bench)",
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "load_average_1m_at_end": round(os.getloadavg()[0], 2),
    }
    RESULTS.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(
        f"{args.callbacks} callbacks ({distinct} payments) in {seconds:.2f} s: {rate}/s;"
        f" floor {floor_rate}/s (ratio {report['ratio_to_floor']});"
        f" every bill settled exactly once: {exactly_once}"
    )
    return 0 if exactly_once else 1


if __name__ == "__main__":
    raise SystemExit(main())
