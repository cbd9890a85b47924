"""Webhook throughput: events per second from the outbox to deliveries a receiver answered.

    python -m bench.webhooks [--events 3000] [--endpoints 4]

A fresh database (embedded under var/bench unless DATABASE_URL) gets `--endpoints` webhook
subscriptions of one API client, each to a local receiver (uvicorn, two workers, answering
200 at once), then `--events` `member.created` outbox events committed in one
transaction. The relay (with the integration context's fan-out handler) and the webhook
dispatcher then start in this process, as an API worker runs them; the clock stops when
every delivery is recorded as delivered. Reports the fan-out rate (outbox → delivery
rows), the end-to-end rate (deliveries sent, signed, answered and recorded) and the
target of issue 13 (≥ 1,000/s). Prints a line and writes bench/results-webhooks.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import secrets
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg

from bench.run import DATA_DIR, prepare_database, serve
from domain.integration import new_secret
from domain.shared import new_id
from infra.db.bootstrap import OWNER_ROLE, conninfo_of
from infra.db.session import Database
from infra.integration import DispatchConfig, WebhookDispatcher, register_relay_handlers
from infra.platform.relay import Relay
from infra.protection import FieldProtector
from infra.settings import Settings

RESULTS = Path(__file__).resolve().parent / "results-webhooks.json"
DATABASE = "zhibu_bench_webhooks"


async def receiver_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Answers 200 to anything, after reading the body (a receiver that keeps up)."""
    if scope["type"] != "http":
        return
    while (await receive()).get("more_body"):
        pass
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b""})


def create_receiver() -> Any:
    return receiver_app


def _subscribe(admin_url: str, protector: FieldProtector, url: str, endpoints: int) -> str:
    """One client of county 440304 with `endpoints` subscriptions; the tenant's id."""
    with psycopg.connect(conninfo_of(admin_url)) as conn:
        conn.execute(f"SET ROLE {OWNER_ROLE}")
        row = conn.execute("SELECT id, path::text FROM tenant WHERE code = '440304'").fetchone()
        assert row is not None
        tenant_id, path = row
        account, client = new_id(), new_id()
        conn.execute(
            "INSERT INTO app_user (tenant_id, id, username, display_name, password_hash)"
            " VALUES (%s, %s, %s, '压测客户端', '!')",
            (tenant_id, account, f"api_client_{account.hex}"),
        )
        conn.execute(
            "INSERT INTO api_client (tenant_id, id, name, account_id, scopes, created_by)"
            " VALUES (%s, %s, '压测客户端', %s, ARRAY['webhooks:write'], %s)",
            (tenant_id, client, account, account),
        )
        for n in range(endpoints):
            hook = new_id()
            conn.execute(
                "INSERT INTO webhook_subscription (tenant_id, id, client_id, tenant_path, url,"
                " event_types) VALUES (%s, %s, %s, %s, %s, ARRAY['member.created'])",
                (tenant_id, hook, client, path, f"{url}/hook/{n}"),
            )
            conn.execute(
                "INSERT INTO webhook_secret (tenant_id, id, subscription_id, secret)"
                " VALUES (%s, %s, %s, %s)",
                (
                    tenant_id,
                    new_id(),
                    hook,
                    protector.cipher.encrypt("webhook_secret.secret", new_secret()),
                ),
            )
    return str(tenant_id)


def _emit(admin_url: str, tenant_id: str, events: int) -> None:
    with psycopg.connect(conninfo_of(admin_url)) as conn:
        conn.execute(f"SET ROLE {OWNER_ROLE}")
        conn.execute(
            "INSERT INTO outbox_event (tenant_id, id, topic, aggregate_type, aggregate_id,"
            " payload)"
            " SELECT %s, gen_random_uuid(), 'member.created', 'member', m::text,"
            " jsonb_build_object('member_id', m::text, 'version', 1, 'fields', '[]'::jsonb)"
            " FROM (SELECT gen_random_uuid() AS m FROM generate_series(1, %s)) s",
            (tenant_id, events),
        )


def _count(admin_url: str, status: str | None) -> int:
    with psycopg.connect(conninfo_of(admin_url)) as conn:
        query = "SELECT count(*) FROM webhook_delivery"
        row = (
            conn.execute(query + " WHERE status = %s", (status,)).fetchone()
            if status
            else conn.execute(query).fetchone()
        )
    return int(row[0]) if row else 0


async def _run(admin_url: str, app_url: str, settings: Settings, expected: int) -> dict[str, float]:
    db = Database(app_url, pool_size=4)
    relay = Relay(db, conninfo_of(app_url), name="bench-webhooks")
    register_relay_handlers(relay, db=db)
    dispatcher = WebhookDispatcher(
        db,
        conninfo_of(app_url),
        protector=FieldProtector.from_settings(settings),
        config=DispatchConfig.from_settings(settings),
        name="bench-webhooks",
    )
    started = time.monotonic()
    relay.start()
    dispatcher.start()
    fanned = 0.0
    try:
        while True:
            await asyncio.sleep(0.25)
            if not fanned and await asyncio.to_thread(_count, admin_url, None) >= expected:
                fanned = time.monotonic() - started
            if await asyncio.to_thread(_count, admin_url, "delivered") >= expected:
                return {"fan_out_seconds": fanned, "seconds": time.monotonic() - started}
    finally:
        await dispatcher.stop()
        await relay.stop()
        await db.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=3000)
    parser.add_argument("--endpoints", type=int, default=4)
    args = parser.parse_args(argv)
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    settings = Settings(
        ZHIBU_DATA_DIR=DATA_DIR, ZHIBU_WEBHOOK_ALLOW_PRIVATE=True, ZHIBU_WEBHOOK_POLL_SECONDS=0.05
    )
    print("preparing database ...")
    admin_url, app_url = prepare_database(settings, secrets.token_urlsafe(16) + "-Aa1", DATABASE)
    expected = args.events * args.endpoints
    with serve("bench.webhooks:create_receiver", {}) as port:
        tenant_id = _subscribe(
            admin_url,
            FieldProtector.from_settings(settings),
            f"http://127.0.0.1:{port}",
            args.endpoints,
        )
        _emit(admin_url, tenant_id, args.events)
        print(f"delivering {args.events} events to {args.endpoints} endpoints ...", flush=True)
        timing = asyncio.run(_run(admin_url, app_url, settings, expected))
    rate = round(expected / timing["seconds"], 1)
    report = {
        "events": args.events,
        "endpoints": args.endpoints,
        "deliveries": expected,
        "fan_out_per_second": round(expected / timing["fan_out_seconds"], 1),
        "deliveries_per_second": rate,
        "target_per_second": 1000,
        "seconds": round(timing["seconds"], 2),
        "database": "DATABASE_URL" if os.environ.get("DATABASE_URL") else "embedded (var/bench)",
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    RESULTS.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(
        f"{expected} deliveries in {timing['seconds']:.1f} s: {rate}/s end to end"
        f" (fan-out {report['fan_out_per_second']}/s; target >= 1000/s)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
