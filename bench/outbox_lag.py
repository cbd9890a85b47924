"""Outbox relay lag under the check-in benchmark's load, and that load's ratio beside it.

    python -m bench.outbox_lag [--requests 9600] [--concurrency 32] [--rounds 2]

Runs `bench.checkin`'s load (members checking in over HTTP against two API workers, and
the bare-insert floor) with one more relay handler registered in the API workers, as a
context would register one: for every `checkin.recorded` event it inserts a row with the
time from the event's transaction start (its `created_at`; the commit follows within
milliseconds, so this is an upper bound of commit-to-handler) to the handler, in the
event's tenant scope and the relay's transaction. The relay runs as in production: one
leader among the workers, reads bounded by the oldest running transaction, processed-event
records. The ratio is the check-in ratio with the relay and its handler running.

Prints a table and writes bench/results-outbox.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import secrets
import statistics
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from litestar import Litestar
from sqlalchemy import text

from api.app import RELAY_HANDLERS, create_app
from bench.checkin import (
    DATA_DIR,
    MEMBER_PASSWORD,
    Measurement,
    Plan,
    QrCodes,
    _load,
    _login,
    _summarize,
    api_requests,
    floor_requests,
    prepare,
)
from bench.run import serve
from infra.db.bootstrap import APP_ROLE, conninfo_of
from infra.db.session import UnitOfWork
from infra.platform.relay import RelayedEvent, Subscription
from infra.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results-outbox.json"


async def record_lag(uow: UnitOfWork, event: RelayedEvent) -> None:
    """The counting handler: how long after its transaction the event arrived."""
    await uow.session.execute(
        text(
            "INSERT INTO bench_relay_lag (event_id, lag_ms)"
            " VALUES (:id, extract(epoch FROM clock_timestamp() - :at) * 1000)"
        ),
        {"id": event.id, "at": event.created_at},
    )


def app_factory() -> Litestar:
    """The API with the counting handler registered (one app per worker process)."""
    RELAY_HANDLERS["bench-lag"] = Subscription(record_lag, frozenset({"checkin.recorded"}))
    return create_app()


def _quantile(ordered: list[float], q: float) -> float:
    return round(ordered[max(int(len(ordered) * q) - 1, 0)], 1)


def _take_lags(admin_url: str, expected: int) -> list[float]:
    """The lags recorded so far, once the relay has handed on `expected` check-ins."""
    with psycopg.connect(conninfo_of(admin_url), autocommit=True) as conn:
        for _ in range(600):  # at most a minute
            row = conn.execute("SELECT count(*) FROM bench_relay_lag").fetchone()
            if row is not None and row[0] >= expected:
                break
            time.sleep(0.1)
        lags = [r[0] for r in conn.execute("DELETE FROM bench_relay_lag RETURNING lag_ms")]
    return sorted(lags)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=9_600)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    per_client = max(args.requests // args.concurrency, 1)
    warmup = max(per_client // 10, 10)

    DATA_DIR.mkdir(parents=True, exist_ok=True)
    settings = Settings(ZHIBU_DATA_DIR=DATA_DIR)
    settings.secrets  # noqa: B018 - write var/bench/secrets.json before two workers race for it
    secret = settings.secret_bytes("checkin_secret")
    password = secrets.token_urlsafe(16) + "-Aa1"
    print("preparing database ...")
    world = prepare(settings, password, args.concurrency, args.rounds * per_client + warmup)
    with psycopg.connect(conninfo_of(world.admin_url)) as conn:
        conn.execute("CREATE TABLE bench_relay_lag (event_id uuid PRIMARY KEY, lag_ms float8)")
        conn.execute(f"GRANT INSERT ON bench_relay_lag TO {APP_ROLE}")
    api_env = {"APP_DATABASE_URL": world.app_url, "ZHIBU_DATA_DIR": str(DATA_DIR)}
    api_env["DB_POOL_SIZE"] = "8"
    floor_env = {"BENCH_DATABASE_URL": conninfo_of(world.admin_url), "BENCH_POOL_SIZE": "8"}
    results: dict[str, list[Measurement]] = {"floor": [], "api": []}
    member_ids = [m for m, _ in world.members]
    with (
        serve("bench.outbox_lag:app_factory", api_env) as api_port,
        serve("bench.checkin:create_floor_app", floor_env) as floor_port,
    ):
        tokens = [_login(api_port, name, MEMBER_PASSWORD) for _, name in world.members]
        plan = Plan(world.activities)
        qr = QrCodes(secret)
        warm = plan.take(warmup)
        asyncio.run(_load(api_port, api_requests(api_port, tokens, warm, qr), 201))
        asyncio.run(_load(floor_port, floor_requests(floor_port, member_ids, warm, qr), 201))
        _take_lags(world.admin_url, warmup * len(tokens))
        for _ in range(args.rounds):
            print("measuring floor ...", flush=True)
            batch = plan.take(per_client)
            reqs = floor_requests(floor_port, member_ids, batch, qr)
            lat, err, sec = asyncio.run(_load(floor_port, reqs, 201))
            results["floor"].append(_summarize("floor", lat, err, sec))
            print("measuring api with the relay running ...", flush=True)
            reqs = api_requests(api_port, tokens, batch, qr)
            lat, err, sec = asyncio.run(_load(api_port, reqs, 201))
            results["api"].append(_summarize("api", lat, err, sec))
        handed = sum(m.requests - m.errors for m in results["api"])
        lags = _take_lags(world.admin_url, handed)

    floor = max(results["floor"], key=lambda m: m.rps)
    api = max(results["api"], key=lambda m: m.rps)
    ratio = round(api.rps / floor.rps, 3)
    lag = {
        "events": len(lags),
        "check_ins": handed,
        "p50_ms": _quantile(lags, 0.5),
        "p95_ms": _quantile(lags, 0.95),
        "p99_ms": _quantile(lags, 0.99),
        "max_ms": round(lags[-1], 1),
        "mean_ms": round(statistics.fmean(lags), 1),
    }
    report = {
        "relay_lag": lag,
        "target_p95_ms": 1000,
        "checkin_ratio_with_relay": ratio,
        "target_ratio": 0.6,
        "api": asdict(api),
        "floor": asdict(floor),
        "rounds": {k: [asdict(m) for m in v] for k, v in results.items()},
        "concurrency": args.concurrency,
        "database": "DATABASE_URL" if os.environ.get("DATABASE_URL") else "embedded (var/bench)",
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    RESULTS.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(
        f"\nrelay lag over {lag['events']} events ({handed} check-ins): p50 {lag['p50_ms']} ms,"
        f" p95 {lag['p95_ms']} ms (target < 1000), p99 {lag['p99_ms']} ms,"
        f" max {lag['max_ms']} ms"
    )
    print(
        f"check-in ratio api/floor with the relay running = {ratio} (target >= 0.6;"
        f" api {api.rps:.0f} req/s, floor {floor.rps:.0f} req/s)"
    )
    print(f"written to {RESULTS.relative_to(ROOT)}")
    ok = len(lags) == handed and api.errors == floor.errors == 0
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
